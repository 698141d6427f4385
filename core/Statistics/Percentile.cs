namespace CodeAssist.Server.Statistics;

/// <summary>The one percentile every figure uses (router statistics, bench, eval): linear interpolation between the nearest ranks.</summary>
public static class Percentile
{
    /// <summary>The <paramref name="q"/>-quantile (0–1) of <paramref name="values"/>; null when there are none.</summary>
    public static double? Of(IReadOnlyList<double> values, double q)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(q, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(q, 1);
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToArray();
        var rank = q * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(sorted.Length - 1, low + 1);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }
}
