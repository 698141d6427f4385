using CodeAssist.Server.Completion;

namespace CodeAssist.Tools.Evaluation;

/// <summary>How one completion scored: exact match, first-line exact match, edit similarity.</summary>
public readonly record struct PointScore(bool ExactMatch, bool FirstLineExactMatch, double EditSimilarity);

/// <summary>The measures the evaluation reports.</summary>
public static class EvalMetrics
{
    /// <summary>True when the completed line equals the expected one (trailing whitespace ignored).</summary>
    public static bool ExactMatch(string predicted, string expected) =>
        string.Equals(predicted.TrimEnd(), expected.TrimEnd(), StringComparison.Ordinal);

    /// <summary>1 − normalised Levenshtein distance: 1 for equal strings, 0 for nothing in common (<see cref="TextSimilarity"/>, the server's own).</summary>
    public static double EditSimilarity(string predicted, string expected) => TextSimilarity.EditSimilarity(predicted, expected);

    /// <summary>The edit distance (insertions, deletions, substitutions) between two strings.</summary>
    public static int Levenshtein(string a, string b) => TextSimilarity.Levenshtein(a, b);

    /// <summary>The first line of a completion (what the editor shows on the cursor's line).</summary>
    public static string FirstLine(string completion)
    {
        var newline = completion.IndexOf('\n');
        return newline < 0 ? completion : completion[..newline];
    }

    /// <summary>
    /// A body as it is compared: each line without trailing whitespace, blank lines dropped (a model that leaves out or
    /// adds an empty line between statements wrote the same code), indentation kept.
    /// </summary>
    public static string NormalizeBlock(string text) =>
        string.Join('\n', text.Split('\n').Select(line => line.TrimEnd()).Where(line => line.Length > 0));

    /// <summary>
    /// Scores one completion at a point of <paramref name="kind"/>: the typed start of the line plus the completion against
    /// the typed start plus the expected text. Line and FIM points compare the completion's first line (the line the
    /// cursor is on); block points compare the whole body (<see cref="NormalizeBlock"/>). The first line is also compared alone.
    /// </summary>
    public static PointScore Score(EvalKind kind, string typed, string completion, string expected)
    {
        var predicted = typed + completion;
        var actual = typed + expected;
        var firstLine = ExactMatch(FirstLine(predicted), FirstLine(actual));
        if (kind is EvalKind.Block or EvalKind.Implement)
        {
            var body = NormalizeBlock(predicted);
            var truth = NormalizeBlock(actual);
            return new PointScore(string.Equals(body, truth, StringComparison.Ordinal), firstLine, EditSimilarity(body, truth));
        }

        return new PointScore(ExactMatch(FirstLine(predicted), FirstLine(actual)), firstLine, EditSimilarity(FirstLine(predicted), FirstLine(actual)));
    }

    /// <summary>
    /// Characters of <paramref name="completion"/>'s first line a user keeps when the real text is <paramref name="expected"/>:
    /// all of it when the first lines are equal, else their common start cut back to the end of a word (accepting word
    /// by word keeps whole words only).
    /// </summary>
    public static int AcceptedChars(string completion, string expected)
    {
        ArgumentNullException.ThrowIfNull(completion);
        ArgumentNullException.ThrowIfNull(expected);
        var suggested = FirstLine(completion).TrimEnd();
        var real = FirstLine(expected).TrimEnd();
        if (suggested.Length == 0)
        {
            return 0;
        }

        if (string.Equals(suggested, real, StringComparison.Ordinal))
        {
            return suggested.Length;
        }

        var common = 0;
        while (common < suggested.Length && common < real.Length && suggested[common] == real[common])
        {
            common++;
        }

        // A word the two texts part in the middle of is not kept.
        while (common > 0 && common < suggested.Length && IsWordChar(suggested[common - 1]) && IsWordChar(suggested[common]))
        {
            common--;
        }

        while (common > 0 && common < real.Length && IsWordChar(real[common - 1]) && IsWordChar(real[common]))
        {
            common--;
        }

        return common;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    /// <summary>The <paramref name="q"/>-quantile (0–1) of <paramref name="values"/>; 0 when there are none.</summary>
    public static double Percentile(IReadOnlyList<double> values, double q) => Server.Statistics.Percentile.Of(values, q) ?? 0;
}
