using System.Diagnostics;
using System.Globalization;
using CodeAssist.Server;
using CodeAssist.Server.CodeActions;
using CodeAssist.Server.Completion;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Context;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Remote;
using CodeAssist.Server.Models;
using CodeAssist.Server.Python;
using CodeAssist.Server.Routing;
using LLama.Native;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Tools.Evaluation;

/// <summary>
/// Runs contestants over sampled completion points through the editor's own pipeline (<see cref="CompletionService"/>:
/// prompt budget, FIM template, token healing, routing, post-processing; cache off), and measures per-token loss and
/// speed of local models. Contestants: local GGUFs and catalog ids, remote endpoints (answering alone, through the
/// router's fallback-only path), the router itself (local model escalating to the configured fallback), and two
/// baselines: <c>baseline:repeat-line</c> (the previous line again) and <c>baseline:unigram</c> (token frequencies of the
/// training corpus, from <c>models/codeassist-unigram.tsv</c>). A contestant that cannot run is reported with the reason;
/// the others still run.
/// </summary>
public sealed partial class EvalRunner(ILoggerFactory loggerFactory, int threads, int lossFiles, int lossTokensPerFile, Action<string>? log = null)
{
    /// <summary>Most tokens for a line or FIM point (one line).</summary>
    public const int LineMaxTokens = 48;

    /// <summary>Most tokens for a block point (several lines, up to the settings' maxLines).</summary>
    public const int BlockMaxTokens = 128;

    /// <summary>The repeat-the-previous-line baseline.</summary>
    public const string RepeatLine = ContestantSpec.RepeatLine;

    /// <summary>The unigram baseline.</summary>
    public const string Unigram = ContestantSpec.Unigram;

    /// <summary>The copy model alone: the context copy model over a random-weight model of the shipped tiny model's shape.</summary>
    public const string CopyOnly = ContestantSpec.CopyOnly;

    /// <summary>The router contestant.</summary>
    public const string Router = ContestantSpec.Router;

    /// <summary>
    /// The settings every model runs with, as the editor would have them: <c>fimOrder</c>, <c>candidates</c>,
    /// <c>contextSize</c>, <c>maxLines</c>, and for the router and <c>remote</c> its <c>model</c>, <c>fallback</c> and <c>routing</c>.
    /// Threads, debounce, multi-line mode and token budget are set by the evaluation.
    /// </summary>
    public CodeAssistOptions Settings { get; init; } = CodeAssistOptions.Default;

    /// <summary>How many completions per model to print through the log callback.</summary>
    public int ShowExamples { get; init; }

    /// <summary>Every point (not only crossfile ones) is completed as the open document of a workspace that is the evaluated folder.</summary>
    public bool InWorkspace { get; init; }

    /// <summary>Receives every completion point's outcome as a JSON line (<see cref="EvalPointRecord"/>); null: none.</summary>
    public TextWriter? Points { get; init; }

    /// <summary>Called when a contestant starts and after every point.</summary>
    public Action<EvalProgress>? Progress { get; init; }

    /// <summary>Evaluates every contestant on the same points.</summary>
    public async Task<EvalReport> RunAsync(string folder, EvalCorpus corpus, int seed, IReadOnlyList<string> contestants, CancellationToken cancellationToken)
    {
        var results = new List<ContestantResult>();
        var lossFileList = corpus.Samples.Select(s => s.File).Distinct(StringComparer.Ordinal).Take(lossFiles).ToList();
        LocalModel? tokenizerModel = null;
        try
        {
            foreach (var entry in contestants)
            {
                var spec = ContestantSpec.Parse(entry, Settings.Fallback);
                var name = DisplayName(spec);
                if (Progress is null)
                {
                    log?.Invoke($"evaluating {name}");
                }

                Progress?.Invoke(new EvalProgress(name, 0, corpus.Samples.Count));
                try
                {
                    if (spec.Name == RepeatLine)
                    {
                        results.Add(RunRepeatLine(corpus));
                    }
                    else if (spec.Name == CopyOnly)
                    {
                        results.Add(await RunCopyOnlyAsync(folder, corpus, lossFileList, cancellationToken).ConfigureAwait(false));
                    }
                    else if (spec.Name == Unigram)
                    {
                        tokenizerModel ??= LoadTokenizerModel();
                        results.Add(RunUnigram(folder, corpus, lossFileList, tokenizerModel));
                    }
                    else
                    {
                        results.Add(await RunPipelineAsync(spec, name, folder, corpus, lossFileList, cancellationToken).ConfigureAwait(false));
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // One contestant's failure is reported; the others still run.
                    results.Add(ContestantResult.NotRun(name, spec.Kind, ContestantStatus.Failed, ex.Message));
                }

                Progress?.Invoke(new EvalProgress(name, corpus.Samples.Count, corpus.Samples.Count));
            }
        }
        finally
        {
            tokenizerModel?.Dispose();
        }

        return new EvalReport(folder, seed, corpus, results);
    }

    /// <summary>The settings one point runs with: one line for line and FIM points, several for blocks.</summary>
    public static CodeAssistOptions ForKind(CodeAssistOptions options, EvalKind kind) => kind == EvalKind.Block
        ? options with { Multiline = MultilineMode.Always, MaxTokens = BlockMaxTokens }
        : options with { Multiline = MultilineMode.Never, MaxTokens = LineMaxTokens };

    private static string DisplayName(ContestantSpec spec) =>
        spec.Kind == ContestantKind.Model && (spec.Target.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) || spec.Target.Contains('/', StringComparison.Ordinal) || spec.Target.Contains('\\', StringComparison.Ordinal))
            ? spec.Prefix + Path.GetFileNameWithoutExtension(spec.Target)
            : spec.Name;

