namespace CodeAssist.Server.Completion;

/// <summary>How alike two texts are: the one edit similarity of the server (ranking code actions' candidates) and of the evaluation.</summary>
public static class TextSimilarity
{
    /// <summary>1 − normalised Levenshtein distance (trailing white space ignored): 1 for equal strings, 0 for nothing in common.</summary>
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
}
