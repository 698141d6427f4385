using CodeAssist.Server.Statistics;

namespace CodeAssist.Server.Routing;

/// <summary>Counters of the router's decisions and of each tier, for <c>codeAssist/stats</c> and tests.</summary>
public sealed class RoutingStatistics
{
    /// <summary>The service key of the code actions' statistics (completions use the unkeyed instance).</summary>
    public const string CodeActionsKey = "codeActions";

    private readonly CountsByName _escalations = new();
    private readonly CountsByName _failures = new();
    private readonly LatencyWindow _localLatency = new();
    private readonly LatencyWindow _fallbackLatency = new();
    private readonly Counter _localCalls = new();
    private readonly Counter _fallbackCalls = new();
    private readonly Counter _localAnswers = new();
    private readonly Counter _fallbackAnswers = new();
    private readonly Counter _fallbackUsed = new();
    private readonly Counter _fallbackLate = new();
    private readonly Counter _fallbackFailed = new();

    /// <summary>Calls made to the local tier.</summary>
    public long LocalCalls => _localCalls.Value;

    /// <summary>Calls made to the fallback tier (including those the breaker refused).</summary>
    public long FallbackCalls => _fallbackCalls.Value;

    /// <summary>Answers given by the local tier.</summary>
    public long LocalAnswers => _localAnswers.Value;

    /// <summary>Answers given by the fallback tier.</summary>
    public long FallbackAnswers => _fallbackAnswers.Value;

    /// <summary>Escalations whose fallback answer arrived within the deadline and was used.</summary>
    public long FallbackUsed => _fallbackUsed.Value;

    /// <summary>Escalations whose fallback answer had not arrived by the deadline.</summary>
    public long FallbackLate => _fallbackLate.Value;

    /// <summary>Escalations whose fallback failed (or answered nothing) before the deadline.</summary>
    public long FallbackFailed => _fallbackFailed.Value;

    /// <summary>Escalations by reason name (invoked, blockStart, unsure, emptyLocal).</summary>
    public IReadOnlyDictionary<string, long> Escalations => _escalations.Snapshot(Enum.GetValues<EscalationReason>().Select(EscalationPolicy.Name));

    /// <summary>Fallback failures by reason (timeout, connection, http-500, breaker-open, …), including those after the deadline.</summary>
    public IReadOnlyDictionary<string, long> Failures => _failures.Snapshot([]);

    /// <summary>The latency of successful calls to a tier: (p50, p95) in milliseconds, null before the first.</summary>
    public (double P50, double P95)? Latency(Tier tier) => (tier == Tier.Fallback ? _fallbackLatency : _localLatency).Percentiles();

    internal void RecordCall(Tier tier) => (tier == Tier.Fallback ? _fallbackCalls : _localCalls).Increment();

    internal void RecordAnswer(Tier tier) => (tier == Tier.Fallback ? _fallbackAnswers : _localAnswers).Increment();

    /// <summary>Raised after a tier's successful call, with the tier and its latency in milliseconds.</summary>
    public event Action<Tier, double>? LatencyRecorded;

    /// <summary>The latency of the tier's latest successful call in milliseconds; null before the first.</summary>
    public double? LastLatency(Tier tier) => (tier == Tier.Fallback ? _fallbackLatency : _localLatency).Last;

    internal void RecordLatency(Tier tier, TimeSpan elapsed)
    {
        (tier == Tier.Fallback ? _fallbackLatency : _localLatency).Add(elapsed.TotalMilliseconds);
        LatencyRecorded?.Invoke(tier, elapsed.TotalMilliseconds);
    }

    internal void RecordEscalation(EscalationReason reason) => _escalations.Increment(EscalationPolicy.Name(reason));

    internal void RecordFailure(string reason) => _failures.Increment(reason);

    internal void RecordUsed() => _fallbackUsed.Increment();

    internal void RecordLate() => _fallbackLate.Increment();

    internal void RecordFailed() => _fallbackFailed.Increment();

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

            return (Math.Round(Percentile.Of(sorted, 0.50)!.Value, 1), Math.Round(Percentile.Of(sorted, 0.95)!.Value, 1));
        }
    }
}
