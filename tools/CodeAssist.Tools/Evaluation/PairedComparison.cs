namespace CodeAssist.Tools.Evaluation;

/// <summary>
/// One contestant against the first one on the same points of one kind: the mean of the per-point differences in
/// edit similarity and its 95 % confidence interval (normal approximation, mean ± 1.96 standard errors). Because both
/// answered the same points, the point-to-point variation that is common to both cancels, and a gap whose interval
/// excludes 0 is not noise.
/// </summary>
/// <param name="Contestant">The contestant compared.</param>
/// <param name="Reference">The first contestant that ran, compared against.</param>
/// <param name="Kind">The kind of point.</param>
/// <param name="Points">Points compared.</param>
/// <param name="MeanDifference">Mean of (contestant − reference) edit similarity.</param>
/// <param name="Low">Lower end of the 95 % interval.</param>
/// <param name="High">Upper end of the 95 % interval.</param>
public sealed record PairedComparison(string Contestant, string Reference, EvalKind Kind, int Points, double MeanDifference, double Low, double High)
{
    private const double Z95 = 1.959964;

    /// <summary>Every contestant that ran, after the first, against the first, per kind both have per-point scores for.</summary>
    public static IReadOnlyList<PairedComparison> Against(EvalReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var ran = report.Contestants.Where(c => c.Status == ContestantStatus.Ok && c.Kinds.Count > 0).ToList();
        if (ran.Count < 2)
        {
            return [];
        }

        var reference = ran[0];
        var comparisons = new List<PairedComparison>();
        foreach (var other in ran.Skip(1))
        {
            foreach (var kind in other.Kinds)
            {
                var mine = kind.PointEditSimilarity;
                var theirs = reference.Kinds.FirstOrDefault(k => k.Kind == kind.Kind)?.PointEditSimilarity;
                if (mine is null || theirs is null || mine.Count != theirs.Count || mine.Count < 2)
                {
                    continue;
                }

                comparisons.Add(Of(other.Name, reference.Name, kind.Kind, mine, theirs));
            }
        }

        return comparisons;
    }

    /// <summary>The comparison of two per-point score lists of the same points.</summary>
    public static PairedComparison Of(string contestant, string reference, EvalKind kind, IReadOnlyList<double> scores, IReadOnlyList<double> referenceScores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(referenceScores);
        if (scores.Count != referenceScores.Count || scores.Count < 2)
        {
            throw new ArgumentException("a paired comparison needs the same two or more points on both sides");
        }

        var differences = scores.Zip(referenceScores, (a, b) => a - b).ToList();
        var mean = differences.Average();
        var variance = differences.Sum(d => (d - mean) * (d - mean)) / (differences.Count - 1);
        var half = Z95 * Math.Sqrt(variance / differences.Count);
        return new PairedComparison(contestant, reference, kind, differences.Count, mean, mean - half, mean + half);
    }

    /// <summary>As a note: <c>line: baseline:copy − codeassist-py-tiny = −0.087 (95 % CI −0.118 to −0.056)</c>.</summary>
    public override string ToString() => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"{EvalNamesText(Kind)}: {Contestant} − {Reference} = {MeanDifference:+0.000;−0.000;0.000} (95 % CI {Low:+0.000;−0.000;0.000} to {High:+0.000;−0.000;0.000})");

    private static string EvalNamesText(EvalKind kind) => Reporting.EvalNames.Of(kind);
}
