using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Local;
using CodeAssist.Server.Prompting;
using CodeAssist.Tests.Gguf;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace CodeAssist.Tests.Inference;

[Trait(TestCategory.Name, TestCategory.Model)]
public class LocalModelTests
{
    // Peaked distributions keep greedy decoding away from near-ties, so tiny numeric differences
    // between batched and incremental decodes cannot flip a token.
    private static readonly TestModelOptions Peaked = new() { OutputScale = 4f, Seed = 77 };

    private static LocalModel Load(TestModelOptions? options = null, bool reuse = true, int contextSize = 512) =>
        LocalModel.Load(TestModel.Get(options ?? Peaked).Path, new LocalModelOptions { ContextSize = contextSize, Threads = 1, ReuseKvCache = reuse }, NullLogger.Instance);

    private const string Source = "import os\n\n\ndef read_config(path):\n    with open(path) as handle:\n        return handle.read()\n\n\ndef main():\n    config = read_config(\"settings.ini\")\n    print(config)\n";

    [Fact]
    public void TheTestModelLoadsWithItsFimTemplateDetectedFromTheVocabulary()
    {
        using var model = Load();
        Assert.Equal(FimFamily.CodeAssist, model.Description.Template.Family);
        Assert.Equal("llama", model.Description.Architecture);
        Assert.Equal(512, model.Description.ContextLength);
        Assert.True(model.Description.ParameterCount > 0);
    }

    [Fact]
    public async Task CompletionsWithKvReuseEqualFreshEvaluationWhileTyping()
    {
        using var reused = Load();
        using var fresh = Load(reuse: false);
        var cursor = Source.IndexOf("print", StringComparison.Ordinal);
        var reusedAny = false;
        for (var typed = 0; typed <= 5; typed++)
        {
            var prefix = Source[..(cursor + typed)];
            var suffix = Source[(cursor + 5)..];
            var request = new CompletionRequest(prefix, suffix, 24);
            var a = await reused.CompleteAsync(request, CancellationToken.None);
            var b = await fresh.CompleteAsync(request, CancellationToken.None);
            Assert.Equal(b.RawText, a.RawText);
            Assert.Equal(b.GeneratedTokens, a.GeneratedTokens);
            Assert.Equal(0, b.ReusedPromptTokens);
            reusedAny |= a.ReusedPromptTokens > 0;
            if (typed > 0)
            {
                // SPM order: the suffix and all the earlier prefix stay in the cache.
                Assert.True(a.ReusedPromptTokens > a.PromptTokens / 2, $"reused {a.ReusedPromptTokens} of {a.PromptTokens}");
            }
        }

        Assert.True(reusedAny);
    }

    [Fact]
    public async Task RepeatingARequestDecodesOnlyTheLastPromptToken()
    {
        using var model = Load();
        var request = new CompletionRequest(Source[..40], Source[40..], 8);
        var first = await model.CompleteAsync(request, CancellationToken.None);
        var second = await model.CompleteAsync(request, CancellationToken.None);
        Assert.Equal(first.RawText, second.RawText);
        Assert.Equal(second.PromptTokens - 1, second.ReusedPromptTokens);
    }

