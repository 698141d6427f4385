using System.Diagnostics;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Documents;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Prompting;
using CodeAssist.Server.Python;
using CodeAssist.Server.Routing;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Completion;

/// <summary>A completion request in protocol-neutral terms.</summary>
/// <param name="Uri">The document.</param>
/// <param name="Line">Zero-based line.</param>
/// <param name="Character">Zero-based character in <paramref name="Encoding"/> units.</param>
/// <param name="Encoding">How <paramref name="Character"/> counts.</param>
/// <param name="Invoked">The user asked explicitly (no debounce).</param>
public sealed record CompletionQuery(string Uri, int Line, int Character, PositionEncoding Encoding, bool Invoked);

/// <summary>What the pipeline answers: the text to insert at the cursor (empty for nothing) and how it was made.</summary>
public sealed record CompletionResult(
    string RequestId,
    string Text,
    string Model,
    string Tier,
    string Source,
    double MeanLogprob,
    TimeSpan Latency,
    ModelCompletion? Generation)
{
    /// <summary>An empty answer.</summary>
    public static CompletionResult Nothing(string requestId, string reason, TimeSpan latency) =>
        new(requestId, string.Empty, string.Empty, "none", reason, 0, latency, null);
}

/// <summary>Which stages and tiers one run through the pipeline after the document uses.</summary>
/// <param name="UseCache">Answer from the cache and typed-through, remember the answer and the prompt's anchor.</param>
/// <param name="LocalTier">Offer the local model to the router; without it the router answers from the fallback tier alone.</param>
internal readonly record struct PipelineRun(bool UseCache, bool LocalTier)
{
    /// <summary>An editor's request: every stage, both tiers.</summary>
    public static PipelineRun Editor { get; } = new(UseCache: true, LocalTier: true);
}