    private async Task<ContestantResult> RunPipelineAsync(ContestantSpec spec, string name, string folder, EvalCorpus corpus, IReadOnlyList<string> lossFileList, CancellationToken cancellationToken)
    {
        var options = Settings with { Threads = threads, DebounceMs = 0, Enable = true };
        string? path;
        switch (spec.Kind)
        {
            case ContestantKind.Model:
                path = ContestantSpec.ResolveModel(spec.Target, out var status, out var error);
                if (path is null)
                {
                    return ContestantResult.NotRun(name, spec.Kind, status, error!);
                }

                options = options with
                {
                    Model = path,
                    Fallback = new FallbackOptions(),
                    ContextCopy = spec.ModelAlone ? false : options.ContextCopy,
                    Candidates = spec.Candidates ?? (spec.Unchecked ? 1 : options.Candidates),
                    Routing = spec.Unchecked ? options.Routing with { MinConfidence = RoutingOptions.NeverUnsure } : options.Routing,
                    Context = options.Context with { Workspace = !spec.NoWorkspace },
                };
                break;
            case ContestantKind.Remote:
                if (spec.Remote is null)
                {
                    return ContestantResult.NotRun(name, spec.Kind, ContestantStatus.Failed, "no remote fallback is configured: give --fallback-kind, --fallback-endpoint and --fallback-model, or a remote fallback in --settings");
                }

                options = options with { Fallback = spec.Remote };
                path = RemoteModelOptions.Display(Uri.TryCreate(spec.Remote.Endpoint, UriKind.Absolute, out var endpoint) ? endpoint : null);
                if (FallbackModelProvider.RemoteOptions(options).Validate() is { Count: > 0 } remoteProblems)
                {
                    return ContestantResult.NotRun(name, spec.Kind, ContestantStatus.Failed, string.Join("; ", remoteProblems), path);
                }

                break;
            default:
                if (options.Fallback.Kind == FallbackKind.None)
                {
                    return ContestantResult.NotRun(name, spec.Kind, ContestantStatus.Failed, "the router needs a fallback tier: give --fallback-model (a GGUF, or a remote model with --fallback-kind and --fallback-endpoint), or a fallback in --settings");
                }

                if (options.Fallback.IsRemote && FallbackModelProvider.RemoteOptions(options).Validate() is { Count: > 0 } fallbackProblems)
                {
                    return ContestantResult.NotRun(name, spec.Kind, ContestantStatus.Failed, "fallback: " + string.Join("; ", fallbackProblems));
                }

                if (options.Fallback.Kind == FallbackKind.Local && (options.Fallback.Model is null || !File.Exists(CodeAssistOptions.ExpandHome(options.Fallback.Model))))
                {
                    return ContestantResult.NotRun(name, spec.Kind, ContestantStatus.NotFound, $"fallback model not found: {options.Fallback.Model ?? "(none given)"}");
                }

                path = options.Model is null ? DefaultModelLocator.Resolve(null) : ContestantSpec.ResolveModel(options.Model, out _, out _);
                if (path is null)
                {
                    return ContestantResult.NotRun(name, spec.Kind, ContestantStatus.NotFound, $"the router's local model was not found: {options.Model ?? DefaultModelLocator.DefaultModelFileName}");
                }

                options = options with { Model = path };
                break;
        }

        using var provider = new ServiceCollection()
            .AddSingleton(loggerFactory)
            .AddLogging()
            .AddCodeAssistCore()
            .BuildServiceProvider();
        var settings = provider.GetRequiredService<SettingsStore>();
        // The model's branch cells are sized by the settings' maxTokens; points of every kind must fit.
        settings.Replace(options with { MaxTokens = Math.Max(options.MaxTokens, BlockMaxTokens) });
        var manager = provider.GetRequiredService<ModelManager>();
        var localTier = spec.Kind != ContestantKind.Remote;
        LocalModel? model = null;
        if (localTier)
        {
            model = await manager.GetModelAsync(cancellationToken).ConfigureAwait(false);
            if (model is null)
            {
                return ContestantResult.NotRun(name, spec.Kind, ContestantStatus.Failed, manager.LastError ?? "the model could not be loaded", path);
            }
        }

        var pipeline = provider.GetRequiredService<EvaluationPipeline>();
        if (corpus.Kinds.Contains(EvalKind.CrossFile) || InWorkspace)
        {
            // The evaluated folder is the workspace of crossfile points.
            var workspaceFiles = provider.GetRequiredService<WorkspaceFiles>();
            workspaceFiles.SetFolders([folder]);
            await workspaceFiles.Listing.ConfigureAwait(false);
            if (model is not null && options.Context is { Workspace: true, IndexTokens: > 0 } context)
            {
                // The index a user's server builds in the background while they open the project.
                var index = await model.IndexAsync(provider.GetRequiredService<WorkspaceContext>().Corpus(context)).ConfigureAwait(false);
                log?.Invoke($"  workspace index: {index?.FileCount ?? 0} files, {index?.TokenCount ?? 0:N0} tokens, {(index?.Bytes ?? 0) / 1048576.0:0.0} MB");
            }
        }

        var actions = provider.GetRequiredService<CodeActionService>();
        var tiers = localTier ? EvaluationTiers.Routed : EvaluationTiers.FallbackOnly;
        var statistics = provider.GetRequiredService<RoutingStatistics>();
        var outcomes = new List<Outcome>();
        long generatedTokens = 0;
        var generationTime = TimeSpan.Zero;
        for (var index = 0; index < corpus.Samples.Count; index++)
        {
            var sample = corpus.Samples[index];
            if (sample.Kind == EvalKind.Implement)
            {
                outcomes.Add(await ImplementAsync(actions, index, sample, cancellationToken).ConfigureAwait(false));
                if (index < ShowExamples)
                {
                    log?.Invoke($"  [implement {sample.File}:{sample.Line + 1}] expected «{sample.Expected.Replace("\n", " ⏎ ", StringComparison.Ordinal)}» got «{outcomes[^1].Completion.Replace("\n", " ⏎ ", StringComparison.Ordinal)}»{(outcomes[^1].Failure is { } why ? $" ({why})" : string.Empty)}");
                }

                Progress?.Invoke(new EvalProgress(name, index + 1, corpus.Samples.Count));
                continue;
            }

            var escalationsBefore = statistics.Escalations.Values.Sum();
            var stopwatch = Stopwatch.StartNew();
            var result = sample.Kind == EvalKind.CrossFile || InWorkspace
                ? await pipeline.CompleteInWorkspaceAsync(
                    index.ToString(CultureInfo.InvariantCulture), Path.Combine(folder, sample.File), sample.Prefix + sample.Suffix, sample.Prefix.Length, ForKind(options, sample.Kind), tiers, cancellationToken, checks: !spec.Unchecked).ConfigureAwait(false)
                : await pipeline.CompleteAsync(
                    index.ToString(CultureInfo.InvariantCulture), sample.Prefix, sample.Suffix, ForKind(options, sample.Kind), tiers, cancellationToken, checks: !spec.Unchecked).ConfigureAwait(false);
            var latency = stopwatch.Elapsed.TotalMilliseconds;
            var fromFallback = result.Tier == Tiers.Name(Tier.Fallback);
            if (spec.Kind == ContestantKind.Remote && index == 0 && !fromFallback && FirstFailure(statistics) is { } failure)
            {
                // The first call decides: an endpoint that cannot answer once is not asked a thousand times.
                var unreachable = failure is RemoteModelException.Connection or RemoteModelException.Timeout or RemoteModelException.BreakerOpen;
                return ContestantResult.NotRun(
                    name,
                    spec.Kind,
                    unreachable ? ContestantStatus.Unreachable : ContestantStatus.Failed,
                    $"{(unreachable ? "unreachable" : "failed")}: {FallbackModelProvider.Describe(options.Fallback)} ({FailureText(failure)})",
                    path);
            }

            if (result.Generation is { } generation && fromFallback)
            {
                generatedTokens += generation.GeneratedTokens;
                generationTime += generation.Elapsed;
            }

            outcomes.Add(new Outcome(
                sample, result.Text, latency, statistics.Escalations.Values.Sum() > escalationsBefore, fromFallback, result.Generation is null ? null : result.MeanLogprob));
            Points?.WriteLine(EvalPointRecord.ToJsonLine(name, sample, result));
            if (index < ShowExamples)
            {
                // A block is shown whole, its line breaks as ⏎.
                string Shown(string text) => sample.Kind == EvalKind.Block ? text.Replace("\n", " ⏎ ", StringComparison.Ordinal) : EvalMetrics.FirstLine(text);
                log?.Invoke($"  [{sample.Kind} {sample.File}:{sample.Line + 1}] typed «{sample.Typed}» expected «{Shown(sample.Expected)}» got «{Shown(result.Text)}»");
            }

            Progress?.Invoke(new EvalProgress(name, index + 1, corpus.Samples.Count));
        }

        var summary = Summarize(outcomes, routed: spec.Kind == ContestantKind.Router);
        if (spec.Kind == ContestantKind.Remote)
        {
            var failures = statistics.Failures.Where(kv => kv.Value > 0).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            return new ContestantResult(
                name, spec.Kind, ContestantStatus.Ok, FallbackModelProvider.Describe(options.Fallback), path, null, null, summary, null, 0,
                generationTime > TimeSpan.Zero ? generatedTokens / generationTime.TotalSeconds : null, null, Failures: failures);
        }

        if (spec.Kind == ContestantKind.Router)
        {
            var routing = new RoutingSummary(
                model!.Description.Id,
                FallbackModelProvider.Describe(options.Fallback),
                outcomes.Count,
                outcomes.Count(o => o.Escalated),
                statistics.Escalations,
                statistics.FallbackUsed,
                statistics.FallbackLate,
                statistics.FallbackFailed,
                statistics.Failures);
            return new ContestantResult(
                name, spec.Kind, ContestantStatus.Ok, $"{routing.Local} → {routing.Fallback}", path, null, null, summary, null, 0, null, null, Routing: routing);
        }

        var (loss, tokens) = await ModelLossAsync(model!, folder, lossFileList, ContextCopy.For(options.ContextCopy, model!.Description), cancellationToken).ConfigureAwait(false);
        var speed = await GenerationSpeedAsync(model!, ContextCopy.For(options.ContextCopy, model!.Description), cancellationToken).ConfigureAwait(false);
        return new ContestantResult(
            name, spec.Kind, ContestantStatus.Ok, model!.Description.Id, path, model.Description.ParameterCount, model.Description.FileSizeBytes, summary, loss, tokens, speed, null);
    }

