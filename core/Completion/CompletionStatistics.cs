namespace CodeAssist.Server.Completion;

/// <summary>Counters of what the completion pipeline did, for logs, stats and tests.</summary>
public sealed class CompletionStatistics
{
    private long _requests;
    private long _modelCalls;
    private long _cacheHits;
    private long _typedThrough;
    private long _empty;
    private long _cancelled;
    private long _accepted;

    /// <summary>Completion requests received.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests that ran the model.</summary>
    public long ModelCalls => Interlocked.Read(ref _modelCalls);

    /// <summary>Requests answered from the cache.</summary>
    public long CacheHits => Interlocked.Read(ref _cacheHits);

    /// <summary>Requests answered by typing through the last suggestion.</summary>
    public long TypedThrough => Interlocked.Read(ref _typedThrough);

    /// <summary>Requests answered with nothing.</summary>
    public long Empty => Interlocked.Read(ref _empty);

    /// <summary>Requests cancelled or superseded.</summary>
    public long Cancelled => Interlocked.Read(ref _cancelled);

    /// <summary>Suggestions the user accepted.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    internal void RecordRequest() => Interlocked.Increment(ref _requests);

    internal void RecordModelCall() => Interlocked.Increment(ref _modelCalls);

    internal void RecordCacheHit() => Interlocked.Increment(ref _cacheHits);

    internal void RecordTypedThrough() => Interlocked.Increment(ref _typedThrough);

    internal void RecordEmpty() => Interlocked.Increment(ref _empty);

    internal void RecordCancelled() => Interlocked.Increment(ref _cancelled);

    /// <summary>Counts an accepted suggestion (the request id is logged by the caller).</summary>
    public void RecordAccepted(string? requestId) => Interlocked.Increment(ref _accepted);
}
