using CodeAssist.Server.Completion;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Completion;

/// <summary>The check stage: a candidate must be Python where it would go; an invalid one keeps only its valid start.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class CandidateCheckTests
{
    private const string Loop = "import os\n\n\nfor name in os.listdir(\".\"):\n    ";

    [Fact]
    public void TheGhostTextAUserSawIsRejectedAndItsValidStartKept()
    {
        var check = CandidateCheck.Check(Loop, "print(path) as handle:", string.Empty);
        Assert.NotNull(check.Rejection);
        Assert.StartsWith("syntax", check.Rejection, StringComparison.Ordinal);
        Assert.Equal("print(", check.Kept); // print(path) is valid syntax, but path is bound nowhere
        Assert.Equal("print(name)", CandidateCheck.Check(Loop, "print(name) as handle:", string.Empty).Kept);
    }

    [Theory]
    [InlineData("print(name)")]
    [InlineData("print(name,")] // unfinished: the next lines may close it
    [InlineData("if name.endswith(\".py\"):")] // an open block
    [InlineData("total += len(name)  # count")]
    public void ValidAndUnfinishedCandidatesPass(string candidate)
    {
        var check = CandidateCheck.Check(Loop, candidate, string.Empty);
        Assert.Null(check.Rejection);
        Assert.Equal(candidate, check.Kept);
    }

    [Fact]
    public void TheRestOfTheCursorsLineCounts()
    {
        const string prefix = "def f(a, b):\n    return max(";
        Assert.Null(CandidateCheck.Reject(prefix, "a, b", ")\n"));
        Assert.NotNull(CandidateCheck.Reject(prefix, "a, b))", ")\n"));
    }

    [Fact]
    public void AMultiLineCandidateKeepsTheWholeLinesBeforeItsError()
    {
        var check = CandidateCheck.Check("def area(width, height):\n    ", "result = width * height\n    return result as r", "\n");
        Assert.NotNull(check.Rejection);
        Assert.Equal("result = width * height", check.Kept);
    }

    [Theory]
    [InlineData("total_after_duties(order, zone):", "total_after_duties(order, zone)")] // a definition's colon, copied one step too far
    [InlineData("lookup(key)),", "lookup(key)")] // the extra ")" is the error
    public void AStrayEndAfterACompleteLineIsMendedNotCut(string candidate, string mended)
    {
        var check = CandidateCheck.Check("def invoice(order, zone, key):\n    total = order.", candidate, "\n");
        Assert.StartsWith("syntax", check.Rejection, StringComparison.Ordinal);
        Assert.Equal(mended, check.Kept);
        Assert.True(check.Mended);
    }

    [Theory]
    [InlineData("print(name) as handle:")] // words after the valid start: the model meant something else
    [InlineData("print(name) ):")] // three characters
    public void MoreThanAStrayEndIsCut(string candidate)
    {
        var check = CandidateCheck.Check(Loop, candidate, string.Empty);
        Assert.NotNull(check.Rejection);
        Assert.Equal("print(name)", check.Kept);
        Assert.False(check.Mended);
    }

    [Fact]
    public void NothingIsKeptWhenTheFirstTokenIsAlreadyWrong()
    {
        var check = CandidateCheck.Check("x = 1\n", ") + 2", string.Empty);
        Assert.NotNull(check.Rejection);
        Assert.Equal(string.Empty, check.Kept);
    }

    [Fact]
    public void CodeThatIsAlreadyInvalidBeforeTheCursorCannotBeJudgedSoEverythingPasses()
    {
        const string broken = "def f(:\n    return 1\n\nx = ";
        Assert.Null(CandidateCheck.Reject(broken, "1 as y", string.Empty));
    }

    [Fact]
    public void TheRegionStartsAtTheLastTopLevelStatement()
    {
        const string prefix = "import os\n\nclass A:\n    def f(self):\n        return (\n            1\n)\n    x = ";
        Assert.Equal(prefix.IndexOf("class", StringComparison.Ordinal), CandidateCheck.StatementStart(prefix));
        Assert.Equal(0, CandidateCheck.StatementStart("    x = "));
    }
}
