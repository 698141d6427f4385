using System.Diagnostics;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Context;
using CodeAssist.Server.Documents;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Logging;
using CodeAssist.Server.Models;
using CodeAssist.Server.Prompting;
using CodeAssist.Server.Routing;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Completion;

/// <summary>
/// The inline-completion pipeline. Its stages run in this order, each reading what the ones before produced:
/// 1. snapshot (<see cref="CursorText"/>), 2. newest request wins (<see cref="NewestRequestWins"/>),
/// 3. cache and typed-through (<see cref="CompletionMemory"/>), 4. debounce (<see cref="Debounce"/>),
/// 5. context (<see cref="CompletionContext"/>: the current file), 6. route (<see cref="ModelRouter"/>, which runs a
/// <see cref="TierAttempt"/> per tier: prompt → generate → post-process), 7. remember (<see cref="CompletionMemory"/>, and
/// who wrote what was shown, in <see cref="CompletionStatistics"/>).
/// </summary>
public sealed class CompletionService(
    DocumentStore documents,
    CompletionCache cache,
    ModelManager models,
    SettingsStore settings,
    CompletionStatistics statistics,
    PostProcessor postProcessor,
    PromptBuilder prompts,
    ModelRouter router,
    WorkspaceContext workspace,
    InferenceStatistics inference,
    ILogger<CompletionService> logger)
{
    private readonly NewestRequestWins _newest = new();
    private readonly CompletionMemory _memory = new(cache, statistics);
    private long _nextId;

    // What the statistics and the protocol name as the writer of a missing import: the workspace, not a model.
    private const string MissingImportModel = "workspace";

    /// <summary>Completes at the query's position. Cancellation propagates as <see cref="OperationCanceledException"/>.</summary>
    public async Task<CompletionResult> CompleteAsync(CompletionQuery query, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var requestId = $"c{Interlocked.Increment(ref _nextId)}";
        using var scope = RequestLog.Begin(logger, requestId);
        statistics.RecordRequest();
        var options = settings.Current;
        if (!options.Enable)
        {
            return Empty(requestId, "disabled", stopwatch);
        }

        // 1. snapshot: everything about the document is read before the first await.
        if (CursorText.TryRead(documents, query, options.ContextSize, out var text, out var snapshot, out var outOfSync) is { } failure)
        {
            if (outOfSync is not null)
            {
                outOfSync.LogRefusal(logger, "completion");
            }
            else if (snapshot is null)
            {
                logger.LogWarning("Completion for unknown document {Uri}", query.Uri);
            }
            else
            {
                logger.LogWarning("Position {Line}:{Character} is outside {Uri} ({Lines} lines)", query.Line, query.Character, query.Uri, snapshot.Lines.LineCount);
            }

            return Empty(requestId, failure, stopwatch);
        }

        // 2. the newest request for a document supersedes the older ones wherever they are.
        using var turn = _newest.Begin(query.Uri, cancellationToken);
        return await RunStagesAsync(requestId, text, query.Invoked, options, stopwatch, PipelineRun.Editor, turn.Token).ConfigureAwait(false);
    }

    /// <summary>Completes between a prefix and a suffix (the stages after the snapshot).</summary>
    /// <remarks>
    /// The editor's requests run <see cref="PipelineRun.Editor"/>; <see cref="EvaluationPipeline"/> runs without the cache,
    /// and without the local tier when it measures the fallback tier alone.
    /// </remarks>
    internal async Task<CompletionResult> CompleteTextAsync(
        string requestId, CursorText text, bool invoked, CodeAssistOptions options, Stopwatch stopwatch, PipelineRun run, CancellationToken cancellationToken)
    {
        using var scope = RequestLog.Begin(logger, requestId);
        return await RunStagesAsync(requestId, text, invoked, options, stopwatch, run, cancellationToken).ConfigureAwait(false);
    }

    private async Task<CompletionResult> RunStagesAsync(
        string requestId, CursorText text, bool invoked, CodeAssistOptions options, Stopwatch stopwatch, PipelineRun run, CancellationToken cancellationToken)
    {
        // 3. cache: an answer typed through or cached for the loaded model, no model call. An explicit request is never
        // answered by a cached nothing: automatic requests abstain and drop rejected candidates, explicit ones show the best.
        var loadedModel = run.LocalTier ? models.Ready : null;
        if (loadedModel is not null && run.UseCache && _memory.TryAnswer(text, loadedModel.Description, options) is { } recalled
            && !(invoked && recalled.Text.Length == 0))
        {
            logger.LogDebug("Answered from the cache ({Source})", recalled.Source);
            return Shown(requestId, text, recalled.Text, recalled.CacheKey, recalled.Origin, recalled.Source, 0, stopwatch, null);
        }

        // 4. debounce.
        await Debounce.WaitAsync(invoked, options.DebounceMs, statistics, cancellationToken).ConfigureAwait(false);

        // 5. context: analysed once, after the cheap answers; the post-processor reuses it rather than lexing again.
        var sources = run.Workspace ? workspace.SourcesFor(text.DocumentKey, text.CursorOffset, options.Context) : [];
        var snippets = run.Workspace ? new Lazy<PromptSnippets?>(() => workspace.PromptSnippetsFor(text.DocumentKey, text.CursorOffset, options.Context)) : null;
        var modules = run.Workspace && options.Context.Workspace ? workspace.ModulesFor(text.DocumentKey) : null;
        var context = CompletionContext.FromCurrentFile(text.DocumentKey, text.CursorOffset, text.Prefix, text.Suffix, invoked, options, run, sources, snippets, modules);
        if (run.Checks && !invoked && context.Block.PrefixEndState is { } state && (state.InTripleQuotedText || state.InComment))
        {
            // Prose, not code (a comment, a docstring): an automatic suggestion here is noise. An explicit request still
            // gets one. A one-line string is left alone: dictionary keys, names and paths are what the copy model does best.
            statistics.RecordSilenced();
            logger.LogDebug("Silent: the cursor is in a {Where}", state.InComment ? "comment" : "triple-quoted string");
            return Empty(requestId, state.InComment ? "in-comment" : "in-docstring", stopwatch);
        }

        // 5b. a missing import: on an import line, the import the document lacks, from the workspace's modules (no model).
        if (run.Checks && modules is { Count: > 0 } && MissingImport.AppliesAt(text.Prefix, text.Suffix) && WholeDocument(text) is { } whole && MissingImport.Suggest(whole.Before, whole.After, modules) is { } import)
        {
            logger.LogDebug("Answered with the import the document lacks: {Import}", import);
            statistics.RecordMissingImport();
            var importOrigin = new SuggestionOrigin(Tier.Local, MissingImportModel);
            return loadedModel is null || !run.UseCache
                ? new CompletionResult(requestId, import, MissingImportModel, Tiers.Name(Tier.Local), "imports", 0, stopwatch.Elapsed, null)
                : Shown(requestId, text, import, CompletionMemory.Key(loadedModel.Description, options), importOrigin, "imports", 0, stopwatch, null);
        }

        // 6. route: the router picks the tiers and runs the attempt with each.
        RoutedAnswer? routed;
        try
        {
            var route = new RouteRequest(invoked, context.Block.StartsBlock || context.Block.IsEmptyFunctionBody, options, run.LocalTier);
            routed = await router.RouteAsync(route, new TierAttempt(context, prompts, postProcessor, inference, logger), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            statistics.RecordCancelled();
            logger.LogDebug("Cancelled after {ElapsedMs} ms", stopwatch.ElapsedMilliseconds);
            throw;
        }
        catch (ObjectDisposedException)
        {
            // The model was swapped out while this request waited; the next keystroke uses the new one.
            statistics.RecordCancelled();
            return Empty(requestId, "model-swapped", stopwatch);
        }

        if (routed is null)
        {
            return Empty(requestId, "no-model", stopwatch);
        }

        // 7. remember: keyed by the local model, the cache answers "what would this request show", whichever tier made it.
        var (answer, generation, description) = routed.Answer;
        statistics.RecordCandidates(routed.Answer.Candidates, routed.Answer.RejectedBy);
        if (routed.Answer.Rejection is not null)
        {
            statistics.RecordRejected();
        }

        if (routed.Answer.Abstained)
        {
            statistics.RecordAbstained();
        }

        if (routed.Answer.Derived && routed.Answer.Text.Length > 0)
        {
            statistics.RecordDerived();
        }

        if (!run.UseCache)
        {
            return new CompletionResult(requestId, answer, description.Id, Tiers.Name(routed.Tier), "model", generation.MeanLogprob, stopwatch.Elapsed, generation);
        }

        var cacheKey = CompletionMemory.Key(routed.LocalModel ?? description, options);
        var origin = new SuggestionOrigin(routed.Tier, description.Id);
        _memory.Add(cacheKey, text, answer, origin);
        return Shown(requestId, text, answer, cacheKey, origin, "model", generation.MeanLogprob, stopwatch, generation);
    }

    // The whole document around the cursor, as the request saw it (the prefix and suffix are windows of it): the names a
    // file reads far below its imports decide what it lacks. Null when the document is gone or has changed since.
    private (string Before, string After)? WholeDocument(CursorText text)
    {
        if (!documents.TryGet(text.DocumentKey, out var snapshot, out _) || text.CursorOffset > snapshot.Text.Length)
        {
            return null;
        }

        var whole = snapshot.Text;
        var before = whole[..text.CursorOffset];
        var after = whole[text.CursorOffset..];
        return before.EndsWith(text.Prefix, StringComparison.Ordinal) && after.StartsWith(text.Suffix, StringComparison.Ordinal) ? (before, after) : null;
    }

    // The answer goes back to the editor: remembered for typing through, and counted as shown for the model that wrote it
    // (the cached and typed-through ones too), so that its accepted command can be credited to that model.
    private CompletionResult Shown(
        string requestId, CursorText text, string answer, string cacheKey, SuggestionOrigin origin, string source, double meanLogprob, Stopwatch stopwatch, ModelCompletion? generation)
    {
        _memory.Shown(cacheKey, text, answer, origin);
        if (answer.Length > 0)
        {
            statistics.RecordShown(requestId, origin);
        }

        return new CompletionResult(requestId, answer, origin.Model, Tiers.Name(origin.Tier), source, meanLogprob, stopwatch.Elapsed, generation);
    }

    private static CompletionResult Empty(string requestId, string reason, Stopwatch stopwatch) =>
        CompletionResult.Nothing(requestId, reason, stopwatch.Elapsed);
}
