using System.Text;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Gguf;
using CodeAssist.Server.Models;
using CodeAssist.Server.Prompting;
using CodeAssist.Tests.Testing;
using LLama.Native;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace CodeAssist.Tests.Models;

/// <summary>Every shipped models/codeassist-py-*.gguf: loads with our FIM template, completes cleanly, stays within its size.</summary>
[Trait(TestCategory.Name, TestCategory.Model)]
public class ShippedModelTests(ITestOutputHelper output)
{
    private const long MegaByte = 1024 * 1024;
    private const string SmallModelFileName = "codeassist-py-small.gguf";
    private static readonly string[] ControlTokenTexts = ["<|endoftext|>", "<fim_prefix>", "<fim_suffix>", "<fim_middle>", "<fim_pad>"];

    /// <summary>Every models/codeassist-py-*.gguf in the repository (tiny always; small once it is added).</summary>
    public static TheoryData<string> ShippedModels() => [.. RepositoryPaths.ShippedModelNames()];

    private static LocalModel Load(string fileName) =>
        LocalModel.Load(RepositoryPaths.ShippedModel(fileName), new LocalModelOptions { ContextSize = 512, Threads = 1 }, NullLogger.Instance);

    [Theory]
    [MemberData(nameof(ShippedModels))]
    public void EveryShippedModelLoadsWithTheCodeAssistSpmFimTemplate(string fileName)
    {
        using var model = Load(fileName);
        Assert.Equal(FimFamily.CodeAssist, model.Description.Template.Family);
        Assert.Equal(FimOrder.Spm, model.Description.Template.Order);
        Assert.Equal("llama", model.Description.Architecture);
        Assert.True(model.Description.ParameterCount > 0);
    }

    [Theory]
    [MemberData(nameof(ShippedModels))]
    public async Task AFimPromptInAPythonFunctionCompletesWithoutControlTokenTextAndStopsWithinItsBudget(string fileName)
    {
        using var model = Load(fileName);
        const int maxTokens = 48;
        var request = new CompletionRequest(
            "def add(a, b):\n    \"\"\"Return the sum of a and b.\"\"\"\n    return ",
            "\n\n\ndef sub(a, b):\n    \"\"\"Return a minus b.\"\"\"\n    return a - b\n",
            maxTokens);

        var completion = await model.CompleteAsync(request, CancellationToken.None);
        output.WriteLine($"{fileName}: {completion.StopReason} after {completion.GeneratedTokens} tokens: '{completion.RawText}'");

        Assert.NotEmpty(completion.Text.Trim());
        Assert.All(ControlTokenTexts, text => Assert.DoesNotContain(text, completion.RawText, StringComparison.Ordinal));
        // The early tiny checkpoint shipped now (held-out loss ~4.6) never ends a middle by itself when decoding
        // greedily: on ~30 FIM prompts it always ran to the budget. So "stops" here is "at a control token or at the
        // budget (plus the one healing token)"; that a model learned to end a middle is checked on its logits below.
        Assert.True(
            completion.StopReason is StopReason.EndToken or StopReason.Length && completion.GeneratedTokens <= maxTokens + 1,
            $"{completion.StopReason} after {completion.GeneratedTokens} tokens: '{completion.RawText}'");
    }

    [Theory]
    [MemberData(nameof(ShippedModels))]
    public async Task AfterACompleteMiddleEndOfTextIsAmongEveryShippedModelsTopThreeTokens(string fileName)
    {
        using var model = Load(fileName);
        // SPM, as the server prompts: the suffix, then the prefix, which here already ends with the whole middle line.
        var prompt = model.TokenizePrompt(model.Description.Template.Build(
            "class Point:\n    def __init__(self, x, y):\n        self.x = x\n        self.y = y\n",
            "\n    def norm(self):\n        return self.x + self.y\n"));

        var logits = (await model.EvaluateAsync(prompt, CancellationToken.None))[^1];

        var endOfText = (int)(GgufReader.Read(model.Description.Path).GetInteger("tokenizer.ggml.eot_token_id")
            ?? throw new InvalidOperationException("no tokenizer.ggml.eot_token_id"));
        var ranked = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).Take(5).ToList();
        var top = string.Join(", ", ranked.Select(i => $"{i} '{Encoding.UTF8.GetString(model.PieceOf((LLamaToken)i)).Replace("\n", "\\n", StringComparison.Ordinal)}' {logits[i]:F2}"));
        output.WriteLine($"{fileName}: most likely next tokens: {top}");