    private static string FailureText(string reason) => reason switch
    {
        RemoteModelException.Connection => "connection failed",
        RemoteModelException.Timeout => "no answer within the timeout",
        RemoteModelException.BreakerOpen => "circuit breaker open",
        _ when reason.StartsWith("http-", StringComparison.Ordinal) => "HTTP status " + reason[5..],
        _ => reason,
    };

    private static string? FirstFailure(RoutingStatistics statistics) =>
        statistics.Failures.Where(kv => kv.Value > 0 && kv.Key is not ("empty" or "rejected")).Select(kv => kv.Key).Order(StringComparer.Ordinal).FirstOrDefault();

    private static List<KindResult> Summarize(IReadOnlyList<Outcome> outcomes, bool routed) =>
        outcomes.GroupBy(o => o.Sample.Kind).OrderBy(g => g.Key).Select(group =>
        {
            var items = group.ToList();
            var scores = items.Select(o => EvalMetrics.Score(o.Sample.Kind, o.Sample.Typed, o.Completion, o.Sample.Expected)).ToList();
            var latencies = items.Select(o => o.LatencyMs).ToList();
            return new KindResult(
                group.Key,
                items.Count,
                scores.Average(s => s.ExactMatch ? 1.0 : 0.0),
                scores.Average(s => s.FirstLineExactMatch ? 1.0 : 0.0),
                scores.Average(s => s.EditSimilarity),
                EvalMetrics.Percentile(latencies, 0.5),
                EvalMetrics.Percentile(latencies, 0.95),
                routed ? items.Average(o => o.Escalated ? 1.0 : 0.0) : null,
                routed ? items.Average(o => o.FromFallback ? 1.0 : 0.0) : null,
                [.. scores.Select(s => s.EditSimilarity)],
                [.. items.Select(o => o.Completion)],
                group.Key == EvalKind.Implement ? null : Acceptance(items, scores))
            {
                PointScores = [.. items.Select(o => o.Score)],
                PointKeptChars = [.. items.Select(o => EvalMetrics.AcceptedChars(o.Completion, o.Sample.Expected))],
                PointFirstLineExact = [.. scores.Select(s => s.FirstLineExactMatch)],
                Implement = group.Key == EvalKind.Implement ? ImplementSummary(items) : null,
            };
        }).ToList();