    [Fact]
    public async Task CancellationMidDecodeAbortsAndLeavesTheModelUsable()
    {
        // Large enough that decoding a full prompt takes far longer than the cancellation delay.
        var big = new TestModelOptions { EmbeddingLength = 512, BlockCount = 6, HeadCount = 8, HeadCountKv = 8, FeedForwardLength = 1536, ContextLength = 2048, Seed = 5, OutputScale = 4f };
        using var model = LocalModel.Load(TestModel.Get(big).Path, new LocalModelOptions { ContextSize = 2048, Threads = 1 }, NullLogger.Instance);
        var longPrefix = string.Concat(Enumerable.Repeat(Source, 40));
        var request = new CompletionRequest(longPrefix[..4000], "", 16);

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(40));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => model.CompleteAsync(request, cancel.Token));
        var promptTokens = model.TokenizePrompt(model.Description.Template.Build(longPrefix[..4000].TrimEnd(), "")).Count;
        Assert.True(model.CachedTokenCount < promptTokens, $"the decode was aborted part way ({model.CachedTokenCount} of {promptTokens} tokens cached)");

        // Still usable, and what it computes after the abort equals a fresh model's answer.
        var shortRequest = new CompletionRequest(Source[..60], Source[60..], 8);
        var after = await model.CompleteAsync(shortRequest, CancellationToken.None);
        using var fresh = LocalModel.Load(TestModel.Get(big).Path, new LocalModelOptions { ContextSize = 2048, Threads = 1, ReuseKvCache = false }, NullLogger.Instance);
        var expected = await fresh.CompleteAsync(shortRequest, CancellationToken.None);
        Assert.Equal(expected.RawText, after.RawText);
    }

    [Fact]
    public void LiteralFimTextInTheDocumentIsNotAControlToken()
    {
        using var model = Load();
        var testModel = TestModel.Get(Peaked);
        var tokens = model.TokenizePrompt(model.Description.Template.Build("s = '<fim_prefix><fim_middle>'\n", "t = '<fim_suffix>'"))
            .Select(t => (int)t).ToList();
        Assert.Equal(1, tokens.Count(t => t == testModel.FimPrefixId));
        Assert.Equal(1, tokens.Count(t => t == testModel.FimSuffixId));
        Assert.Equal(1, tokens.Count(t => t == testModel.FimMiddleId));
    }

    [Fact]
    public async Task ControlTokensEndGenerationAndNeverReachTheOutput()
    {
        // An output projection whose every row is zero except two control tokens, with opposite signs:
        // whatever the hidden state, one of them is the argmax, so generation must stop at once.
        var model = TestModel.Get(new TestModelOptions { Seed = 9 });
        var writer = model.CreateWriter();
        var dim = model.Options.EmbeddingLength;
        var output = new float[(long)dim * model.VocabSize];
        for (var d = 0; d < dim; d++)
        {
            output[((long)model.FimPadId!.Value * dim) + d] = 50f;
            output[((long)model.EndOfTextId * dim) + d] = -50f;
        }

        writer.RemoveTensor("output.weight");
        writer.AddTensor("output.weight", GgufTensorType.F32, [dim, model.VocabSize], output);
        var path = TestModelFiles.NewPath("control-argmax");
        writer.WriteToFile(path);

        using var local = LocalModel.Load(path, new LocalModelOptions { ContextSize = 256, Threads = 1 }, NullLogger.Instance);
        var completion = await local.CompleteAsync(new CompletionRequest("def f(x):\n    return f(", "\n", 16), CancellationToken.None);
        Assert.Equal(StopReason.EndToken, completion.StopReason);
        Assert.Equal(string.Empty, completion.RawText);
        Assert.Equal(0, completion.GeneratedTokens);
    }

    [Fact]
    public async Task GeneratedTextNeverContainsSpecialTokenText()
    {
        using var model = Load(new TestModelOptions { Seed = 3 });
        for (var i = 0; i < Source.Length; i += 23)
        {
            var completion = await model.CompleteAsync(new CompletionRequest(Source[..i], Source[i..], 16), CancellationToken.None);
            Assert.DoesNotContain("<fim_", completion.RawText, StringComparison.Ordinal);
            Assert.DoesNotContain("<|endoftext|>", completion.RawText, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("def f(x):\n    ", "    ")]
    [InlineData("def f(x):\n", "\n")]
    [InlineData("x = [1,\n     ", "\n     ")]
    public async Task APromptEndingInWhitespaceIsHealedTheOutputStartsWithThatWhitespace(string prefix, string healed)
    {
        using var model = Load();
        var completion = await model.CompleteAsync(new CompletionRequest(prefix, "", 12), CancellationToken.None);
        var whitespace = prefix[prefix.TrimEnd().Length..];
        Assert.EndsWith(healed, whitespace);
        Assert.StartsWith(whitespace, completion.RawText);
        Assert.Equal(completion.RawText[whitespace.Length..], completion.Text);
    }

    [Theory]
    [InlineData("total = order.total_")]
    [InlineData("for name in os.lis")]
    [InlineData("    return self.fetch_pending_ord")]
    [InlineData("value = configuration")]
    public async Task APartialWordIsHealedWithTheTokenizersOwnCuts(string prefix)
    {
        // The healed word must come back as the tokenizer cuts it (the cuts the model was trained on), or as fewer
        // tokens that run past it; never as pieces of it that the tokenizer would not make (to|ta|l for "total").
        var healed = prefix[FimPrompt.HealingCut(prefix)..];
        Assert.Matches("[a-z]", healed);
        foreach (var seed in new[] { 1, 2, 3, 4, 5 })
        {
            using var model = Load(new TestModelOptions { Seed = seed, OutputScale = 2f });
            var canonical = model.CountTokens(healed);
            var completion = await model.CompleteAsync(new CompletionRequest(prefix, "\n", 8), CancellationToken.None);
            Assert.StartsWith(healed, completion.RawText, StringComparison.Ordinal);
            var healing = completion.Tokens.Count(t => t.End <= 0);
            Assert.True(healing <= canonical, $"seed {seed}: {healing} tokens re-typed \"{healed}\", which the tokenizer cuts into {canonical}");
        }
    }

    [Fact]
    public async Task AModelWithoutFimTokensGetsAPrefixOnlyPrompt()
    {
        using var model = LocalModel.Load(TestModel.Get(new TestModelOptions { Fim = null, Name = "plain" }).Path, new LocalModelOptions { ContextSize = 256, Threads = 1 }, NullLogger.Instance);
        Assert.Equal(FimFamily.None, model.Description.Template.Family);
        Assert.Equal([PromptPart.Text("x = 1")], model.Description.Template.Build("x = 1", "\ny = 2"));

        // The suffix is not in the prompt: a long one gives the same prompt, no longer than the prefix's tokens (and BOS).
        const string Prefix = "def f(x):\n    return";
        var shortSuffix = await model.CompleteAsync(new CompletionRequest(Prefix, "\n", 8), CancellationToken.None);
        var longSuffix = await model.CompleteAsync(new CompletionRequest(Prefix, "\n" + string.Concat(Enumerable.Repeat("y = 2\n", 40)), 8), CancellationToken.None);
        Assert.InRange(shortSuffix.PromptTokens, 1, model.CountTokens(Prefix) + 1);
        Assert.Equal(shortSuffix.PromptTokens, longSuffix.PromptTokens);
    }

    [Theory]
    [InlineData("qwen", FimFamily.Qwen)]
    [InlineData("codellama", FimFamily.CodeLlama)]
    [InlineData("deepseek", FimFamily.DeepSeek)]
    [InlineData("starcoder", FimFamily.StarCoder)]
    public void FimFamiliesAreDetectedFromRealModelFiles(string family, FimFamily expected)
    {
        var tokens = family switch
        {
            "qwen" => FimTokenSet.Qwen,
            "codellama" => FimTokenSet.CodeLlama,
            "deepseek" => FimTokenSet.DeepSeek,
            _ => FimTokenSet.StarCoder,
        };
        using var model = LocalModel.Load(TestModel.Get(new TestModelOptions { Fim = tokens, Name = family + "-test" }).Path, new LocalModelOptions { ContextSize = 256, Threads = 1 }, NullLogger.Instance);
        Assert.Equal(expected, model.Description.Template.Family);
        Assert.NotEmpty(model.TokenizePrompt(model.Description.Template.Build("a", "b")));
    }
}

[Trait(TestCategory.Name, TestCategory.Model)]
public class HealingCutTests
{
    [Theory]
    [InlineData("def f():\n    ", "def f():")]
    [InlineData("x = va", "x =")]
    [InlineData("return self.name", "return self.")]
    [InlineData("print(", "print(")]
    [InlineData("x = 1", "x =")]
    [InlineData("", "")]
    [InlineData("value", "")]
    public void HealingCutsTrailingWhitespaceOrAPartialWordWithItsSpace(string prefix, string kept)
    {
        Assert.Equal(kept, prefix[..FimPrompt.HealingCut(prefix)]);
    }

    [Fact]
    public async Task APartialWordIsHealedTheOutputStartsWithIt()
    {
        using var model = CodeAssist.Server.Inference.LocalModel.Load(TestModel.Get(new TestModelOptions { OutputScale = 4f, Seed = 77 }).Path, new CodeAssist.Server.Inference.LocalModelOptions { ContextSize = 256, Threads = 1 }, NullLogger.Instance);
        var completion = await model.CompleteAsync(new CodeAssist.Server.Inference.CompletionRequest("def f(value):\n    return va", "", 8), CancellationToken.None);
        Assert.StartsWith(" va", completion.RawText);
        Assert.Equal(completion.RawText[3..], completion.Text);
    }
}

[Trait(TestCategory.Name, TestCategory.Unit)]
public class TokenHealingTests
{
    // Pieces: 0 "to" 1 "ta" 2 "l" 3 "total" 4 "_" 5 "totals" 6 "_in".
    private static readonly byte[][] Pieces = [.. new[] { "to", "ta", "l", "total", "_", "totals", "_in" }.Select(p => System.Text.Encoding.UTF8.GetBytes(p))];

    [Fact]
    public void TheTokenizersCutsAreFoundByWhereTheyStart()
    {
        var healed = "total_"u8.ToArray();
        Assert.Equal([3, -1, -1, -1, -1, 4], TokenHealing.TokensAt(healed, [3, 4], t => Pieces[t]) ?? []);
        Assert.Null(TokenHealing.TokensAt(healed, [3], t => Pieces[t])); // they do not spell it
        Assert.Null(TokenHealing.TokensAt("\n    "u8.ToArray(), [], t => Pieces[t])); // whitespace: any cut
    }

    [Fact]
    public void APieceOfTheHealedTextMustBeTheTokenizersOwnCutATokenThatCoversItMayBeAny()
    {
        var remaining = "total_"u8;
        Assert.True(TokenHealing.Agrees(Pieces[0], remaining)); // no cuts known: any prefix
        Assert.False(TokenHealing.Agrees(Pieces[0], remaining, 0, canonical: 3)); // "to" is not the tokenizer's cut
        Assert.True(TokenHealing.Agrees(Pieces[3], remaining, 3, canonical: 3));
        Assert.False(TokenHealing.Agrees(Pieces[5], remaining, 5, canonical: 3)); // "totals" disagrees
        Assert.True(TokenHealing.Agrees(Pieces[6], "_"u8, 6, canonical: 4)); // "_in" covers "_" and goes on
    }
}

[Trait(TestCategory.Name, TestCategory.Model)]
public class ConfidenceCutoffTests
{
    [Fact]
    public async Task GenerationEndsBeforeATokenBelowTheCutoff()
    {
        using var model = CodeAssist.Server.Inference.LocalModel.Load(TestModel.Get(new TestModelOptions { Seed = 3 }).Path, new CodeAssist.Server.Inference.LocalModelOptions { ContextSize = 256, Threads = 1 }, NullLogger.Instance);
        var request = new CodeAssist.Server.Inference.CompletionRequest("def f(x):\n    return f(", "", 16);
        var free = await model.CompleteAsync(request, CancellationToken.None);
        var cut = await model.CompleteAsync(request with { MinTokenLogprob = free.MinLogprob + 1e-6 }, CancellationToken.None);
        Assert.True(free.GeneratedTokens > 1);
        Assert.Equal(StopReason.LowConfidence, cut.StopReason);
        Assert.True(cut.GeneratedTokens < free.GeneratedTokens);
        Assert.StartsWith(cut.RawText, free.RawText);
        Assert.True(cut.MinLogprob >= free.MinLogprob + 1e-6);
    }
}
