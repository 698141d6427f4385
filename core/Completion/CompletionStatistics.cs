using CodeAssist.Server.Statistics;

namespace CodeAssist.Server.Completion;

/// <summary>Counters of what the completion pipeline did, for logs, stats and tests.</summary>
public sealed class CompletionStatistics
{
    private readonly Counter _requests = new();
    private readonly Counter _cacheHits = new();
    private readonly Counter _typedThrough = new();
    private readonly Counter _cancelled = new();
    private readonly Counter _accepted = new();
    private readonly Counter _silenced = new();
    private readonly Counter _rejected = new();

    /// <summary>Completion requests received.</summary>
    public long Requests => _requests.Value;

    /// <summary>Requests answered from the cache.</summary>
    public long CacheHits => _cacheHits.Value;

    /// <summary>Requests answered by typing through the last suggestion.</summary>
    public long TypedThrough => _typedThrough.Value;

    /// <summary>Requests cancelled or superseded.</summary>
    public long Cancelled => _cancelled.Value;

    /// <summary>Suggestions the user accepted.</summary>
    public long Accepted => _accepted.Value;

    /// <summary>Automatic requests in a comment or string, answered with nothing without asking a model.</summary>
    public long Silenced => _silenced.Value;

    /// <summary>Requests whose answer the checks rejected (nothing shown, or the fallback asked).</summary>
    public long Rejected => _rejected.Value;

    internal void RecordRequest() => _requests.Increment();

    internal void RecordCacheHit() => _cacheHits.Increment();

    internal void RecordTypedThrough() => _typedThrough.Increment();

    internal void RecordCancelled() => _cancelled.Increment();

    internal void RecordSilenced() => _silenced.Increment();

    internal void RecordRejected() => _rejected.Increment();

    /// <summary>Counts an accepted suggestion.</summary>
    public void RecordAccepted() => _accepted.Increment();
}
