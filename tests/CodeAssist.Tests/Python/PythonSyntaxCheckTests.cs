using CodeAssist.Server.Python;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Python;

/// <summary>The tokenizer-level syntax check the evaluation uses to skip broken files, with CPython's verdicts as the reference.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class PythonSyntaxCheckTests
{
    [Theory]
    [InlineData("x = 1\n")]
    [InlineData("")]
    [InlineData("def f(a,\n      b):\n    '''Doc:\n\n    more'''\n    return {'a': [a, b]}\n")]
    [InlineData("if x:\n    pass\nelif y:\n  pass\nelse:\n\tpass\n")]
    [InlineData("class A:\n    def f(self):\n        return 1\n\n    # a comment at any depth\n# here too\n    def g(self): return 2\n")]
    [InlineData("s = f'{x!r:>{width}} {y}'\nt = \"a\\\n b\"\nu = 1 + \\\n    2\n")]
    [InlineData("x = (\n1,\n        2)\n")]
    [InlineData("match x:\n    case [a, b]:\n        pass\n")]
    [InlineData("async def f():\n    async with a as b:\n        await b\n")]
    [InlineData("\ufeffx = 1\r\nif x:\r\n    y = 2\r\n")]
    [InlineData("if True:\n        a = 1\n        if a:\n            b = 2\n        c = 3\n")]
    public void ValidPythonPasses(string text)
    {
        Assert.Null(PythonSyntaxCheck.Check(text));
    }

    [Theory]
    [InlineData("x = compute(1,\ny = 2\n", 1, "'(' was never closed")]
    [InlineData("x = [1, 2)\n", 1, "unmatched ')'")]
    [InlineData("a = 1\nb = 2]\n", 2, "unmatched ']'")]
    [InlineData("name = 'unterminated\nother = 1\n", 1, "unterminated string literal")]
    [InlineData("doc = \"\"\"never closed\n\nx = 1\n", 1, "unterminated string literal at the end of the file")]
    [InlineData("x = 1\n    y = 2\n", 2, "unexpected indent")]
    [InlineData("  x = 1\n", 1, "unexpected indent")]
    [InlineData("def f():\nreturn 1\n", 2, "expected an indented block")]
    [InlineData("def f():\n    # only a comment\n", 2, "expected an indented block at the end of the file")]
    [InlineData("def f():\n        a = 1\n    b = 2\n", 3, "unindent does not match any outer indentation level")]
    [InlineData("if x:\n\ta = 1\n        b = 2\n", 3, "inconsistent use of tabs and spaces in indentation")]
    [InlineData("x = 1\0\n", 1, "source code cannot contain null bytes")]
    public void TokenizerErrorsAreFoundWithTheirLine(string text, int line, string message)
    {
        var problem = PythonSyntaxCheck.Check(text);
        Assert.NotNull(problem);
        Assert.Equal(message, problem.Message);
        Assert.Equal(line, problem.Line);
        Assert.Equal($"line {line}: {message}", problem.ToString());
    }
}
