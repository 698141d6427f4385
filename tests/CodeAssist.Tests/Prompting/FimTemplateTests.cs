using CodeAssist.Server.Prompting;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Prompting;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class FimTemplateTests
{
    [Theory]
    [InlineData(FimFamily.Qwen, "<|fim_prefix|>P<|fim_suffix|>S<|fim_middle|>")]
    [InlineData(FimFamily.StarCoder, "<fim_prefix>P<fim_suffix>S<fim_middle>")]
    [InlineData(FimFamily.DeepSeek, "<｜fim▁begin｜>P<｜fim▁hole｜>S<｜fim▁end｜>")]
    [InlineData(FimFamily.CodeLlama, "<PRE> P <SUF>S <MID>")]
    [InlineData(FimFamily.CodeGemma, "<|fim_prefix|>P<|fim_suffix|>S<|fim_middle|>")]
    [InlineData(FimFamily.Codestral, "[SUFFIX]S[PREFIX]P")]
    [InlineData(FimFamily.CodeAssist, "<fim_prefix><fim_suffix>S<fim_middle>P")]
    [InlineData(FimFamily.None, "P")]
    public void EachFamilyRendersItsDocumentedPromptFormat(FimFamily family, string expected)
    {
        Assert.Equal(expected, FimTemplate.ForFamily(family).Render("P", "S"));
    }

    [Fact]
    public void StarCoderInSpmOrderPutsTheSuffixFirstSoTypingKeepsTheCommonPrefix()
    {
        var template = FimTemplate.ForFamily(FimFamily.StarCoder, FimOrder.Spm);
        Assert.Equal("<fim_prefix><fim_suffix>S<fim_middle>P", template.Render("P", "S"));
        var before = template.Render("def f(x", ")\n");
        var after = template.Render("def f(x, y", ")\n");
        Assert.StartsWith(before, after);
    }

    [Fact]
    public void MarkersAndTextStaySeparateSoDocumentTextIsNeverParsedAsControlTokens()
    {
        var parts = FimTemplate.ForFamily(FimFamily.StarCoder).Build("x = '<fim_prefix>'", "");
        Assert.Contains(parts, p => !p.IsMarker && p.Value == "x = '<fim_prefix>'");
        Assert.Equal(3, parts.Count(p => p.IsMarker));
    }

    [Fact]
    public void CodeGemmaStopsAtItsFileSeparator()
    {
        Assert.Contains("<|file_separator|>", FimTemplate.ForFamily(FimFamily.CodeGemma).StopMarkers);
    }

    private sealed class Inventory(string[] tokens, Dictionary<string, string>? metadata = null, Dictionary<string, string>? ids = null) : IModelTokenInventory
    {
        public bool HasSpecialToken(string text) => tokens.Contains(text);

        public string? SpecialTokenFromMetadata(string key) => ids is not null && ids.TryGetValue(key, out var t) ? t : null;

        public string? MetadataString(string key) => metadata is not null && metadata.TryGetValue(key, out var v) ? v : null;
    }

    [Theory]
    [InlineData(new[] { "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|endoftext|>" }, FimFamily.Qwen)]
    [InlineData(new[] { "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|file_separator|>" }, FimFamily.CodeGemma)]
    [InlineData(new[] { "<fim_prefix>", "<fim_suffix>", "<fim_middle>" }, FimFamily.StarCoder)]
    [InlineData(new[] { "<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>" }, FimFamily.DeepSeek)]
    [InlineData(new[] { "<PRE>", "<SUF>", "<MID>", "<EOT>" }, FimFamily.CodeLlama)]
    [InlineData(new[] { "[SUFFIX]", "[PREFIX]" }, FimFamily.Codestral)]
    [InlineData(new[] { "<|endoftext|>" }, FimFamily.None)]
    [InlineData(new[] { "<fim_prefix>", "<fim_suffix>" }, FimFamily.None)]
    public void DetectionPicksTheFamilyFromTheVocabulary(string[] tokens, FimFamily expected)
    {
        Assert.Equal(expected, FimTemplateDetector.Detect(new Inventory(tokens)).Family);
    }

    [Fact]
    public void OurOwnModelsAreRecognisedByNameAndPreferSpm()
    {
        var inventory = new Inventory(["<fim_prefix>", "<fim_suffix>", "<fim_middle>"], new() { ["general.name"] = "codeassist-py-tiny" });
        var template = FimTemplateDetector.Detect(inventory);
        Assert.Equal(FimFamily.CodeAssist, template.Family);
        Assert.Equal(FimOrder.Spm, template.Order);
        Assert.Equal(FimOrder.Psm, FimTemplateDetector.Detect(inventory, FimOrder.Psm).Order);
    }

    [Fact]
    public void AnUnknownFamilyWithFimIdsInMetadataGetsAGenericPsmTemplate()
    {
        var ids = new Dictionary<string, string>
        {
            ["tokenizer.ggml.fim_pre_token_id"] = "<pre>",
            ["tokenizer.ggml.fim_suf_token_id"] = "<suf>",
            ["tokenizer.ggml.fim_mid_token_id"] = "<mid>",
            ["tokenizer.ggml.eot_token_id"] = "<end>",
        };
        var template = FimTemplateDetector.Detect(new Inventory(["<pre>", "<suf>", "<mid>", "<end>"], ids: ids));
        Assert.Equal(FimFamily.Generic, template.Family);
        Assert.Equal("<pre>P<suf>S<mid>", template.Render("P", "S"));
        Assert.Contains("<end>", template.StopMarkers);
    }

    [Theory]
    [InlineData(FimFamily.Qwen, "x = '<|fim_middle|>'<|endoftext|>", "y = 1<|fim_prefix|>", "<|fim_prefix|>x = ''<|fim_suffix|>y = 1<|fim_middle|>")]
    [InlineData(FimFamily.StarCoder, "a<fim_<fim_middle>middle>b", "<file_sep>", "<fim_prefix>ab<fim_suffix><fim_middle>")]
    [InlineData(FimFamily.CodeLlama, "<PRE>p", "s<EOT>", "<PRE> p <SUF>s <MID>")]
    public void ARenderedPromptCarriesNoControlTextFromTheDocument(FimFamily family, string prefix, string suffix, string expected) =>
        Assert.Equal(expected, FimTemplate.ForFamily(family).Render(prefix, suffix));
}
