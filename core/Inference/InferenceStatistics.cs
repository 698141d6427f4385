using CodeAssist.Server.Statistics;

namespace CodeAssist.Server.Inference;

/// <summary>What one completed local generation decoded, in order: for benchmarks that replay the same work on a bare context.</summary>
/// <param name="Prompt">The prompt's token ids.</param>
/// <param name="Reused">Prompt tokens kept from the KV cache (not decoded).</param>
/// <param name="Decoded">The generated tokens decoded after the prompt, one at a time, in order.</param>
/// <param name="DecodeTime">Time spent inside llama.cpp's decode calls for this generation.</param>
/// <param name="DecodeCpuTime">CPU time of those calls (zero where the thread CPU clock is not available).</param>
public sealed record DecodeTrace(int[] Prompt, int Reused, int[] Decoded, TimeSpan DecodeTime, TimeSpan DecodeCpuTime);

/// <summary>
/// Counters of the local models' work since the server started (across model swaps): decodes started, prompt
/// tokens evaluated and reused, and how deep the inference queue got. Cheap: a few interlocked adds per request.
/// </summary>
public sealed class InferenceStatistics
{
    private readonly Counter _decodesStarted = new();
    private readonly Counter _decodesCancelled = new();
    private readonly Counter _promptTokens = new();
    private readonly Counter _promptTokensEvaluated = new();
    private readonly Counter _reusedTokens = new();
    private readonly Counter _generatedTokens = new();
    private readonly Counter _maxPending = new();
    private readonly Counter _snippets = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Counter> _copyHits = new(StringComparer.Ordinal);

    /// <summary>Generations that started decoding (a request cancelled while it waited in the queue does not count).</summary>
    public long DecodesStarted => _decodesStarted.Value;

    /// <summary>Generations cancelled or superseded after they started.</summary>
    public long DecodesCancelled => _decodesCancelled.Value;

    /// <summary>Prompt tokens of the generations that started.</summary>
    public long PromptTokens => _promptTokens.Value;

    /// <summary>Prompt tokens actually decoded (not found in the KV cache).</summary>
    public long PromptTokensEvaluated => _promptTokensEvaluated.Value;

    /// <summary>Prompt tokens kept from the KV cache.</summary>
    public long ReusedTokens => _reusedTokens.Value;

    /// <summary>Tokens generated.</summary>
    public long GeneratedTokens => _generatedTokens.Value;

    /// <summary>The most requests ever waiting or running on one model's worker at once.</summary>
    public int MaxPending => (int)_maxPending.Value;

    /// <summary>Set by a benchmark to receive every completed generation's tokens; null (the default) costs nothing.</summary>
    public Action<DecodeTrace>? Trace { get; set; }

    internal void RecordStarted() => _decodesStarted.Increment();

    internal void RecordCancelled() => _decodesCancelled.Increment();

    internal void RecordPrompt(int tokens, int reused)
    {
        _promptTokens.Add(tokens);
        _reusedTokens.Add(reused);
        _promptTokensEvaluated.Add(tokens - reused);
    }

    internal void RecordGenerated(int tokens) => _generatedTokens.Add(tokens);

    /// <summary>Tokens the copy model took from each copy source (<see cref="CopySource.Name"/>) where the model alone chose another.</summary>
    public IReadOnlyDictionary<string, long> CopyHits => _copyHits.ToDictionary(p => p.Key, p => p.Value.Value, StringComparer.Ordinal);

    internal void RecordCopyHits(string source, int hits) => _copyHits.GetOrAdd(source, static _ => new Counter()).Add(hits);

    internal void ObservePending(int pending) => _maxPending.Observe(pending);

    /// <summary>Snippets of other files' definitions put in front of prompts, every tier's (<see cref="Prompting.PromptSnippets"/>).</summary>
    public long Snippets => _snippets.Value;

    internal void RecordSnippets(int count) => _snippets.Add(count);

    /// <summary>The workspace index last built (<see cref="TokenIndex"/>): files, tokens, bytes, how long it took; null before one.</summary>
    public IndexFigures? Index { get; private set; }

    internal void RecordIndex(int files, long tokens, long bytes, TimeSpan elapsed) => Index = new IndexFigures(files, tokens, bytes, elapsed);
}

/// <summary>The workspace index last built.</summary>
/// <param name="Files">Files indexed.</param>
/// <param name="Tokens">Tokens indexed.</param>
/// <param name="Bytes">Memory the index holds.</param>
/// <param name="BuildTime">How long building it took (reading, tokenizing, sorting).</param>
public sealed record IndexFigures(int Files, long Tokens, long Bytes, TimeSpan BuildTime);
