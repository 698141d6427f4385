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
}
