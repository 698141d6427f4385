using CodeAssist.Server.Completion;
using CodeAssist.Server.Inference;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Completion;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class CandidateRankingTests
{
    private static JudgedCandidate Candidate(string text, double meanLogprob, string? rejection = null) =>
        new(new ModelCompletion(text, text, 3, meanLogprob, meanLogprob, 10, 0, StopReason.EndToken, TimeSpan.Zero), text, rejection);

    [Fact]
    public void PassingCandidatesComeFirstByScoreAndRejectedOrEmptyOnesAreOut()
    {
        var ranked = CandidateRanking.Rank(
        [
            Candidate("print(path) as handle:", -0.1, "syntax: invalid syntax"),
            Candidate("print(name)", -0.6),
            Candidate(string.Empty, -0.05),
            Candidate("print(os.path.join(name))", -0.4),
            Candidate("print(path)", -0.2, "names: 'path' is not bound"),
        ]);
        Assert.Equal(["print(os.path.join(name))", "print(name)"], ranked.Select(c => c.Text));
    }

    [Fact]
    public void WhenNothingPassedAnExplicitRequestShowsACandidateRefusedOnlyForANameBeforeOneThatIsNotPython()
    {
        // What tiny proposes after "print(" in main's loop of the e2e file (path is read_lines's parameter).
        var refused = new[]
        {
            Candidate("path) as handle:", -0.3, "syntax: invalid syntax"),
            Candidate(string.Empty, -0.1, "repetition: the line loops on \"} {name\""),
            Candidate("path)", -0.4, "names: 'path' is not bound here (only in read_lines)"),
        };
        Assert.Equal("path)", CandidateRanking.BestRefused(refused)?.Text);
        Assert.Equal("path) as handle:", CandidateRanking.BestRefused(refused[..2])?.Text);
        Assert.Null(CandidateRanking.BestRefused([refused[1]]));
        Assert.Equal("b", CandidateRanking.BestRefused([Candidate("a", -0.9, "names: 'a' is not bound"), Candidate("b", -0.2, "names: 'b' is not bound")])?.Text);
    }

    [Fact]
    public void OnATieTheEarlierCandidateWinsAndRepeatedTextsCountOnce()
    {
        var ranked = CandidateRanking.Rank([Candidate("a = 1", -0.5), Candidate("b = 2", -0.5), Candidate("a = 1", -0.3)]);
        Assert.Equal(["a = 1", "b = 2"], ranked.Select(c => c.Text));
        Assert.Equal(-0.3, ranked[0].Score);
        Assert.Equal("names", Candidate("x", -1, "names: 'x' is not bound").RejectedBy);
    }
}
