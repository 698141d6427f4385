namespace CodeAssist.Server.Evaluation;

/// <summary>The measures the evaluation reports.</summary>
public static class EvalMetrics
{
    /// <summary>True when the completed line equals the expected one (trailing whitespace ignored).</summary>
    public static bool ExactMatch(string predicted, string expected) =>
        string.Equals(predicted.TrimEnd(), expected.TrimEnd(), StringComparison.Ordinal);

    /// <summary>1 − normalised Levenshtein distance: 1 for equal strings, 0 for nothing in common.</summary>
    public static double EditSimilarity(string predicted, string expected)
    {
        predicted = predicted.TrimEnd();
        expected = expected.TrimEnd();
        var longest = Math.Max(predicted.Length, expected.Length);
        return longest == 0 ? 1.0 : 1.0 - ((double)Levenshtein(predicted, expected) / longest);
    }

    /// <summary>The edit distance (insertions, deletions, substitutions) between two strings.</summary>
    public static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    /// <summary>The first line of a completion (what the editor shows on the cursor's line).</summary>
    public static string FirstLine(string completion)
    {
        var newline = completion.IndexOf('\n');
        return newline < 0 ? completion : completion[..newline];
    }

    /// <summary>The value at quantile <paramref name="q"/> (0..1) of the values, nearest-rank.</summary>
    public static double Percentile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(q * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
