using CodeAssist.Tests.Testing;
using CodeAssist.Tools.Evaluation;

namespace CodeAssist.Tests.Evaluation;

/// <summary>The measures, on hand-made cases whose answers are known.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class EvalMetricsTests
{
    [Theory]
    [InlineData("abc", "abc", 1.0)]
    [InlineData("abc", "abd", 2.0 / 3)]
    [InlineData("", "abcd", 0.0)]
    [InlineData("", "", 1.0)]
    [InlineData("return x  ", "return x", 1.0)]
    [InlineData("kitten", "sitting", 1 - (3.0 / 7))]
    public void EditSimilarityIsOneMinusNormalisedLevenshtein(string predicted, string expected, double similarity)
    {
        Assert.Equal(similarity, EvalMetrics.EditSimilarity(predicted, expected), 6);
    }

    [Fact]
    public void ExactMatchIgnoresTrailingWhitespaceOnly()
    {
        Assert.True(EvalMetrics.ExactMatch("return x  ", "return x"));
        Assert.False(EvalMetrics.ExactMatch(" return x", "return x"));
        Assert.Equal(3, EvalMetrics.Levenshtein("kitten", "sitting"));
        Assert.Equal("first", EvalMetrics.FirstLine("first\nsecond"));
        Assert.Equal(3.0, EvalMetrics.Percentile([5, 1, 3, 2, 4], 0.5));
        Assert.Equal(4.8, EvalMetrics.Percentile([5, 1, 3, 2, 4], 0.95), 9);
        Assert.Equal(0.0, EvalMetrics.Percentile([], 0.5));
    }

    [Fact]
    public void LinePointsScoreTheTypedStartPlusTheFirstCompletedLine()
    {
        // Typed "ret", completed "urn x": the line is "return x", exactly right.
        var exact = EvalMetrics.Score(EvalKind.Line, "ret", "urn x", "urn x");
        Assert.Equal(new PointScore(true, true, 1.0), exact);

        // A second line in the completion is not part of a line point.
        Assert.Equal(new PointScore(true, true, 1.0), EvalMetrics.Score(EvalKind.Fim, "", "return x\nprint(x)", "return x"));

        // "return y" against "return x": one substitution in eight characters.
        var near = EvalMetrics.Score(EvalKind.Line, "ret", "urn y", "urn x");
        Assert.False(near.ExactMatch);
        Assert.False(near.FirstLineExactMatch);
        Assert.Equal(1 - (1.0 / 8), near.EditSimilarity, 6);

        // Nothing completed: the typed part still counts towards similarity.
        Assert.Equal(3.0 / 8, EvalMetrics.Score(EvalKind.Line, "ret", "", "urn x").EditSimilarity, 6);
    }

    [Fact]
    public void BlockPointsScoreTheWholeBodyAndItsFirstLineApart()
    {
        const string Body = "total = a + b\n    return total";

        // Blank lines and trailing spaces do not count; indentation does.
        var same = EvalMetrics.Score(EvalKind.Block, "", "total = a + b  \n\n    return total\n", Body);
        Assert.Equal(new PointScore(true, true, 1.0), same);

        // First line right, second wrong: exact match fails, first-line match holds.
        var firstOnly = EvalMetrics.Score(EvalKind.Block, "", "total = a + b\n    return None", Body);
        Assert.False(firstOnly.ExactMatch);
        Assert.True(firstOnly.FirstLineExactMatch);
        var normalised = "total = a + b\n    return total";
        Assert.Equal(1 - ((double)EvalMetrics.Levenshtein("total = a + b\n    return None", normalised) / normalised.Length), firstOnly.EditSimilarity, 6);

        // Only the first line written: not exact, similarity is the share of the body it covers.
        var partial = EvalMetrics.Score(EvalKind.Block, "", "total = a + b", Body);
        Assert.False(partial.ExactMatch);
        Assert.True(partial.FirstLineExactMatch);
        Assert.Equal(13.0 / normalised.Length, partial.EditSimilarity, 6);

        // Wrong indentation of the second line is a difference.
        Assert.False(EvalMetrics.Score(EvalKind.Block, "", "total = a + b\nreturn total", Body).ExactMatch);
    }

    [Fact]
    public void NormalizeBlockDropsBlankLinesAndTrailingWhitespace()
    {
        Assert.Equal("a = 1\n    b = 2", EvalMetrics.NormalizeBlock("a = 1   \n\n   \n    b = 2\n\n"));
        Assert.Equal(string.Empty, EvalMetrics.NormalizeBlock("\n  \n"));
    }

    [Theory]
    [InlineData("print(name)", "print(name)", 11)] // exact: the whole line
    [InlineData("print(path) as handle:", "print(name)", 6)] // "print(" then a word the two part in
    [InlineData("foobar", "foobaz", 0)] // one word, not the same word
    [InlineData("x = foo(1)", "x = bar(1)", 4)]
    [InlineData("", "print(name)", 0)]
    [InlineData("return a\nmore", "return a", 8)] // the first line only
    public void AcceptedCharactersAreWhatWordByWordAcceptKeeps(string completion, string expected, int kept) =>
        Assert.Equal(kept, EvalMetrics.AcceptedChars(completion, expected));
}
