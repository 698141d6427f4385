namespace CodeAssist.Server.Completion;

/// <summary>Counters of what the completion pipeline did, for logs, stats and tests.</summary>
public sealed class CompletionStatistics
{
    private long _requests;
    private long _cacheHits;
    private long _typedThrough;
    private long _cancelled;
    private long _accepted;

    /// <summary>Completion requests received.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests answered from the cache.</summary>
    public long CacheHits => Interlocked.Read(ref _cacheHits);

    /// <summary>Requests answered by typing through the last suggestion.</summary>
    public long TypedThrough => Interlocked.Read(ref _typedThrough);

    /// <summary>Requests cancelled or superseded.</summary>
    public long Cancelled => Interlocked.Read(ref _cancelled);

    /// <summary>Suggestions the user accepted.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    internal void RecordRequest() => Interlocked.Increment(ref _requests);

    internal void RecordCacheHit() => Interlocked.Increment(ref _cacheHits);

    internal void RecordTypedThrough() => Interlocked.Increment(ref _typedThrough);

    internal void RecordCancelled() => Interlocked.Increment(ref _cancelled);

    /// <summary>Counts an accepted suggestion.</summary>
    public void RecordAccepted() => Interlocked.Increment(ref _accepted);
}