    private static AcceptanceFigures Acceptance(List<Outcome> items, List<PointScore> scores)
    {
        var shown = items.Select(o => o.Completion.Trim().Length > 0).ToList();
        var kept = items.Select(o => EvalMetrics.AcceptedChars(o.Completion, o.Sample.Expected)).ToList();
        var shownCount = shown.Count(s => s);
        var exactShown = Enumerable.Range(0, items.Count).Count(i => shown[i] && scores[i].FirstLineExactMatch);
        var noise = Enumerable.Range(0, items.Count).Count(i => shown[i] && kept[i] < 3);
        var falseRejections = items.Count(o => CandidateCheck.Reject(o.Sample.Prefix, o.Sample.Expected, o.Sample.Suffix) is not null);
        return new AcceptanceFigures(
            (double)shownCount / items.Count,
            shownCount == 0 ? 0 : (double)exactShown / shownCount,
            shownCount == 0 ? 0 : (double)noise / shownCount,
            kept.Average(),
            (double)falseRejections / items.Count);
    }

    // "Implement function" at an implement point, through the code action's offer and resolve.
    private static async Task<Outcome> ImplementAsync(CodeActionService actions, int index, EvalSample sample, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var (after, edit, failure) = await actions.ImplementForEvaluationAsync(
            index.ToString(CultureInfo.InvariantCulture), sample.Prefix + sample.Suffix, sample.Line, cancellationToken).ConfigureAwait(false);
        var latency = stopwatch.Elapsed.TotalMilliseconds;
        if (edit is null)
        {
            return new Outcome(sample, string.Empty, latency, false, false) { Failure = failure };
        }

        // The body as the sample holds the real one: its first line without indentation, the others with theirs.
        var body = edit.NewText.TrimStart('\r', '\n');
        body = body[Indentation.LeadingText(body).Length..];
        var valid = PythonParser.Check(after!).Verdict == PythonParseVerdict.Valid;
        return new Outcome(sample, body, latency, false, edit.Tier == Tiers.Name(Tier.Fallback)) { Written = true, SyntaxValid = valid };
    }

