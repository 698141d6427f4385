using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference.Remote;
using CodeAssist.Tests.Gguf;
using CodeAssist.Tests.Remote;
using CodeAssist.Tests.Testing;
using CodeAssist.Tools.Evaluation;
using Microsoft.Extensions.Logging.Abstractions;

namespace CodeAssist.Tests.Evaluation;

/// <summary>Contestants of every kind through the real pipeline: a local GGUF, baselines, remote endpoints up and down, and the router.</summary>
[Trait(TestCategory.Name, TestCategory.Model)]
public sealed class EvalRunnerTests : IAsyncLifetime
{
    private static readonly EvalKind[] AllKinds = [EvalKind.Line, EvalKind.Fim, EvalKind.Block];
    private static readonly string Model = TestModel.Get(new TestModelOptions { OutputScale = 4f, Seed = 77 }).Path;

    private FakeModelServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeModelServer.StartOpenAiCompletingAsync("value = 42");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static EvalRunner Runner(CodeAssistOptions? settings = null, List<EvalProgress>? progress = null) =>
        new(NullLoggerFactory.Instance, threads: 1, lossFiles: 2, lossTokensPerFile: 200)
        {
            Settings = settings ?? CodeAssistOptions.Default,
            Progress = progress is null ? null : progress.Add,
        };

    private string FakeEndpoint => _server.EndpointFor(RemoteKind.OpenAi).AbsoluteUri.TrimEnd('/');

    [Fact]
    public async Task AModelAndTheBaselinesRunOnEveryKindAndMissingModelsAreReported()
    {
        var folder = EvalFolders.Write();
        var corpus = EvalSampler.Sample(folder, AllKinds, 4, seed: 1);
        var progress = new List<EvalProgress>();
        var report = await Runner(progress: progress).RunAsync(folder, corpus, 1, [Model, EvalRunner.RepeatLine, "/nonexistent.gguf"], CancellationToken.None);

        Assert.Equal(3, report.Contestants.Count);
        var model = report.Contestants[0];
        Assert.Equal(ContestantStatus.Ok, model.Status);
        Assert.Equal(ContestantKind.Model, model.Kind);
        Assert.Equal(Path.GetFileNameWithoutExtension(Model), model.Name);
        Assert.Equal("codeassist-tiny-test", model.Model);
        Assert.Equal(AllKinds, model.Kinds.Select(k => k.Kind));
        Assert.All(model.Kinds, k => Assert.Equal(4, k.Samples));
        Assert.All(model.Kinds, k => Assert.True(k.LatencyP50Ms > 0 && k.LatencyP95Ms >= k.LatencyP50Ms));
        Assert.All(model.Kinds, k => Assert.Null(k.EscalationShare));
        Assert.True(model.LossPerToken > 0);
        Assert.True(model.TokensPerSecond > 0);
        Assert.True(model.Parameters > 0);

        // The code repeats itself line to line, so repeating the previous line scores well on line points.
        var repeat = report.Contestants[1];
        Assert.Equal(ContestantKind.Baseline, repeat.Kind);
        Assert.True(repeat.Kinds[0].EditSimilarity > 0.5, string.Join(", ", repeat.Kinds.Select(k => k.EditSimilarity)));

        var missing = report.Contestants[2];
        Assert.Equal(ContestantStatus.NotFound, missing.Status);
        Assert.Contains("not found", missing.Error, StringComparison.Ordinal);
        Assert.Empty(missing.Kinds);

        // Progress: each contestant from 0 to all points.
        Assert.Equal(new EvalProgress("nonexistent", corpus.Samples.Count, corpus.Samples.Count), progress[^1]);
        Assert.Contains(new EvalProgress(model.Name, 5, corpus.Samples.Count), progress);
    }

    [Fact]
    public async Task AnUnreachableRemoteIsReportedAndTheOthersStillRun()
    {
        var folder = EvalFolders.Write();
        var corpus = EvalSampler.Sample(folder, AllKinds, 3, seed: 2);
        var closed = $"openai:http://127.0.0.1:{FakeModelServer.FreePort()}/v1#coder";
        var report = await Runner().RunAsync(folder, corpus, 2, [closed, $"openai:{FakeEndpoint}#coder", EvalRunner.RepeatLine], CancellationToken.None);

        var down = report.Contestants[0];
        Assert.Equal(ContestantStatus.Unreachable, down.Status);
        Assert.Equal(ContestantKind.Remote, down.Kind);
        Assert.Contains("connection failed", down.Error, StringComparison.Ordinal);
        Assert.Empty(down.Kinds);

        var up = report.Contestants[1];
        Assert.Equal(ContestantStatus.Ok, up.Status);
        Assert.Equal(AllKinds, up.Kinds.Select(k => k.Kind));
        Assert.Null(up.Parameters);
        Assert.NotNull(up.Failures);

        // Its one answer ("value = 42") is not Python at some points; there the checks reject it and nothing is shown.
        Assert.DoesNotContain(up.Failures, f => f.Key != "rejected");
        Assert.Equal(corpus.Samples.Count, _server.Requests.Count(r => r.Path == "/v1/completions"));
        Assert.All(_server.Requests, r => Assert.Equal("coder", r.Json.GetProperty("model").GetString()));

        Assert.Equal(ContestantStatus.Ok, report.Contestants[2].Status);
    }

