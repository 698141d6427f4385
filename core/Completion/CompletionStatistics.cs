using System.Collections.Concurrent;
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
    private readonly ShownSuggestions _shown = new();
    private readonly ConcurrentDictionary<SuggestionOrigin, (Counter Shown, Counter Accepted)> _byOrigin = new();
    private readonly Counter _abstained = new();
    private readonly Counter _derived = new();
    private readonly Counter _missingImports = new();
    private readonly Counter _candidates = new();
    private readonly CountsByName _rejectedBy = new();

    /// <summary>Completion requests received.</summary>
    public long Requests => _requests.Value;

    /// <summary>Requests answered from the cache.</summary>
    public long CacheHits => _cacheHits.Value;

    /// <summary>Requests answered by typing through the last suggestion.</summary>
    public long TypedThrough => _typedThrough.Value;

    /// <summary>Requests cancelled or superseded.</summary>
    public long Cancelled => _cancelled.Value;

    /// <summary>Suggestions the user accepted (every accepted command, whether or not its request id is still known).</summary>
    public long Accepted => _accepted.Value;

    /// <summary>Automatic requests in a comment or string, answered with nothing without asking a model.</summary>
    public long Silenced => _silenced.Value;

    /// <summary>Requests whose answer the checks rejected (nothing shown, or the fallback asked).</summary>
    public long Rejected => _rejected.Value;

    /// <summary>
    /// Suggestions shown and accepted per tier and model. Shown: a non-empty answer to an editor's request, written by a
    /// model, read from the cache or typed through (each counted for the model that wrote it). Accepted: an accepted
    /// command for one of the last 256 requests shown, at most once per request.
    /// </summary>
    public IReadOnlyDictionary<SuggestionOrigin, SuggestionCounts> Suggestions =>
        _byOrigin.ToDictionary(pair => pair.Key, pair => new SuggestionCounts(pair.Value.Shown.Value, pair.Value.Accepted.Value));

    /// <summary>Automatic requests the local tier was unsure of, with no fallback to ask: nothing shown.</summary>
    public long Abstained => _abstained.Value;

    /// <summary>Answers that were the valid start of a candidate the checks rejected.</summary>
    public long Derived => _derived.Value;

    /// <summary>Answers that were an import the document lacks (<see cref="MissingImport"/>), no model asked.</summary>
    public long MissingImports => _missingImports.Value;

    /// <summary>Candidates the models proposed, over all requests that asked one.</summary>
    public long Candidates => _candidates.Value;

    /// <summary>Candidates the checks rejected, by check ("syntax", "names", "repetition": a cut-off line that loops).</summary>
    public IReadOnlyDictionary<string, long> RejectedBy => _rejectedBy.Snapshot(["syntax", "names", "repetition"]);

    internal void RecordRequest() => _requests.Increment();

    internal void RecordCacheHit() => _cacheHits.Increment();

    internal void RecordTypedThrough() => _typedThrough.Increment();

    internal void RecordCancelled() => _cancelled.Increment();

    internal void RecordSilenced() => _silenced.Increment();

    internal void RecordRejected() => _rejected.Increment();

    /// <summary>Counts a suggestion shown for <paramref name="requestId"/> and remembers who wrote it, for its accepted command.</summary>
    internal void RecordShown(string requestId, SuggestionOrigin origin)
    {
        _shown.Remember(requestId, origin);
        Figures(origin).Shown.Increment();
    }

    /// <summary>
    /// Counts an accepted suggestion, and for its tier and model when <paramref name="requestId"/> is one of the last
    /// suggestions shown; returns who wrote it, null for an unknown or forgotten id (counted only in <see cref="Accepted"/>).
    /// </summary>
    public SuggestionOrigin? RecordAccepted(string? requestId)
    {
        _accepted.Increment();
        if (requestId is null || !_shown.TryTake(requestId, out var origin))
        {
            return null;
        }

        Figures(origin).Accepted.Increment();
        return origin;
    }

    private (Counter Shown, Counter Accepted) Figures(SuggestionOrigin origin) => _byOrigin.GetOrAdd(origin, static _ => (new Counter(), new Counter()));

    internal void RecordAbstained() => _abstained.Increment();

    internal void RecordDerived() => _derived.Increment();

    internal void RecordMissingImport() => _missingImports.Increment();

    /// <summary>Counts one answer's candidates and the checks that rejected some of them.</summary>
    internal void RecordCandidates(int candidates, IReadOnlyList<string> rejectedBy)
    {
        _candidates.Add(candidates);
        foreach (var check in rejectedBy)
        {
            _rejectedBy.Increment(check);
        }
    }
}

/// <summary>One tier and model's suggestions: how many were shown, how many of them accepted.</summary>
public readonly record struct SuggestionCounts(long Shown, long Accepted);
