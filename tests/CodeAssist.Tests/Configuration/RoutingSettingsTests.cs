using System.Text.Json;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference.Remote;
using CodeAssist.Server.Models;
using CodeAssist.Server.Prompting;
using CodeAssist.Server.Routing;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Configuration;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class RoutingSettingsTests
{
    private static CodeAssistOptions Parse(string json, out IReadOnlyList<string> problems, CodeAssistOptions? baseline = null) =>
        CodeAssistOptions.Parse(JsonDocument.Parse(json).RootElement, baseline ?? CodeAssistOptions.Default, out problems);

    [Fact]
    public void TheDefaultsHaveNoFallbackAndTheDocumentedRouting()
    {
        var options = CodeAssistOptions.Default;
        Assert.Equal(FallbackKind.None, options.Fallback.Kind);
        Assert.Equal(5000, options.Fallback.TimeoutMs);
        Assert.True(options.Routing.EscalateOnInvoke);
        Assert.True(options.Routing.EscalateOnBlockStart);
        Assert.Equal(0.3, options.Routing.MinConfidence);
        Assert.Equal(1500, options.Routing.DeadlineMs);
        Assert.Equal(3, options.Routing.BreakerFailures);
        Assert.Equal(30000, options.Routing.BreakerCooldownMs);
    }

    [Fact]
    public void EveryFallbackAndRoutingKeyIsRead()
    {
        var options = Parse(
            """
            {"fallback": {"kind": "openai", "model": "qwen2.5-coder-7b", "endpoint": "http://127.0.0.1:8000/v1", "apiKeyEnv": "MY_KEY",
                          "fim": "client", "template": "qwen", "timeoutMs": 2500},
             "routing": {"escalateOnInvoke": false, "escalateOnBlockStart": false, "minConfidence": 0.6, "deadlineMs": 900,
                         "breakerFailures": 4, "breakerCooldownMs": 10000}}
            """,
            out var problems);
        Assert.Empty(problems);
        Assert.Equal(new FallbackOptions
        {
            Kind = FallbackKind.OpenAi,
            Model = "qwen2.5-coder-7b",
            Endpoint = "http://127.0.0.1:8000/v1",
            ApiKeyEnv = "MY_KEY",
            FimMode = RemoteFimMode.Client,
            Template = FimFamily.Qwen,
            TimeoutMs = 2500,
        }, options.Fallback);
        Assert.Equal(new RoutingOptions
        {
            EscalateOnInvoke = false,
            EscalateOnBlockStart = false,
            MinConfidence = 0.6,
            DeadlineMs = 900,
            BreakerFailures = 4,
            BreakerCooldownMs = 10000,
        }, options.Routing);
    }

    [Theory]
    [InlineData("local", FallbackKind.Local)]
    [InlineData("llamacpp", FallbackKind.LlamaCpp)]
    [InlineData("ollama", FallbackKind.Ollama)]
    [InlineData("none", FallbackKind.None)]
    public void EachKindIsRead(string name, FallbackKind kind)
    {
        Assert.Equal(kind, Parse($$$"""{"fallback": {"kind": "{{{name}}}"}}""", out var problems).Fallback.Kind);
        Assert.Empty(problems);
    }

    [Fact]
    public void APartialObjectChangesOnlyItsKeys()
    {
        var first = Parse("""{"fallback": {"kind": "ollama", "endpoint": "http://127.0.0.1:11434", "model": "m"}, "routing": {"deadlineMs": 700}}""", out _);
        var second = Parse("""{"fallback": {"model": "n"}, "routing": {"breakerFailures": 5}}""", out var problems, first);
        Assert.Empty(problems);
        Assert.Equal(FallbackKind.Ollama, second.Fallback.Kind);
        Assert.Equal("http://127.0.0.1:11434", second.Fallback.Endpoint);
        Assert.Equal("n", second.Fallback.Model);
        Assert.Equal(700, second.Routing.DeadlineMs);
        Assert.Equal(5, second.Routing.BreakerFailures);
    }

    [Fact]
    public void BadValuesAreReportedByNameAndLeaveTheBaseline()
    {
        var options = Parse(
            """
            {"fallback": {"kind": "azure", "endpoint": "not a url", "fim": "both", "template": "gpt", "timeoutMs": 5, "apiKeyEnv": 3},
             "routing": {"escalateOnInvoke": "yes", "minConfidence": 2, "deadlineMs": 0, "breakerFailures": 1, "breakerCooldownMs": 10}}
            """,
            out var problems);
        foreach (var name in new[] { "fallback.kind", "fallback.endpoint", "fallback.fim", "fallback.template", "fallback.timeoutMs", "fallback.apiKeyEnv",
                                     "routing.escalateOnInvoke", "routing.minConfidence", "routing.deadlineMs", "routing.breakerFailures", "routing.breakerCooldownMs" })
        {
            Assert.Contains(problems, p => p.StartsWith(name, StringComparison.Ordinal));
        }

        Assert.Equal(11, problems.Count);
        Assert.Equal(CodeAssistOptions.Default.Fallback, options.Fallback);
        Assert.Equal(CodeAssistOptions.Default.Routing, options.Routing);
    }

    [Theory]
    [InlineData(-1.0, 0.36788)]
    [InlineData(0.0, 1.0)]
    [InlineData(-50.0, 0.0)]
    public void TheOldLogprobThresholdIsReadAsTheProbabilityItStandsFor(double logprob, double confidence)
    {
        var options = Parse($$$"""{"routing": {"minMeanLogprob": {{{logprob.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}}}""", out var problems);
        Assert.Empty(problems);
        Assert.Equal(confidence, options.Routing.MinConfidence, 4);
    }

    [Fact]
    public void TheNewThresholdWinsOverTheOldOneAndABadOldOneIsNamed()
    {
        var both = Parse("""{"routing": {"minMeanLogprob": -50, "minConfidence": 0.5}}""", out var problems);
        Assert.Empty(problems);
        Assert.Equal(0.5, both.Routing.MinConfidence);
        Assert.Equal(Math.Log(0.5), both.Routing.MinStartLogprob, 9);
        Assert.Equal(double.NegativeInfinity, (both.Routing with { MinConfidence = RoutingOptions.NeverUnsure }).MinStartLogprob);
        _ = Parse("""{"routing": {"minMeanLogprob": 3}}""", out problems);
        Assert.Contains(problems, p => p.StartsWith("routing.minMeanLogprob (replaced by routing.minConfidence)", StringComparison.Ordinal));
    }

    [Fact]
    public void ObjectsOfTheWrongTypeAreReportedAndNullResetsToDefaults()
    {
        Parse("""{"fallback": 3, "routing": []}""", out var problems);
        Assert.Equal(["fallback must be an object", "routing must be an object"], problems);
        var configured = Parse("""{"fallback": {"kind": "local", "model": "/m.gguf"}}""", out _);
        Assert.Equal(FallbackKind.None, Parse("""{"fallback": null}""", out _, configured).Fallback.Kind);
    }

    [Fact]
    public void TheRemotePipelineTakesTheBreakerFromRoutingAndTheKeyFromTheEnvironment()
    {
        var variable = "CODEASSIST_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "sk-secret");
        try
        {
            var options = Parse(
                $$$"""{"fallback": {"kind": "llamacpp", "endpoint": "http://127.0.0.1:8080", "apiKeyEnv": "{{{variable}}}", "timeoutMs": 800}, "routing": {"breakerFailures": 5, "breakerCooldownMs": 12000}}""",
                out _);
            var remote = FallbackModelProvider.RemoteOptions(options);
            Assert.Equal(RemoteKind.LlamaCpp, remote.Kind);
            Assert.Equal("sk-secret", remote.ApiKey);
            Assert.Equal(800, remote.TimeoutMs);
            Assert.Equal(5, remote.BreakerFailures);
            Assert.Equal(TimeSpan.FromSeconds(12), remote.BreakerDuration);
            Assert.Empty(remote.Validate());
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void TheCodeActionSettingsAreReadAndBadValuesReported()
    {
        var options = Parse("""{"codeActions": {"candidates": 31, "budgetMs": 2500, "temperature": 0.6, "topP": 0.9, "consensus": false}}""", out var problems);
        Assert.Empty(problems);
        Assert.Equal(new CodeActionsOptions { Candidates = 31, BudgetMs = 2500, Temperature = 0.6, TopP = 0.9, Consensus = false }, options.CodeActions);

        var bad = Parse("""{"codeActions": {"candidates": 65, "budgetMs": 0, "temperature": 0, "topP": 1.5, "consensus": "yes"}}""", out problems);
        Assert.Equal(CodeAssistOptions.Default.CodeActions, bad.CodeActions);
        Assert.Equal(5, problems.Count);
        Assert.Contains("codeActions.candidates must be an integer from 0 to 64", problems);
        Assert.Contains("codeActions.temperature must be a number from 0.05 to 2", problems);
        Assert.Contains(problems, p => p.StartsWith("codeActions.consensus", StringComparison.Ordinal));
        Parse("""{"codeActions": 3}""", out problems);
        Assert.Equal(["codeActions must be an object"], problems);
    }
}
