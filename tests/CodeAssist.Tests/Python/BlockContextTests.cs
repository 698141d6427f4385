using CodeAssist.Server.Python;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Python;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class BlockContextTests
{
    [Theory]
    [InlineData("def f():\n    ", "", "def", 4, true)]
    [InlineData("def f():\n    ", "\n    return 1\n", "def", 4, false)]
    [InlineData("def f():\n    ", "\n\n# note\ndef g():\n    pass\n", "def", 4, true)]
    [InlineData("class A:\n    def f(self):\n        ", "\n\n    def g(self):\n        pass", "def", 8, true)]
    [InlineData("if x:\n", "", "if", 4, true)]
    [InlineData("def f(a,\n      b):\n    ", "", "def", 4, true)]
    [InlineData("async def f():\n    ", "", "def", 4, true)]
    [InlineData("def f():\n    # todo\n    ", "", "def", 4, true)]
    [InlineData("def f():\r\n    ", "\r\n", "def", 4, true)]
    [InlineData("for x in xs:\n        ", "\n    print(x)", "for", 8, false)]
    public void BlankLineAfterAnOpenerStartsABlock(string prefix, string suffix, string keyword, int blockIndent, bool empty)
    {
        BlockContext context = BlockContext.Analyze(prefix, suffix);

        Assert.True(context.StartsBlock);
        Assert.Equal(keyword, context.BlockKeyword);
        Assert.Equal(blockIndent, context.BlockIndent);
        Assert.Equal(empty, context.IsEmptyBlockBody);
        Assert.Equal(empty && keyword == "def", context.IsEmptyFunctionBody);
    }

    [Fact]
    public void TabIndentedOpenerExpectsATabDeepBody()
    {
        BlockContext context = BlockContext.Analyze("def f():\n", string.Empty, IndentStyle.Tabs);

        Assert.True(context.StartsBlock);
        Assert.Equal(8, context.BlockIndent);
    }

    [Fact]
    public void EmptyClassBodyIsNotAnEmptyFunctionBody()
    {
        BlockContext context = BlockContext.Analyze("class A:\n    ", string.Empty);

        Assert.True(context.IsEmptyBlockBody);
        Assert.False(context.IsEmptyFunctionBody);
    }

    [Theory]
    [InlineData("x = 1\n    ", "", 4)]
    [InlineData("def f():\n    pass\n", "", 0)]
    [InlineData("def f():\n    ", "x = 1", 4)]
    [InlineData("x = \"\"\"\n    ", "", 0)]
    public void OtherBlankLinesDoNotStartABlock(string prefix, string suffix, int blockIndent)
    {
        BlockContext context = BlockContext.Analyze(prefix, suffix);

        Assert.False(context.StartsBlock);
        Assert.Equal(blockIndent, context.BlockIndent);
        Assert.False(context.IsEmptyFunctionBody);
    }

    [Theory]
    [InlineData("def f():\n    x = 1 + \\\n        ")]
    [InlineData("def f():\n    x = (\n        ")]
    [InlineData("def f():\n    x = '''\n        ")]
    public void BlankLineThatContinuesAStatementTakesTheStatementsIndentation(string prefix)
    {
        BlockContext context = BlockContext.Analyze(prefix, string.Empty);

        Assert.False(context.LineStartsStatement);
        Assert.False(context.StartsBlock);
        Assert.Equal(4, context.BlockIndent);
        Assert.Equal("    ", context.LineIndentText);
    }

    [Fact]
    public void CursorInsideAStatementUsesTheStatementsIndentation()
    {
        BlockContext context = BlockContext.Analyze("def f():\n    total = compute(a,\n                    b", ", c)\n    return total");

        Assert.Equal("                    b", context.LinePrefix);
        Assert.Equal(", c)", context.LineSuffix);
        Assert.False(context.IsLinePrefixBlank);
        Assert.Equal("    ", context.LineIndentText);
        Assert.Equal(4, context.BlockIndent);
        Assert.Equal(1, context.BracketDepth);
        Assert.Equal("    total = compute(a,", context.PreviousCodeLine);
    }

    [Fact]
    public void CursorLineAndPreviousCodeLineSkipCommentsAndCrlf()
    {
        BlockContext context = BlockContext.Analyze("x = 1\r\n\r\n# comment\r\ny = ", "2\r\nz = 3");

        Assert.Equal("y = ", context.LinePrefix);
        Assert.Equal("2", context.LineSuffix);
        Assert.Equal("x = 1", context.PreviousCodeLine);
        Assert.Equal(4, context.CursorColumn);
    }

    [Fact]
    public void CursorInAStringOrCommentIsReported()
    {
        Assert.True(BlockContext.Analyze("def f():\n    \"\"\"Return ", "\"\"\"").InString);
        Assert.True(BlockContext.Analyze("x = 1  # set ", "").InComment);
    }

    [Fact]
    public void CursorAfterAnOpenersColonIsReported()
    {
        BlockContext context = BlockContext.Analyze("def f():", "\n");

        Assert.True(context.LinePrefixOpensBlock);
        Assert.False(context.StartsBlock);
    }
}
