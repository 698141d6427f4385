using System.Text.Json;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Gguf;
using CodeAssist.Server.Models;
using CodeAssist.Server.Protocol;
using CodeAssist.Tests.Gguf;
using CodeAssist.Tests.Lsp;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CodeAssist.Tests.Models;

/// <summary>
/// The model check tells a user, in words, what a model file can do before they wonder why completion does nothing:
/// whether it fills in the middle and in which family's format, whether it is a chat model, and what it answered to a
/// one-line self-test run in the child process that checks the file; the answer reaches codeAssist/status.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Model)]
public sealed class ModelPreflightTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("codeassist-preflight-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(TestModelOptions options, Action<GgufWriter>? edit = null, string? fileName = null)
    {
        var writer = TestModel.Get(options).CreateWriter();
        edit?.Invoke(writer);
        var path = Path.Combine(_folder, (fileName ?? options.Name) + ".gguf");
        writer.WriteToFile(path);
        return path;
    }

    private static GgufFileInfo Header(string path) => GgufReader.Read(path, GgufTokenInventory.VocabularyArrays);

    private ModelProbe Probe() =>
        new(ShippedModels.Shipped(NullLogger<ShippedModels>.Instance), NullLogger<ModelProbe>.Instance, verdictFile: Path.Combine(_folder, "model-checks.tsv"));

    [Fact]
    public void AModelWithoutFimTokensIsToldItCannotFillInTheMiddle()
    {
        var check = ModelPreflight.Assess(Header(Write(new TestModelOptions { Fim = null, Name = "plain-model" })), null);
        Assert.False(check.Fim);
        Assert.True(check.Warn);
        Assert.Contains("cannot fill in the middle: completions use the text before the cursor only", check.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void FimMarkersTypedAsNormalTokensCountAsTheLoadedModelCountsThem()
    {
        // A file that types its FIM tokens as normal and names no FIM ids: llama.cpp finds them by their text and makes
        // them control tokens when it loads the file; the header alone (listModels, codeassist models) must agree.
        var model = TestModel.Get(new TestModelOptions { Fim = FimTokenSet.CodeLlama, Name = "codellama-7b-code-test", WriteFimTokenIds = false });
        var types = model.TokenTypes.ToArray();
        foreach (var id in new[] { model.FimPrefixId!.Value, model.FimSuffixId!.Value, model.FimMiddleId!.Value })
        {
            types[id] = TestModel.NormalTokenType;
        }

        var path = Write(model.Options, writer => writer.Set("tokenizer.ggml.token_type", types), "normal-typed-fim");
        var header = ModelPreflight.Assess(Header(path), null);
        Assert.True(header.Fim);
        Assert.Equal("CodeLlama", header.Family);

        using var loaded = LocalModel.Load(path, new LocalModelOptions { ContextSize = 128, Threads = 1 }, NullLogger.Instance);
        Assert.Equal(Server.Prompting.FimFamily.CodeLlama, loaded.Description.Template.Family);
    }

    [Fact]
    public void AQwenStyleBaseModelFillsInTheMiddleInItsFamilysFormat()
    {
        var check = ModelPreflight.Assess(Header(Write(new TestModelOptions { Fim = FimTokenSet.Qwen, Name = "Qwen2.5 Coder 1.5B" })), null);
        Assert.True(check.Fim);
        Assert.Equal("Qwen2.5-Coder", check.Family);
        Assert.False(check.Warn);
        Assert.StartsWith("fills in the middle (Qwen2.5-Coder format)", check.Summary, StringComparison.Ordinal);

        // Neither the name nor a self-test says base or chat: uncertain is the honest answer.
        Assert.Equal(ModelKind.Uncertain, check.Kind);
        Assert.Contains("uncertain", check.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("general.finetune", "Instruct")]
    [InlineData("general.name", "CodeGemma 7b it")]
    [InlineData("general.name", "Qwen2.5-Coder-1.5B-Instruct")]
    [InlineData("general.basename", "deepseek-coder-chat")]
    public void AChatModelIsToldFromItsMetadataAndSentToTheFallbackTier(string key, string value)
    {
        var path = Write(new TestModelOptions { Fim = FimTokenSet.Qwen, Name = "preflight-model" }, writer => writer.Set(key, value), "model-" + key.Replace('.', '-'));
        var check = ModelPreflight.Assess(Header(path), null);
        Assert.Equal(ModelKind.Instruct, check.Kind);
        Assert.True(check.Warn);
        Assert.Contains("this is a chat (instruct) model", check.Summary, StringComparison.Ordinal);
        Assert.Contains("use it as the fallback for code actions, not for ghost text", check.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void AChatTemplateAloneDoesNotMakeAChatModel()
    {
        var path = Write(
            new TestModelOptions { Fim = FimTokenSet.Qwen, Name = "Qwen2.5 Coder 0.5B" },
            writer => writer.Set("tokenizer.chat_template", "{% for message in messages %}<|im_start|>{{ message.content }}<|im_end|>{% endfor %}"),
            "templated");
        Assert.NotEqual(ModelKind.Instruct, ModelPreflight.Assess(Header(path), null).Kind);
        var answered = ModelPreflight.Assess(Header(path), new SelfTestResult("a + b", null, false));
        Assert.Equal(ModelKind.Base, answered.Kind);
        Assert.False(answered.Warn);
        Assert.Contains("self-test answered \"a + b\"", answered.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("```python", null, false, "chat (instruct)")]
    [InlineData("Here is the function:", null, false, "chat (instruct)")]
    [InlineData("", "<|im_start|>", false, "control token <|im_start|>")]
    [InlineData("", null, true, "ended at once without an answer")]
    public void ASelfTestThatDoesNotAnswerCodeWarns(string answer, string? control, bool endedAtOnce, string expected)
    {
        var header = Header(Write(new TestModelOptions { Fim = FimTokenSet.Qwen, Name = "Qwen2.5 Coder 0.5B" }, fileName: "selftest"));
        var check = ModelPreflight.Assess(header, new SelfTestResult(answer, control, endedAtOnce));
        Assert.True(check.Warn);
        Assert.Contains(expected, check.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void TheShippedModelsAreBaseModelsThatFillInTheMiddleInTheirOwnFormat()
    {
        foreach (var path in new[] { RepositoryPaths.TinyModel, RepositoryPaths.ShippedModel("codeassist-py-small.gguf") })
        {
            var check = ModelPreflight.Assess(Header(path), null);
            Assert.Equal("CodeAssist", check.Family);
            Assert.Equal(ModelKind.Base, check.Kind);
            Assert.False(check.Warn);
            Assert.Equal("fills in the middle (CodeAssist format)", check.Summary);
        }
    }

    [Fact]
    public void TheSelfTestAnswerTravelsAsOneLineOfJson()
    {
        var result = new SelfTestResult("a\t+ \"b\"", "<|im_start|>", true, "x\ny");
        var json = result.ToJson();
        Assert.DoesNotContain('\n', json);
        Assert.DoesNotContain('\t', json);
        Assert.Equal(result, SelfTestResult.FromJson(json));
        Assert.Null(SelfTestResult.FromJson("llama_model_loader: not json"));
        Assert.Null(SelfTestResult.FromJson("{broken"));
    }

    [Fact]
    public void TheChildProcessRunsTheSelfTestOnTheRealModelAndTheAnswerIsRemembered()
    {
        // A copy of the shipped tiny model is not trusted by its hash, so it is checked in a child, which runs the self-test.
        var path = Path.Combine(_folder, "tiny-copy.gguf");
        File.Copy(RepositoryPaths.TinyModel, path);
        var probe = Probe();
        var result = probe.EnsureSafe(path);
        Assert.Equal(1, probe.ChildrenStarted);
        Assert.NotNull(result);
        Assert.Null(result.Error);
        Assert.Null(result.FirstControlToken);
        Assert.False(result.EndedAtOnce);
        Assert.NotEmpty(result.Answer.Trim());

        // A new server reads it back from the verdict file without a child; `codeassist models` reads it the same way.
        var next = Probe();
        Assert.Equal(result, next.EnsureSafe(path));
        Assert.Equal(result, next.RememberedSelfTest(path));
        Assert.Equal(0, next.ChildrenStarted);
        Assert.Contains($"self-test answered \"{result.Answer.Trim()}\"", ModelPreflight.Assess(Header(path), result).Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatPassedBeforeTheSelfTestExistedIsCheckedOnceMore()
    {
        var path = Path.Combine(_folder, "old-verdict.gguf");
        File.Copy(TestModel.Get().Path, path);
        Assert.NotNull(Probe().EnsureSafe(path));

        // The verdict line as an older server wrote it: "ok", an empty column, the key.
        var verdicts = Path.Combine(_folder, "model-checks.tsv");
        File.WriteAllLines(verdicts, File.ReadAllLines(verdicts).Select(line => line.Split('\t', 3) is [var ok, _, var key] ? $"{ok}\t\t{key}" : line));
        var probe = Probe();
        Assert.Null(probe.RememberedSelfTest(path));
        Assert.NotNull(probe.EnsureSafe(path));
        Assert.Equal(1, probe.ChildrenStarted);
        Assert.NotNull(Probe().RememberedSelfTest(path));
    }

    [Fact]
    public async Task StatusCarriesTheModelCheckAndWarnsWhenTheLocalModelIsAChatModel()
    {
        var chat = Write(new TestModelOptions { Fim = FimTokenSet.Qwen, Name = "qwen-chat-test" }, writer => writer.Set("general.finetune", "Instruct"), "qwen-chat-test");
        await using var client = LspTestClient.Start(services => services.AddSingleton(Probe()));
        await client.InitializeAsync(new Dictionary<string, object?> { ["model"] = RepositoryPaths.TinyModel, ["threads"] = 1, ["debounceMs"] = 0 });
        var ready = Local(await client.WaitForNotificationAsync(CodeAssistMethods.Status, s => Local(s).GetProperty("state").GetString() == "ready", TimeSpan.FromSeconds(60)));
        Assert.Equal("fills in the middle (CodeAssist format)", ready.GetProperty("check").GetString());
        Assert.False(ready.GetProperty("checkWarning").GetBoolean());

        var selected = await client.ExecuteCommandAsync("codeAssist.selectModel", new { tier = "local", id = chat });
        Assert.True(selected.TryGetProperty("result", out _), selected.GetRawText());
        var status = Local(await client.WaitForNotificationAsync(
            CodeAssistMethods.Status,
            s => Local(s).GetProperty("state").GetString() == "ready" && Local(s).GetProperty("model").GetString() == "qwen-chat-test",
            TimeSpan.FromSeconds(60)));
        Assert.True(status.GetProperty("checkWarning").GetBoolean());
        var check = status.GetProperty("check").GetString()!;
        Assert.Contains("this is a chat (instruct) model (its fine-tune tag says \"Instruct\")", check, StringComparison.Ordinal);

        // The child process ran the self-test on it (random weights: whatever it answered is reported, never silently).
        Assert.Contains("self-test", check, StringComparison.Ordinal);
    }

    private static JsonElement Local(JsonElement status) =>
        status.GetProperty("params").GetProperty("tiers").EnumerateArray().Single(t => t.GetProperty("tier").GetString() == "local");
}
