using CodeAssist.Server.CodeActions;
using CodeAssist.Server.Protocol;
using CodeAssist.Server.Python;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Completion;

[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class CodeActionTextTests
{
    private static readonly CodeActionPlan Docstring = new(CodeAssistActionKinds.WriteDocstring, 0, 0, "\n    \"\"\"", "\"\"\"", "    ", 8);

    [Theory]
    [InlineData("Return the area.\"\"\"\n    return 1", "Return the area.")]
    [InlineData("  Return the area.  ", "Return the area.")]
    [InlineData("Say \"hi\"", "Say \"hi")]
    [InlineData("Ends with a backslash\\", "Ends with a backslash")]
    [InlineData("First.\n\n      More words.\n\"\"\"", "First.\n\n    More words.\n    ")]
    [InlineData("\"\"\"", "")]
    [InlineData("   \n  ", "")]
    public void ADocstringIsCutAtItsClosingQuotesAndIndentedLikeTheBody(string generated, string expected) =>
        Assert.Equal(expected, CodeActionGenerator.Docstring(generated, Docstring));

    [Theory]
    [InlineData("x = 1\ny = (2,\n", "x = 1")]
    [InlineData("x = \"\"\"open\nstill open", "")]
    [InlineData("x = 1 + \\", "")]
    [InlineData("return a\n    + b", "return a\n    + b")]
    public void CodeEndsOnACompleteStatement(string code, string expected) =>
        Assert.Equal(expected, CodeActionGenerator.CompleteStatements(code, PythonLexState.Initial));

    [Theory]
    [InlineData("pass", true)]
    [InlineData("# nothing yet\nraise NotImplementedError(\"x\")", true)]
    [InlineData("", true)]
    [InlineData("return 1", false)]
    public void APlaceholderIsNoImplementation(string code, bool placeholder) =>
        Assert.Equal(placeholder, CodeActionGenerator.IsOnlyPlaceholder(code));

    [Fact]
    public void ABodyBegunDeeperThanItsIndentationIsRebased()
    {
        Assert.Equal("x = 1\n\t\treturn x", CodeActionGenerator.Rebase("\tx = 1\n\t\t\treturn x", "\t\t"));
        Assert.Equal("x = 1\n        return x", CodeActionGenerator.Rebase("x = 1\n        return x", "        "));
        Assert.Equal("if x:\n            y()\n        return x", CodeActionGenerator.Rebase("    if x:\n                y()\n            return x", "        "));
    }

    [Fact]
    public void ConsensusRanksTheCandidateMostLikeTheOthersFirst()
    {
        static CodeAssist.Server.Completion.JudgedCandidate Candidate(string text, double mean, string? rejection = null) =>
            new(new CodeAssist.Server.Inference.ModelCompletion(text, text, 3, mean, mean, 10, 0, CodeAssist.Server.Inference.StopReason.EndToken, TimeSpan.Zero), text, rejection);

        var ranked = CodeActionGenerator.RankByConsensus(
        [
            Candidate("return a", -0.1),
            Candidate("return a + b", -0.9),
            Candidate("return  a + b", -1.2),
            Candidate("return sum((a, b))", -0.5),
            Candidate("return a + c", -0.05, "names: 'c' is not bound"),
        ]);

        // The text sampled twice (spacing aside) wins over the likelier lone ones; the rejected one is out.
        Assert.Equal(["return a + b", "return  a + b", "return a", "return sum((a, b))"], ranked.Select(c => c.Text));
        Assert.Empty(CodeActionGenerator.RankByConsensus([Candidate("x", -1, "syntax: bad")]));
    }
}
