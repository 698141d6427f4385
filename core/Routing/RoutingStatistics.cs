using System.Collections.Concurrent;

namespace CodeAssist.Server.Routing;

/// <summary>Counters of the router's decisions and of each tier, for <c>codeAssist/stats</c> and tests.</summary>
public sealed class RoutingStatistics
{
    /// <summary>The tier of the small in-process model.</summary>
    public const string LocalTier = "local";

    /// <summary>The tier the router escalates to.</summary>
    public const string FallbackTier = "fallback";

    /// <summary>The service key of the code actions' statistics (completions use the unkeyed instance).</summary>
    public const string CodeActionsKey = "codeActions";

    private readonly ConcurrentDictionary<string, long> _escalations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _failures = new(StringComparer.Ordinal);
    private readonly LatencyWindow _localLatency = new();
    private readonly LatencyWindow _fallbackLatency = new();
    private long _localCalls;
    private long _fallbackCalls;
    private long _localAnswers;
    private long _fallbackAnswers;
    private long _fallbackUsed;
    private long _fallbackLate;
    private long _fallbackFailed;

    /// <summary>Calls made to the local tier.</summary>
    public long LocalCalls => Interlocked.Read(ref _localCalls);

    /// <summary>Calls made to the fallback tier (including those the breaker refused).</summary>
    public long FallbackCalls => Interlocked.Read(ref _fallbackCalls);

    /// <summary>Answers given by the local tier.</summary>
    public long LocalAnswers => Interlocked.Read(ref _localAnswers);

    /// <summary>Answers given by the fallback tier.</summary>
    public long FallbackAnswers => Interlocked.Read(ref _fallbackAnswers);

    /// <summary>Escalations whose fallback answer arrived within the deadline and was used.</summary>
    public long FallbackUsed => Interlocked.Read(ref _fallbackUsed);

    /// <summary>Escalations whose fallback answer had not arrived by the deadline.</summary>
    public long FallbackLate => Interlocked.Read(ref _fallbackLate);

    /// <summary>Escalations whose fallback failed (or answered nothing) before the deadline.</summary>
    public long FallbackFailed => Interlocked.Read(ref _fallbackFailed);

    /// <summary>Escalations by reason name (invoked, blockStart, unsure, emptyLocal).</summary>
    public IReadOnlyDictionary<string, long> Escalations => Snapshot(_escalations, [.. Enum.GetValues<EscalationReason>().Select(EscalationPolicy.Name)]);

    /// <summary>Fallback failures by reason (timeout, connection, http-500, breaker-open, …), including those after the deadline.</summary>
    public IReadOnlyDictionary<string, long> Failures => Snapshot(_failures, []);

    /// <summary>The latency of successful calls to a tier: (p50, p95) in milliseconds, null before the first.</summary>
    public (double P50, double P95)? Latency(string tier) => (tier == FallbackTier ? _fallbackLatency : _localLatency).Percentiles();

    internal void RecordCall(string tier) => Interlocked.Increment(ref tier == FallbackTier ? ref _fallbackCalls : ref _localCalls);

    internal void RecordAnswer(string tier) => Interlocked.Increment(ref tier == FallbackTier ? ref _fallbackAnswers : ref _localAnswers);

    /// <summary>Raised after a tier's successful call, with the tier and its latency in milliseconds.</summary>
    public event Action<string, double>? LatencyRecorded;

    /// <summary>The latency of the tier's latest successful call in milliseconds; null before the first.</summary>
    public double? LastLatency(string tier) => (tier == FallbackTier ? _fallbackLatency : _localLatency).Last;

    internal void RecordLatency(string tier, TimeSpan elapsed)
    {
        (tier == FallbackTier ? _fallbackLatency : _localLatency).Add(elapsed.TotalMilliseconds);
        LatencyRecorded?.Invoke(tier, elapsed.TotalMilliseconds);
    }

    internal void RecordEscalation(EscalationReason reason) => _escalations.AddOrUpdate(EscalationPolicy.Name(reason), 1, (_, n) => n + 1);

    internal void RecordFailure(string reason) => _failures.AddOrUpdate(reason, 1, (_, n) => n + 1);

    internal void RecordUsed() => Interlocked.Increment(ref _fallbackUsed);

    internal void RecordLate() => Interlocked.Increment(ref _fallbackLate);

    internal void RecordFailed() => Interlocked.Increment(ref _fallbackFailed);

    private static Dictionary<string, long> Snapshot(ConcurrentDictionary<string, long> counts, string[] always)
    {
        var copy = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var name in always)
        {
            copy[name] = 0;
        }

        foreach (var (name, count) in counts)
        {
            copy[name] = count;
        }

        return copy;
    }

    /// <summary>The most recent latencies of one tier; percentiles are taken over them.</summary>
    private sealed class LatencyWindow
    {
        private const int Capacity = 1024;
        private readonly double[] _samples = new double[Capacity];
        private int _count;
        private int _next;

        public double? Last
        {
            get
            {
                lock (_samples)
                {
                    return _count == 0 ? null : _samples[(_next + Capacity - 1) % Capacity];
                }
            }
        }

        public void Add(double milliseconds)
        {
            lock (_samples)
            {
                _samples[_next] = milliseconds;
                _next = (_next + 1) % Capacity;
                _count = Math.Min(_count + 1, Capacity);
            }
        }

        public (double P50, double P95)? Percentiles()
        {
            double[] sorted;
            lock (_samples)
            {
                if (_count == 0)
                {
                    return null;
                }

                sorted = _samples[.._count];
            }

            Array.Sort(sorted);
            return (Rank(sorted, 0.50), Rank(sorted, 0.95));
        }

        // Nearest rank: the smallest sample with at least p of the samples at or below it.
        private static double Rank(double[] sorted, double p) =>
            Math.Round(sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)], 1);
    }
}