    [Fact]
    public async Task TheRouterEscalatesToTheFallbackAndReportsItsShare()
    {
        var folder = EvalFolders.Write();
        var corpus = EvalSampler.Sample(folder, AllKinds, 3, seed: 4);
        var settings = CodeAssistOptions.Default with
        {
            Model = Model,
            Fallback = new FallbackOptions { Kind = FallbackKind.OpenAi, Endpoint = FakeEndpoint, Model = "coder", TimeoutMs = 20000 },

            // Every local answer is unsure (a mean log-probability below 0), so every request escalates.
            Routing = new RoutingOptions { MinConfidence = 1, DeadlineMs = 15000 },
        };
        var report = await Runner(settings).RunAsync(folder, corpus, 4, [EvalRunner.Router, "remote"], CancellationToken.None);

        var router = report.Contestants[0];
        Assert.Equal(ContestantStatus.Ok, router.Status);
        Assert.Equal(ContestantKind.Router, router.Kind);
        Assert.All(router.Kinds, k => Assert.Equal(1.0, k.EscalationShare));
        Assert.All(router.Kinds, k => Assert.True(k.FallbackShare > 0, $"{k.Kind}: {k.FallbackShare}"));
        var routing = Assert.IsType<RoutingSummary>(router.Routing);
        Assert.Equal(corpus.Samples.Count, routing.Requests);
        Assert.Equal(corpus.Samples.Count, routing.Escalated);
        Assert.Equal(1.0, routing.EscalationShare);
        Assert.Equal(corpus.Samples.Count, routing.Reasons.Values.Sum());
        Assert.True(routing.FallbackUsed > 0);
        Assert.Equal("codeassist-tiny-test", routing.Local);
        Assert.Contains("openai coder at http://127.0.0.1:", routing.Fallback, StringComparison.Ordinal);

        // "remote" is the configured fallback on its own.
        var remote = report.Contestants[1];
        Assert.Equal(ContestantStatus.Ok, remote.Status);
        Assert.Equal(ContestantKind.Remote, remote.Kind);
        Assert.Equal(AllKinds, remote.Kinds.Select(k => k.Kind));
    }

    [Fact]
    public async Task TheRouterAndRemoteNeedAFallbackAndSaySo()
    {
        var folder = EvalFolders.Write();
        var corpus = EvalSampler.Sample(folder, [EvalKind.Line], 2, seed: 1);
        var report = await Runner(CodeAssistOptions.Default with { Model = Model }).RunAsync(
            folder, corpus, 1, [EvalRunner.Router, "remote", "openai:http://127.0.0.1:1/v1"], CancellationToken.None);

        Assert.All(report.Contestants, c => Assert.Equal(ContestantStatus.Failed, c.Status));
        Assert.Contains("needs a fallback tier", report.Contestants[0].Error, StringComparison.Ordinal);
        Assert.Contains("no remote fallback is configured", report.Contestants[1].Error, StringComparison.Ordinal);
        Assert.Contains("a model name is required", report.Contestants[2].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoCopyRunsTheModelAloneAndTheCopyMixtureHasTheLowerLossOnCodeThatRepeatsItself()
    {
        var folder = EvalFolders.Write();
        var corpus = EvalSampler.Sample(folder, [EvalKind.Line], 4, seed: 1);
        // A model that knows nothing (random weights): what the file repeats is all the copy model has to add, so the
        // mixture's loss must be far lower. (A trained model may not gain on loss: tiny v2's own predictions are sharp
        // enough that the mixture, tuned for v1, costs it loss while it still raises what is shown; models/README.md.)
        var model = TestModel.Get(new TestModelOptions()).Path;
        var report = await Runner().RunAsync(folder, corpus, 1, [model, ContestantSpec.NoCopyPrefix + model], CancellationToken.None);

        var (copying, alone) = (report.Contestants[0], report.Contestants[1]);
        Assert.StartsWith("nocopy:", alone.Name, StringComparison.Ordinal);
        Assert.All(report.Contestants, c => Assert.Equal(ContestantStatus.Ok, c.Status));
        Assert.Equal(copying.LossTokens, alone.LossTokens);
        Assert.True(copying.LossPerToken < alone.LossPerToken - 0.2, $"with copy {copying.LossPerToken}, alone {alone.LossPerToken}");
    }

    [Theory]
    [InlineData("nocopy:codeassist-py-tiny", ContestantKind.Model, null, null)]
    [InlineData("baseline:repeat-line", ContestantKind.Baseline, null, null)]
    [InlineData("baseline:copy", ContestantKind.Baseline, null, null)]
    [InlineData("router", ContestantKind.Router, null, null)]
    [InlineData("openai:http://127.0.0.1:8000/v1#Qwen/Qwen2.5-Coder-7B", ContestantKind.Remote, "http://127.0.0.1:8000/v1", "Qwen/Qwen2.5-Coder-7B")]
    [InlineData("llamacpp:http://127.0.0.1:8080", ContestantKind.Remote, "http://127.0.0.1:8080", null)]
    [InlineData("ollama:http://127.0.0.1:11434#qwen2.5-coder:1.5b-base", ContestantKind.Remote, "http://127.0.0.1:11434", "qwen2.5-coder:1.5b-base")]
    [InlineData("models/x.gguf", ContestantKind.Model, null, null)]
    [InlineData("codeassist-py-tiny", ContestantKind.Model, null, null)]
    public void ContestantEntriesParse(string entry, ContestantKind kind, string? endpoint, string? model)
    {
        var spec = ContestantSpec.Parse(entry, new FallbackOptions());
        Assert.Equal(kind, spec.Kind);
        Assert.Equal(entry, spec.Name);
        Assert.Equal(endpoint, spec.Remote?.Endpoint);
        Assert.Equal(model, spec.Remote?.Model);
        Assert.Equal(entry.StartsWith("nocopy:", StringComparison.Ordinal), spec.ModelAlone);
        Assert.Equal(spec.ModelAlone ? entry["nocopy:".Length..] : entry, spec.Target);
    }
}
