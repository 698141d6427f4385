using CodeAssist.Server.Python;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Python;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class PythonLexerTests
{
    [Theory]
    [InlineData("x = \"abc")]
    [InlineData("x = 'it\\'s")]
    [InlineData("x = \"\"\"doc\nmore")]
    [InlineData("x = r\"\\\"")]
    [InlineData("x = f\"{y")]
    [InlineData("x = f\"{y:>{w")]
    [InlineData("x = Rb'''a\n'")]
    [InlineData("s = 'a\\\ncontinued")]
    public void TextEndingInsideAStringIsInString(string text)
    {
        PythonLexResult result = PythonLexer.Lex(text);

        Assert.True(result.EndsInString);
        Assert.False(result.EndState.InComment);
    }

    [Theory]
    [InlineData("x = \"abc\"")]
    [InlineData("x = \"\"\"doc\nmore\"\"\"")]
    [InlineData("x = r\"\\\\\"")]
    [InlineData("x = f\"{a['k']}\"")]
    [InlineData("x = f\"{a[\"k\"]}\"")]
    [InlineData("x = f\"{a:>{w}}\"")]
    [InlineData("x = f\"{{literal\"")]
    [InlineData("x = rf\"\\{a}\"")]
    [InlineData("x = ''")]
    [InlineData("x = 'unterminated\ny = 1")]
    [InlineData("s = \"# not a comment\"")]
    public void TextEndingAfterAClosedStringIsInCode(string text)
    {
        PythonLexResult result = PythonLexer.Lex(text);

        Assert.False(result.EndsInString);
        Assert.False(result.EndState.InComment);
        Assert.Equal(0, result.BracketDepth);
    }

    [Theory]
    [InlineData("x = 1  # comment (", true, 0)]
    [InlineData("foo(a  # why [\n", false, 1)]
    [InlineData("s = '#' + (", false, 1)]
    [InlineData("# only", true, 0)]
    public void HashStartsACommentOnlyInCode(string text, bool inComment, int depth)
    {
        PythonLexResult result = PythonLexer.Lex(text);

        Assert.Equal(inComment, result.EndState.InComment);
        Assert.Equal(depth, result.BracketDepth);
    }

    [Theory]
    [InlineData("foo(a, [1, {", "([{")]
    [InlineData("foo(\"(\", ')'", "(")]
    [InlineData("x = [f\"{a[0]}\", (", "[(")]
    [InlineData("d = {\n  'k': [\n    1,\n  ],\n", "{")]
    [InlineData("a = (1)\n", "")]
    public void BracketDepthCountsOnlyBracketsInCode(string text, string open)
    {
        PythonLexResult result = PythonLexer.Lex(text);

        Assert.Equal(open, result.EndState.OpenBrackets);
        Assert.Equal(open.Length, result.BracketDepth);
    }

    [Theory]
    [InlineData("def f():", true)]
    [InlineData("if x:  # why", true)]
    [InlineData("else:", true)]
    [InlineData("class A(B, metaclass=M):", true)]
    [InlineData("    async with lock:", true)]
    [InlineData("d = {1:", false)]
    [InlineData("x = y[1:", false)]
    [InlineData("x = 'a:'", false)]
    [InlineData("x = \"\"\"text:", false)]
    [InlineData("x: int = 1", false)]
    [InlineData("if x: pass", false)]
    [InlineData("# if x:", false)]
    public void BlockOpenerEndsWithAColonOutsideStringsCommentsAndBrackets(string line, bool opener)
    {
        PythonLexResult result = PythonLexer.Lex(line);

        Assert.Equal(opener, result.Lines[0].IsBlockOpener);
    }

    [Fact]
    public void MultiLineSignatureOpensTheBlockOnItsLastLine()
    {
        PythonLexResult result = PythonLexer.Lex("def f(a,\n      b):\n    pass\n");

        Assert.False(result.Lines[0].IsBlockOpener);
        Assert.True(result.Lines[1].IsBlockOpener);
        Assert.Equal(0, result.Lines[1].LogicalStartLine);
        Assert.False(result.Lines[1].StartsLogicalLine);
        Assert.True(result.Lines[2].StartsLogicalLine);
    }

    [Fact]
    public void BackslashContinuesTheStatementOnTheNextLine()
    {
        PythonLexResult result = PythonLexer.Lex("if a and \\\n   b:\n    pass");

        Assert.False(result.Lines[0].IsBlockOpener);
        Assert.True(result.Lines[1].StartsContinued);
        Assert.True(result.Lines[1].IsBlockOpener);
        Assert.Equal(0, result.Lines[1].LogicalStartLine);
    }

    [Fact]
    public void LinesAreClassifiedAsBlankCommentOrCode()
    {
        const string Text = "   \n# c\n  # c\nx = 1  # c\n'''\n# in a string\n'''";

        PythonLexResult result = PythonLexer.Lex(Text);

        Assert.Equal([true, false, false, false, false, false, false], result.Lines.Select(line => line.IsBlank));
        Assert.Equal([false, true, true, false, false, false, false], result.Lines.Select(line => line.IsCommentOnly));
        Assert.Equal([false, false, false, true, true, true, true], result.Lines.Select(line => line.IsCode));
        Assert.Equal([false, false, false, false, false, true, true], result.Lines.Select(line => line.StartsInString));
    }

    [Fact]
    public void LinesFollowCrlfAndLoneCrBreaks()
    {
        PythonLexResult result = PythonLexer.Lex("a = (\r\n1)\rb = 2");

        Assert.Equal([(0, 5), (7, 2), (10, 5)], result.Lines.Select(line => (line.Start, line.Length)));
        Assert.Equal(1, result.Lines[1].BracketDepthAtStart);
    }

    [Theory]
    [InlineData("a)", new[] { 1 })]
    [InlineData("(a))", new[] { 3 })]
    [InlineData("(]", new[] { 1 })]
    [InlineData("\")\" + f\"{x}\"", new int[0])]
    [InlineData("x = [1]\n]", new[] { 8 })]
    public void ClosingBracketsThatCloseNothingAreReported(string text, int[] offsets)
    {
        Assert.Equal(offsets, PythonLexer.Lex(text).UnmatchedClosers);
    }

    [Fact]
    public void LexingResumesFromTheStateAtTheEndOfThePrefix()
    {
        PythonLexResult prefix = PythonLexer.Lex("def f():\n    return g(\"\"\"a");

        PythonLexResult rest = PythonLexer.Lex("b\"\"\", x))\n", prefix.EndState);

        Assert.True(prefix.EndsInString);
        Assert.Equal([8], rest.UnmatchedClosers);
        Assert.Equal(0, rest.BracketDepth);
        Assert.True(rest.Lines[0].StartsInString);
    }

    [Theory]
    [InlineData("f", true, true, false)]
    [InlineData("rb", true, false, true)]
    [InlineData("Rf", true, true, true)]
    [InlineData("t", true, true, false)]
    [InlineData("u", true, false, false)]
    [InlineData("ur", false, false, false)]
    [InlineData("bf", false, false, false)]
    [InlineData("if", false, false, false)]
    [InlineData("rr", false, false, false)]
    public void StringPrefixesAreRecognised(string word, bool valid, bool formatted, bool raw)
    {
        Assert.Equal(valid, PythonLexer.IsStringPrefix(word, out bool isFormatted, out bool isRaw));
        Assert.Equal(formatted, isFormatted);
        Assert.Equal(raw, isRaw);
    }
}
