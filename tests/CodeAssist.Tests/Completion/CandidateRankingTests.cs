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
    public void OnATieTheEarlierCandidateWinsAndRepeatedTextsCountOnce()
    {
        var ranked = CandidateRanking.Rank([Candidate("a = 1", -0.5), Candidate("b = 2", -0.5), Candidate("a = 1", -0.3)]);
        Assert.Equal(["a = 1", "b = 2"], ranked.Select(c => c.Text));
        Assert.Equal(-0.3, ranked[0].Score);
        Assert.Equal("names", Candidate("x", -1, "names: 'x' is not bound").RejectedBy);
    }
}
