using CodeAssist.Server.Python;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Python;

/// <summary>The parser on blocks and indentation: INDENT and DEDENT, blank and comment lines, continuations, indented texts.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class PythonParserIndentationTests
{
    [Theory]
    [InlineData("if x:\n    a = 1\n\n    # comment at any depth\n# here too\n        # and here\n    b = 2\nc = 3")]
    [InlineData("if x:\n\ta = 1\n\tif y:\n\t\tb = 2\nc = 3")]
    [InlineData("class A:\n    def f(self):\n        if x:\n            return 1\n        return 2\n    x = 1\n")]
    [InlineData("def f(a,\n        b):\n  x = [1,\n2]\n  return x")]
    [InlineData("x = 1 + \\\n        2\ny = 3")]
    [InlineData("s = '''\nnot: indentation\n    at all\n'''\nt = 1")]
    [InlineData("if x:\r\n    y = 1\r\nelse:\r\n    y = 2\r\n")]
    [InlineData("\ufeffx = 1\n")]
    [InlineData("")]
    [InlineData("\n\n   \n# only comments\n")]
    public void ConsistentIndentationIsValid(string text) => ParserAssert.Verdict(text, PythonParseVerdict.Valid);

    [Theory]
    [InlineData("x = 1\n    y = 2")]
    [InlineData("if x:\n        a = 1\n    b = 2")]
    [InlineData("if x:\n\ta = 1\n        b = 2")]
    [InlineData("if x:\npass")]
    [InlineData("def f():\n    pass\n  x = 1")]
    [InlineData("for x in y:\n    pass\n  else:\n    pass")]
    public void InconsistentIndentationIsInvalid(string text) => ParserAssert.Verdict(text, PythonParseVerdict.Invalid);

    [Theory]
    [InlineData("    x = 1\n    if x:\n        y = 2\n    z = 3")]
    [InlineData("        return a +\\\n            b")]
    [InlineData("\n\n    # a comment first\n    x = 1")]
    public void TextStartingIndentedIsReadFromItsFirstLine(string text) => ParserAssert.Verdict(text, PythonParseVerdict.Valid);

    [Fact]
    public void TextStartingIndentedCannotDedentBelowItsFirstLineUnlessAFragment()
    {
        const string text = "        x = 1\n    y = 2\n";
        ParserAssert.Verdict(text, PythonParseVerdict.Invalid);
        ParserAssert.Verdict(text, PythonParseVerdict.Valid, PythonParseOptions.Fragment);
    }

    [Theory]
    [InlineData("x = (\n    1,\n")]
    [InlineData("if x:\n    for y in z:\n        while a:")]
    [InlineData("if x:\n    y = [\n        1,")]
    [InlineData("x = 1 + \\\n")]
    [InlineData("def f():\n    '''Docstring\n\n    more")]
    public void BlocksCutShortAreUnfinished(string text) => ParserAssert.Verdict(text, PythonParseVerdict.Unfinished);

    [Fact]
    public void TheFirstErrorIsReportedWithItsLineColumnAndReason()
    {
        var result = ParserAssert.Verdict("x = 1\nif y:\n    print(path) as handle:\n", PythonParseVerdict.Invalid);
        Assert.Equal(3, result.Line);
        Assert.Equal(17, result.Column);
        Assert.Equal("x = 1\nif y:\n    print(path) as handle:\n".IndexOf(" as", StringComparison.Ordinal) + 1, result.Offset);
        Assert.Equal("invalid syntax", result.Reason);

        var unmatched = ParserAssert.Verdict("return a.a)", PythonParseVerdict.Invalid);
        Assert.Equal("unmatched ')'", unmatched.Reason);
        Assert.Equal(10, unmatched.Offset);

        var unclosed = ParserAssert.Verdict("f(a,\n  b", PythonParseVerdict.Unfinished);
        Assert.Equal("'(' was never closed", unclosed.Reason);
        Assert.Equal((2, 4), (unclosed.Line, unclosed.Column));

        var valid = PythonParser.Check("x = 1");
        Assert.Same(PythonParseResult.Valid, valid);
        Assert.Equal((-1, null), (valid.Offset, valid.Reason));
        Assert.Equal("valid", valid.ToString());
    }

    [Fact]
    public void IndentationErrorsNameTheProblem()
    {
        Assert.Equal("unexpected indent", PythonParser.Check("x = 1\n    y = 2").Reason);
        Assert.Equal("expected an indented block", PythonParser.Check("if x:\npass").Reason);
        Assert.Equal("unindent does not match any outer indentation level", PythonParser.Check("if x:\n        a = 1\n    b = 2").Reason);
        Assert.Equal("inconsistent use of tabs and spaces in indentation", PythonParser.Check("if x:\n\ta = 1\n        b = 2").Reason);
    }
}
