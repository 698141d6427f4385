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
    private long _decodesStarted;
    private long _decodesCancelled;
    private long _promptTokens;
    private long _promptTokensEvaluated;
    private long _reusedTokens;
    private long _generatedTokens;
    private int _maxPending;

    /// <summary>Generations that started decoding (a request cancelled while it waited in the queue does not count).</summary>
    public long DecodesStarted => Interlocked.Read(ref _decodesStarted);

    /// <summary>Generations cancelled or superseded after they started.</summary>
    public long DecodesCancelled => Interlocked.Read(ref _decodesCancelled);

    /// <summary>Prompt tokens of the generations that started.</summary>
    public long PromptTokens => Interlocked.Read(ref _promptTokens);

    /// <summary>Prompt tokens actually decoded (not found in the KV cache).</summary>
    public long PromptTokensEvaluated => Interlocked.Read(ref _promptTokensEvaluated);

    /// <summary>Prompt tokens kept from the KV cache.</summary>
    public long ReusedTokens => Interlocked.Read(ref _reusedTokens);

    /// <summary>Tokens generated.</summary>
    public long GeneratedTokens => Interlocked.Read(ref _generatedTokens);

    /// <summary>The most requests ever waiting or running on one model's worker at once.</summary>
    public int MaxPending => Volatile.Read(ref _maxPending);

    /// <summary>Set by a benchmark to receive every completed generation's tokens; null (the default) costs nothing.</summary>
    public Action<DecodeTrace>? Trace { get; set; }

    internal void RecordStarted() => Interlocked.Increment(ref _decodesStarted);

    internal void RecordCancelled() => Interlocked.Increment(ref _decodesCancelled);

    internal void RecordPrompt(int tokens, int reused)
    {
        Interlocked.Add(ref _promptTokens, tokens);
        Interlocked.Add(ref _reusedTokens, reused);
        Interlocked.Add(ref _promptTokensEvaluated, tokens - reused);
    }

    internal void RecordGenerated(int tokens) => Interlocked.Add(ref _generatedTokens, tokens);

    internal void ObservePending(int pending)
    {
        var seen = Volatile.Read(ref _maxPending);
        while (pending > seen)
        {
            var previous = Interlocked.CompareExchange(ref _maxPending, pending, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
