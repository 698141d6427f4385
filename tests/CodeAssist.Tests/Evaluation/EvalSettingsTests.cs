using CodeAssist.Server.Configuration;
using CodeAssist.Tests.Testing;
using CodeAssist.Tools.Cli;

namespace CodeAssist.Tests.Evaluation;

/// <summary>How <c>codeassist eval</c> builds the settings the router and <c>remote</c> run with: the settings file, then the flags.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class EvalSettingsTests
{
    private static EvalCommand.EvalArguments Arguments(
        string? settings = null, string? kind = null, string? endpoint = null, string? model = null, string? keyEnv = null, int? candidates = null) =>
        new("folder", "codeassist-py-tiny", Router: true, settings, kind, endpoint, model, keyEnv, 10, 1, "line", null, null, 1, 0, 0, candidates, null, PauseTrainer: false);

    [Fact]
    public void FlagsOverrideTheSettingsFileWhichOverridesTheDefaults()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("codeassist-eval-settings-").FullName, "settings.json");
        File.WriteAllText(file, """
            // Comments are allowed, as in VS Code's settings.
            {"codeAssist": {
              "model": "/models/small.gguf",
              "fallback": {"kind": "openai", "endpoint": "http://127.0.0.1:8000/v1", "model": "coder", "apiKeyEnv": "MY_KEY"},
              "routing": {"minConfidence": 0.08, "deadlineMs": 900},
            }}
            """);

        var fromFile = EvalCommand.BuildSettings(Arguments(settings: file), out var error, out _);
        Assert.Null(error);
        Assert.NotNull(fromFile);
        Assert.Equal("/models/small.gguf", fromFile.Model);
        Assert.Equal(new FallbackOptions { Kind = FallbackKind.OpenAi, Endpoint = "http://127.0.0.1:8000/v1", Model = "coder", ApiKeyEnv = "MY_KEY" }, fromFile.Fallback);
        Assert.Equal(0.08, fromFile.Routing.MinConfidence);
        Assert.Equal(900, fromFile.Routing.DeadlineMs);

        var overridden = EvalCommand.BuildSettings(Arguments(settings: file, kind: "ollama", endpoint: "http://127.0.0.1:11434", model: "qwen2.5-coder:1.5b-base", candidates: 3), out _, out _);
        Assert.NotNull(overridden);
        Assert.Equal(FallbackKind.Ollama, overridden.Fallback.Kind);
        Assert.Equal("http://127.0.0.1:11434", overridden.Fallback.Endpoint);
        Assert.Equal("qwen2.5-coder:1.5b-base", overridden.Fallback.Model);
        Assert.Equal("MY_KEY", overridden.Fallback.ApiKeyEnv);
        Assert.Equal(3, overridden.Candidates);
        Assert.Equal(900, overridden.Routing.DeadlineMs);
    }

    [Fact]
    public void AFallbackModelAloneIsTheLargerLocalTier()
    {
        var options = EvalCommand.BuildSettings(Arguments(model: "/models/larger.gguf"), out _, out _);
        Assert.NotNull(options);
        Assert.Equal(FallbackKind.Local, options.Fallback.Kind);
        Assert.Equal("/models/larger.gguf", options.Fallback.Model);
    }

    [Theory]
    [InlineData(null, "http://127.0.0.1:1", "needs --fallback-kind")]
    [InlineData("pigeon", null, "unknown --fallback-kind")]
    [InlineData("openai", "not a url", "absolute")]
    public void BadFallbackFlagsAreUsageErrors(string? kind, string? endpoint, string message)
    {
        Assert.Null(EvalCommand.BuildSettings(Arguments(kind: kind, endpoint: endpoint), out var error, out var usage));
        Assert.True(usage);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void SettingsGivenInlineAsJsonAreReadLikeAFile()
    {
        var settings = EvalCommand.BuildSettings(Arguments(settings: " {\"codeActions\": {\"budgetMs\": 60000}, \"maxTokens\": 9}"), out var error, out _);
        Assert.Null(error);
        Assert.Equal(60000, settings!.CodeActions.BudgetMs);
        Assert.Equal(9, settings.MaxTokens);

        Assert.Null(EvalCommand.BuildSettings(Arguments(settings: "{\"codeActions\": "), out error, out var usage));
        Assert.False(usage);
        Assert.Contains("cannot read settings", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnreadableSettingsFileIsAFailureWithTheReason()
    {
        Assert.Null(EvalCommand.BuildSettings(Arguments(settings: "/nonexistent/settings.json"), out var error, out var usage));
        Assert.False(usage);
        Assert.Contains("cannot read settings", error, StringComparison.Ordinal);
    }
}
