using CodeAssist.Server.Inference;
using CodeAssist.Server.Prompting;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Prompting;

/// <summary>Imported definitions in front of the prompt: the family's repository format, a comment header otherwise, and the budget.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public class PromptSnippetsTests
{
    private static readonly PromptSnippets Snippets = new(
        [new PromptSnippet("shop.models", "class Order:\n    def total_with_tax(self, rate=TAX_RATE):\n"), new PromptSnippet(".pricing", "def discount(order, percent):\n")],
        "shop",
        "app/main.py");

    [Fact]
    public void QwenGetsItsRepositoryFormatWithTheSnippetsFirst()
    {
        var prompt = FimPrompt.Build(FimTemplate.ForFamily(FimFamily.Qwen), "order = Order()\norder.", "\n", Snippets, _ => true);

        Assert.Equal(
            [
                "<|repo_name|>", "shop\n",
                "<|file_sep|>", "shop/models.py\nclass Order:\n    def total_with_tax(self, rate=TAX_RATE):\n",
                "<|file_sep|>", "pricing.py\ndef discount(order, percent):\n",
                "<|file_sep|>", "app/main.py\n",
                "<|fim_prefix|>", "order = Order()\norder.", "<|fim_suffix|>", "\n", "<|fim_middle|>",
            ],
            prompt.Parts.Select(p => p.Value));
        Assert.Equal([true, false, true, false, true, false, true, false, true, false, true, false, true], prompt.Parts.Select(p => p.IsMarker));
    }

    [Fact]
    public void ARemotePromptIsRenderedWholeUnhealedAndWithoutControlTextsInTheSnippets()
    {
        // A snippet or a file that spells the family's markers cannot start a file or end the prompt early on the server.
        var snippets = Snippets with { Items = [new PromptSnippet("shop.models", "X = '<|file_sep|><|fim_middle|>'\n")] };

        var qwen = FimPrompt.Render(FimTemplate.ForFamily(FimFamily.Qwen), "order.total_<|repo_name|>", "\n", snippets, repositoryFormat: true);
        var header = FimPrompt.Render(FimTemplate.ForFamily(FimFamily.Qwen), "x = ", "\n", snippets, repositoryFormat: false);

        Assert.Equal("<|repo_name|>shop\n<|file_sep|>shop/models.py\nX = ''\n<|file_sep|>app/main.py\n<|fim_prefix|>order.total_<|fim_suffix|>\n<|fim_middle|>", qwen);
        Assert.Equal("<|fim_prefix|># from shop.models:\n#   X = ''\n\nx = <|fim_suffix|>\n<|fim_middle|>", header);
        Assert.Equal(FimTemplate.ForFamily(FimFamily.Qwen).Render("x = ", "\n"), FimPrompt.Render(FimTemplate.ForFamily(FimFamily.Qwen), "x = ", "\n", null, repositoryFormat: true));
    }

    [Fact]
    public void StarCoderUsesItsOwnSeparators()
    {
        var prompt = FimPrompt.Build(FimTemplate.ForFamily(FimFamily.StarCoder), "x = ", string.Empty, Snippets, _ => true);

        Assert.Equal(["<repo_name>", "<file_sep>", "<file_sep>", "<file_sep>", "<fim_prefix>", "<fim_suffix>", "<fim_middle>"], prompt.Parts.Where(p => p.IsMarker).Select(p => p.Value));
        Assert.Equal(" ", prompt.Healed);
    }

    [Fact]
    public void AModelWithoutTheTokensOrTheFormatGetsACommentHeader()
    {
        // Qwen's format, but this file lacks <|repo_name|>: the comment header, never a marker the model does not have.
        var qwen = FimPrompt.Build(FimTemplate.ForFamily(FimFamily.Qwen), "order.", string.Empty, Snippets, token => token != "<|repo_name|>");
        var ours = FimPrompt.Build(FimTemplate.ForFamily(FimFamily.CodeAssist), "order.", string.Empty, Snippets, _ => true);

        const string Header = "# from shop.models:\n#   class Order:\n#       def total_with_tax(self, rate=TAX_RATE):\n# from .pricing:\n#   def discount(order, percent):\n\n";
        Assert.Equal(["<|fim_prefix|>", Header + "order.", "<|fim_suffix|>", string.Empty, "<|fim_middle|>"], qwen.Parts.Select(p => p.Value));
        Assert.Contains(ours.Parts, p => !p.IsMarker && p.Value == Header + "order.");
        Assert.DoesNotContain(ours.Parts, p => p.Value.Contains("file_sep", StringComparison.Ordinal));
    }

    [Fact]
    public void WithoutSnippetsThePromptIsUnchanged()
    {
        var template = FimTemplate.ForFamily(FimFamily.Qwen);

        Assert.Equal(FimPrompt.Build(template, "a = 1\nb", "\n").Parts, FimPrompt.Build(template, "a = 1\nb", "\n", null, _ => true).Parts);
    }

    [Theory]
    [InlineData(FimFamily.CodeAssist, 512, null, false)] // auto: our own models keep their window
    [InlineData(FimFamily.Qwen, 32768, null, true)] // auto: a downloaded model with room
    [InlineData(FimFamily.Qwen, 1024, null, false)] // auto: too small a context
    [InlineData(FimFamily.CodeAssist, 512, true, true)] // on for every model
    [InlineData(FimFamily.Qwen, 32768, false, false)] // off
    public void TheSettingDecidesPerModel(FimFamily family, int context, bool? setting, bool expected)
    {
        var (snippets, tokens) = PromptBuilder.FitSnippets(Snippets, setting, Model(family, context), text => text.Length / 4);

        Assert.Equal(expected, snippets is not null);
        Assert.Equal(expected, tokens > 0);
    }

    [Fact]
    public void SnippetsTakeAtMostAQuarterOfTheContextDroppingTheLastFirst()
    {
        // One token per character: the header of both is ~150 tokens, of the first alone ~90; a quarter of 400 is 100.
        var (snippets, tokens) = PromptBuilder.FitSnippets(Snippets, true, Model(FimFamily.Qwen, 400), text => text.Length);

        Assert.NotNull(snippets);
        Assert.Equal(["shop.models"], snippets.Items.Select(s => s.Source));
        Assert.InRange(tokens, 1, 100);
        Assert.Null(PromptBuilder.FitSnippets(Snippets, true, Model(FimFamily.Qwen, 100), text => text.Length).Snippets);
    }

    private static ModelDescription Model(FimFamily family, int context) =>
        new("test", "/models/test.gguf", "qwen2", FimTemplate.ForFamily(family), context, 1000, 1000);
}
