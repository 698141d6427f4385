using System.Collections.Concurrent;

namespace CodeAssist.Server.Statistics;

/// <summary>A thread-safe count, or the largest value observed; every statistics class counts with it.</summary>
public sealed class Counter
{
    private long _value;

    /// <summary>The count now.</summary>
    public long Value => Interlocked.Read(ref _value);

    /// <summary>Adds one.</summary>
    public void Increment() => Interlocked.Increment(ref _value);

    /// <summary>Adds <paramref name="amount"/>.</summary>
    public void Add(long amount) => Interlocked.Add(ref _value, amount);

    /// <summary>Keeps the larger of the value and <paramref name="observed"/> (for "the most ever at once").</summary>
    public void Observe(long observed)
    {
        var seen = Interlocked.Read(ref _value);
        while (observed > seen)
        {
            var previous = Interlocked.CompareExchange(ref _value, observed, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}

/// <summary>Thread-safe counts by name (escalation reasons, failure reasons).</summary>
public sealed class CountsByName
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>Adds one to <paramref name="name"/>.</summary>
    public void Increment(string name) => _counts.AddOrUpdate(name, 1, static (_, n) => n + 1);

    /// <summary>A copy of the counts; every name in <paramref name="always"/> is present, 0 when never counted.</summary>
    public IReadOnlyDictionary<string, long> Snapshot(IEnumerable<string> always)
    {
        ArgumentNullException.ThrowIfNull(always);
        var copy = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var name in always)
        {
            copy[name] = 0;
        }

        foreach (var (name, count) in _counts)
        {
            copy[name] = count;
        }

        return copy;
    }
}