    private static ImplementFigures ImplementSummary(List<Outcome> items)
    {
        var written = items.Count(o => o.Written);
        var failures = items.Where(o => !o.Written).GroupBy(o => FailureKind(o.Failure)).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new ImplementFigures((double)written / items.Count, written == 0 ? 0 : (double)items.Count(o => o.SyntaxValid) / written, failures);
    }

    // "none of its 16 candidates passed the checks: names 7 (…), …" → "checks: names"; other failures by their start.
    private static string FailureKind(string? failure)
    {
        if (failure is null)
        {
            return "unknown";
        }

        var marker = failure.IndexOf("passed the checks: ", StringComparison.Ordinal);
        if (marker >= 0)
        {
            var first = failure[(marker + "passed the checks: ".Length)..].Split(' ', 2)[0];
            return $"checks ({first} most)";
        }

        return failure.Split(':', 2)[0].Trim();
    }

    private sealed record Outcome(EvalSample Sample, string Completion, double LatencyMs, bool Escalated, bool FromFallback, double? Score = null)
    {
        /// <summary>Implement points: whether the action wrote a body.</summary>
        public bool Written { get; init; }

        /// <summary>Implement points: whether the file parses after the edit.</summary>
        public bool SyntaxValid { get; init; }

        /// <summary>Implement points: why the action wrote nothing.</summary>
        public string? Failure { get; init; }
    }
}