/// <summary>
/// The inline-completion pipeline: document snapshot → cache / typed-through → debounce → prompt
/// within the token budget → <see cref="ModelRouter"/> (local model, or the fallback tier) → Python post-processing.
/// </summary>
public sealed class CompletionService(
    DocumentStore documents,
    CompletionCache cache,
    ModelManager models,
    SettingsStore settings,
    CompletionStatistics statistics,
    PostProcessor postProcessor,
    ModelRouter router,
    ILogger<CompletionService> logger)
{
    private const string LocalTier = "local";
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CancellationTokenSource> _latestByDocument = new(StringComparer.Ordinal);

    // Per document and model: the document offset where the last prompt's prefix began (see ContextBuilder.Build).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Document, string Model), int> _prefixAnchors = new();
    private long _nextId;

    /// <summary>Completes at the query's position. Cancellation propagates as <see cref="OperationCanceledException"/>.</summary>
    public async Task<CompletionResult> CompleteAsync(CompletionQuery query, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var requestId = $"c{Interlocked.Increment(ref _nextId)}";
        statistics.RecordRequest();
        var options = settings.Current;
        if (!options.Enable)
        {
            return Empty(requestId, "disabled", stopwatch);
        }

        // Everything about the document is read before the first await, so the text is the one the
        // editor had when it asked (handlers run in message order up to their first await).
        if (!documents.TryGet(query.Uri, out var snapshot))
        {
            logger.LogWarning("[{RequestId}] Completion for unknown document {Uri}", requestId, query.Uri);
            return Empty(requestId, "unknown-document", stopwatch);
        }

        if (!snapshot.TryGetOffset(query.Line, query.Character, query.Encoding, out var offset))
        {
            logger.LogWarning("[{RequestId}] Position {Line}:{Character} is outside {Uri} ({Lines} lines)", requestId, query.Line, query.Character, query.Uri, snapshot.Lines.LineCount);
            return Empty(requestId, "outside-document", stopwatch);
        }

        var windowChars = options.ContextSize * 8;
        var prefix = snapshot.GetTextBefore(offset, windowChars).ToString();
        var suffix = snapshot.GetTextAfter(offset, windowChars / 3).ToString();

        // The newest request for a document supersedes the older ones wherever they are: in the
        // debounce, queued for the model, or decoding.
        using var superseding = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_latestByDocument.TryGetValue(query.Uri, out var older))
        {
            CancelQuietly(older);
        }

        _latestByDocument[query.Uri] = superseding;
        try
        {
            return await CompleteTextAsync(requestId, query.Uri, offset, prefix, suffix, query.Invoked, options, stopwatch, PipelineRun.Editor, superseding.Token).ConfigureAwait(false);
        }
        finally
        {
            _latestByDocument.TryRemove(new KeyValuePair<string, CancellationTokenSource>(query.Uri, superseding));
        }
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It finished and was disposed in between: nothing left to cancel.
        }
    }

    /// <summary>Completes between a prefix and a suffix (the part of the pipeline after the document).</summary>
    /// <remarks>
    /// The editor's requests run <see cref="PipelineRun.Editor"/>; <see cref="EvaluationPipeline"/> runs without the cache,
    /// and without the local tier when it measures the fallback tier alone.
    /// </remarks>
    internal async Task<CompletionResult> CompleteTextAsync(
        string requestId,
        string documentKey,
        int cursorOffset,
        string prefix,
        string suffix,
        bool invoked,
        CodeAssistOptions options,
        Stopwatch stopwatch,
        PipelineRun run,
        CancellationToken cancellationToken)
    {
        var loadedModel = run.LocalTier ? models.Ready : null;
        if (loadedModel is not null && run.UseCache)
        {
            // Keyed by file, not by general.name: two checkpoints of one model share a name.
            var modelId = CacheKey(loadedModel.Description, options);
            if (cache.TryTypeThrough(documentKey, modelId, cursorOffset, prefix, suffix, out var rest))
            {
                statistics.RecordTypedThrough();
                logger.LogDebug("[{RequestId}] Typed through the last suggestion", requestId);
                return Answer(requestId, documentKey, cursorOffset, prefix, suffix, rest, modelId, LocalTier, loadedModel.Description.Id, "typed-through", 0, stopwatch, null);
            }

            if (cache.TryGet(modelId, prefix, suffix, out var cached))
            {
                statistics.RecordCacheHit();
                return Answer(requestId, documentKey, cursorOffset, prefix, suffix, cached, modelId, LocalTier, loadedModel.Description.Id, "cache", 0, stopwatch, null);
            }
        }

        if (!invoked && options.DebounceMs > 0)
        {
            try
            {
                await Task.Delay(options.DebounceMs, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                statistics.RecordCancelled();
                throw;
            }
        }

        // Analysed once, after the cheap answers: the post-processor reuses it rather than lexing again.
        var indentStyle = IndentStyle.Detect(prefix);
        var block = BlockContext.Analyze(prefix, suffix, indentStyle);
        var multiline = options.Multiline switch
        {
            MultilineMode.Always => true,
            MultilineMode.Never => false,
            _ => block.StartsBlock,
        };

        var local = run.LocalTier ? await models.GetModelAsync(cancellationToken).ConfigureAwait(false) : null;
        var processing = new PostProcessorOptions { Multiline = multiline, MaxLines = options.MaxLines, IndentStyle = indentStyle, Context = block };

        // One tier's turn: the prompt within that model's budget, generation, and the same post-processing.
        async Task<TierAnswer> AttemptAsync(ICompletionModel model, CancellationToken token)
        {
            var description = model.Description;
            var maxTokens = Math.Min(options.MaxTokens, Math.Max(1, description.ContextLength / 4));
            // The prefix text ends at the cursor, so its start in the document is cursorOffset - prefix.Length.
            var prefixOffset = cursorOffset - prefix.Length;
            var anchorKey = (documentKey, description.Path);
            int? anchor = !run.UseCache ? null : _prefixAnchors.TryGetValue(anchorKey, out var previous) ? previous - prefixOffset : -1;
            var context = ContextBuilder.Build(prefix, suffix, description.ContextLength, maxTokens, model.CountTokens, anchor);
            if (run.UseCache)
            {
                if (_prefixAnchors.Count > 1024)
                {
                    _prefixAnchors.Clear();
                }

                _prefixAnchors[anchorKey] = prefixOffset + context.PrefixStart;
            }
            var request = new CompletionRequest(
                context.Prefix,
                context.Suffix,
                maxTokens,
                SupersedeKey: documentKey,
                StopWhen: text => StopConditions.ShouldStop(text, multiline, options.MaxLines, block.BlockIndent),
                MinTokenLogprob: options.ConfidenceCutoff,
                Copy: ContextCopy.For(options.ContextCopy, description));
            statistics.RecordModelCall();
            var generation = await model.CompleteAsync(request, token).ConfigureAwait(false);
            var text = postProcessor.Process(generation.Text, prefix, suffix, processing with { Truncated = generation.StopReason == "length" });
            logger.LogInformation(
                "[{RequestId}] {Model} generated {Tokens} tokens ({Stop}) in {ElapsedMs} ms, prompt {PromptTokens} tokens ({Reused} reused), mean logprob {MeanLogprob:F2}, {Chars} chars kept",
                requestId, description.Id, generation.GeneratedTokens, generation.StopReason, (long)generation.Elapsed.TotalMilliseconds,
                generation.PromptTokens, generation.ReusedPromptTokens, generation.MeanLogprob, text.Length);
            return new TierAnswer(text, generation, description);
        }

        RoutedAnswer? routed;
        try
        {
            var route = new RouteRequest(requestId, invoked, block.StartsBlock || block.IsEmptyFunctionBody, options);
            routed = await router.RouteAsync(route, local, AttemptAsync, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            statistics.RecordCancelled();
            logger.LogDebug("[{RequestId}] Cancelled after {ElapsedMs} ms", requestId, stopwatch.ElapsedMilliseconds);
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

        var (text, generation, description) = routed.Answer;

        // Keyed by the local model: the cache answers "what would this request show", whichever tier made it.
        var cacheModel = local?.Description ?? description;
        var cacheKey = CacheKey(cacheModel, options);
        if (run.UseCache)
        {
            cache.Add(cacheKey, prefix, suffix, text);
        }

        return run.UseCache
            ? Answer(requestId, documentKey, cursorOffset, prefix, suffix, text, cacheKey, routed.Tier, description.Id, "model", generation.MeanLogprob, stopwatch, generation)
            : new CompletionResult(requestId, text, description.Id, routed.Tier, "model", generation.MeanLogprob, stopwatch.Elapsed, generation);
    }

    private CompletionResult Answer(
        string requestId, string documentKey, int cursorOffset, string prefix, string suffix, string text,
        string cacheKey, string tier, string modelId, string source, double meanLogprob, Stopwatch stopwatch, ModelCompletion? generation)
    {
        if (text.Length == 0)
        {
            statistics.RecordEmpty();
        }

        cache.RememberShown(documentKey, cacheKey, cursorOffset, prefix, suffix, text);
        return new CompletionResult(requestId, text, modelId, tier, source, meanLogprob, stopwatch.Elapsed, generation);
    }

    // What a cached answer depends on besides the text around the cursor: the model file and the settings that change
    // what it generates (a cache keyed by the model alone would answer with copy-model output after contextCopy is
    // turned off, or with 64 tokens after maxTokens became 8).
    private static string CacheKey(ModelDescription model, CodeAssistOptions options) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"{model.Path}|copy={options.ContextCopy}|cutoff={options.ConfidenceCutoff}|max={options.MaxTokens}|lines={options.MaxLines}|multiline={options.Multiline}");

    private CompletionResult Empty(string requestId, string reason, Stopwatch stopwatch)
    {
        statistics.RecordEmpty();
        return CompletionResult.Nothing(requestId, reason, stopwatch.Elapsed);
    }
}