        // Measured on the shipped tiny model (held-out loss 3.94): '\n' 10.47, <|endoftext|> 10.41 — a near tie,
        // and greedy decoding then goes on to invent a new class. Ending a middle is this model's weak point
        // (see models/README.md); a model that never learned FIM ranks <|endoftext|> far lower than this.
        Assert.True(ranked.Take(3).Contains(endOfText), $"most likely next tokens: {top}");
    }

    [Fact]
    public void TheShippedTinyModelExistsAndIsAtMostTenMegabytes()
    {
        var tiny = new FileInfo(RepositoryPaths.TinyModel);
        Assert.True(tiny.Exists);
        Assert.True(tiny.Length <= 10 * MegaByte, $"{tiny.Name} is {tiny.Length} bytes");
    }

    [Fact]
    public void TheShippedSmallModelIsAtMostAHundredMegabytesAndHasMoreParametersThanTiny()
    {
        Assert.Contains(SmallModelFileName, RepositoryPaths.ShippedModelNames());
        var small = new FileInfo(RepositoryPaths.ShippedModel(SmallModelFileName));
        Assert.True(small.Length <= 100 * MegaByte, $"{small.Name} is {small.Length} bytes");
        using var smallModel = Load(SmallModelFileName);
        using var tinyModel = Load(DefaultModelLocator.DefaultModelFileName);
        Assert.True(
            smallModel.Description.ParameterCount > tinyModel.Description.ParameterCount,
            $"small has {smallModel.Description.ParameterCount} parameters, tiny {tinyModel.Description.ParameterCount}");
    }
}

/// <summary>The shipped models with the context copy model mixed in, as the server runs them by default.</summary>
[Trait(TestCategory.Name, TestCategory.Model)]
public class ShippedModelContextCopyTests(ITestOutputHelper output)
{
    // A name the models cannot know: it is only in this file. The cursor is partway into its second use.
    private const string Prefix =
        "def frobnicate_quuxes(widget_count):\n    return widget_count * 2\n\n\ndef main():\n    total = frobnicate_q";

    [Theory]
    [MemberData(nameof(ShippedModelTests.ShippedModels), MemberType = typeof(ShippedModelTests))]
    public async Task ANameDefinedEarlierInTheFileIsCompletedFromTheContext(string fileName)
    {
        using var model = LocalModel.Load(RepositoryPaths.ShippedModel(fileName), new LocalModelOptions { ContextSize = 512, Threads = 1 }, NullLogger.Instance);
        var request = new CompletionRequest(Prefix, "\n", 8);

        var alone = await model.CompleteAsync(request, CancellationToken.None);
        var copying = await model.CompleteAsync(request with { Copy = ContextCopyOptions.Default }, CancellationToken.None);
        output.WriteLine($"{fileName}: alone '{alone.Text}', with copy '{copying.Text}'");

        Assert.StartsWith("uuxes(widget_count", copying.Text, StringComparison.Ordinal);
        // The model alone does not know the name: what the copy model adds is what makes this completion right.
        Assert.False(alone.Text.StartsWith("uuxes(widget_count", StringComparison.Ordinal), alone.Text);
        Assert.True(copying.MeanLogprob > alone.MeanLogprob, $"{copying.MeanLogprob} vs {alone.MeanLogprob}");
    }
}
