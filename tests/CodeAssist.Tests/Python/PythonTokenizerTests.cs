using CodeAssist.Server.Python;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Python;

/// <summary>The tokens the parser reads: kinds, structural tokens from indentation, and how the end of a text is described.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class PythonTokenizerTests
{
    [Fact]
    public void IndentationBecomesIndentAndDedentAndLogicalLinesEndInNewline()
    {
        var kinds = Kinds("if x:\n    y = (1,\n  2)\n\n    # comment\nz\n");
        Assert.Equal(
            [
                PythonTokenKind.If, PythonTokenKind.Name, PythonTokenKind.Colon, PythonTokenKind.Newline,
                PythonTokenKind.Indent, PythonTokenKind.Name, PythonTokenKind.Equal, PythonTokenKind.LeftParen, PythonTokenKind.Number,
                PythonTokenKind.Comma, PythonTokenKind.Number, PythonTokenKind.RightParen, PythonTokenKind.Newline,
                PythonTokenKind.Dedent, PythonTokenKind.Name, PythonTokenKind.Newline, PythonTokenKind.EndOfText,
            ],
            kinds);
    }

    [Fact]
    public void TheEndOfTheTextClosesTheLastLineAndItsBlocks()
    {
        var tokens = PythonTokenizer.Tokenize("def f():\n    return 1", fragment: false);
        Assert.Equal(
            [PythonTokenKind.Newline, PythonTokenKind.Dedent, PythonTokenKind.EndOfText],
            tokens.Tokens.TakeLast(3).Select(token => token.Kind));
        Assert.All(tokens.Tokens.TakeLast(3), token => Assert.Equal((21, 0), (token.Start, token.Length)));
        Assert.Equal(21, tokens.ContentEnd);
    }

    [Theory]
    [InlineData("a **= b", nameof(PythonTokenKind.AugmentedAssign))]
    [InlineData("a //= b", nameof(PythonTokenKind.AugmentedAssign))]
    [InlineData("a >>= b", nameof(PythonTokenKind.AugmentedAssign))]
    [InlineData("a -> b", nameof(PythonTokenKind.Arrow))]
    [InlineData("a := b", nameof(PythonTokenKind.ColonEqual))]
    [InlineData("a != b", nameof(PythonTokenKind.Comparison))]
    [InlineData("a <= b", nameof(PythonTokenKind.Comparison))]
    [InlineData("a << b", nameof(PythonTokenKind.Shift))]
    [InlineData("a // b", nameof(PythonTokenKind.TermOperator))]
    [InlineData("a ** b", nameof(PythonTokenKind.DoubleStar))]
    [InlineData("a ... b", nameof(PythonTokenKind.Ellipsis))]
    [InlineData("a @ b", nameof(PythonTokenKind.At))]
    [InlineData("a lambda b", nameof(PythonTokenKind.Lambda))]
    [InlineData("a match b", nameof(PythonTokenKind.Name))]
    public void OperatorsAreTheLongestThatMatch(string text, string kind) => Assert.Equal(Enum.Parse<PythonTokenKind>(kind), Kinds(text)[1]);

    [Theory]
    [InlineData("x = rb'a' f\"{y['k']!r:>{w}}\" '''\n''' u'\\''", 6)]
    [InlineData("x = f'{a:{b}}' 'c'", 4)]
    [InlineData("x = 1_000.5e-3j", 3)]
    [InlineData("x = 0xFF_FF", 3)]
    [InlineData("x = 1if y else 2", 7)]
    public void LiteralsAreSingleTokens(string text, int significant) =>
        Assert.Equal(significant, Kinds(text).Count(kind => kind is not (PythonTokenKind.Newline or PythonTokenKind.EndOfText)));

    [Theory]
    [InlineData("x = '''abc", nameof(PythonTruncation.TripleQuotedString), 4)]
    [InlineData("x = f'{a", nameof(PythonTruncation.String), 4)]
    [InlineData("x = 'abc\n  \n", nameof(PythonTruncation.String), 4)]
    [InlineData("x = 1 + \\", nameof(PythonTruncation.Continuation), 8)]
    [InlineData("x = 1 + \\\n", nameof(PythonTruncation.Continuation), 8)]
    [InlineData("x = (1 +", nameof(PythonTruncation.None), -1)]
    public void ATextThatEndsInsideATokenSaysWhereItStarts(string text, string truncation, int offset)
    {
        var tokens = PythonTokenizer.Tokenize(text, fragment: false);
        Assert.Null(tokens.ErrorMessage);
        Assert.Equal(Enum.Parse<PythonTruncation>(truncation), tokens.Truncation);
        if (offset >= 0)
        {
            Assert.Equal(offset, tokens.TruncationOffset);
        }
    }

    [Theory]
    [InlineData("x = 'abc\ny = 1", 4, "unterminated string literal")]
    [InlineData("x = [1, 2)", 9, "closing parenthesis ')' does not match opening parenthesis '['")]
    [InlineData("x = 1 ? 2", 6, "invalid character")]
    [InlineData("x = 09", 4, "leading zeros in decimal integer literals are not permitted")]
    [InlineData("if x:\n        a\n    b", 20, "unindent does not match any outer indentation level")]
    public void AnErrorEndsTheTokensWhereItIs(string text, int offset, string message)
    {
        var tokens = PythonTokenizer.Tokenize(text, fragment: false);
        Assert.Equal(message, tokens.ErrorMessage);
        Assert.Equal((PythonTokenKind.Error, offset), (tokens.Tokens[^2].Kind, tokens.Tokens[^2].Start));
    }

    [Fact]
    public void AFragmentMayDedentBelowItsFirstLine()
    {
        const string text = "        a\n    b\nc\n";
        var fragment = PythonTokenizer.Tokenize(text, fragment: true);
        Assert.Null(fragment.ErrorMessage);
        Assert.DoesNotContain(fragment.Tokens, token => token.Kind is PythonTokenKind.Indent or PythonTokenKind.Dedent);
        Assert.Equal([2, 4], fragment.Rebased);
        Assert.NotNull(PythonTokenizer.Tokenize(text, fragment: false).ErrorMessage);
    }

    private static List<PythonTokenKind> Kinds(string text) => [.. PythonTokenizer.Tokenize(text, fragment: false).Tokens.Select(token => token.Kind)];
}
