using CodeAssist.Server.Completion;
using CodeAssist.Server.Python;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Completion;

/// <summary>
/// Each case is a document with the cursor marked by '‸', the model's raw output, and the text that should be inserted:
/// post-processing, then the repetition stage (<see cref="RepetitionCheck"/>), as a tier's attempt runs them.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public class PostProcessorTests
{
    private const char Cursor = '‸';

    private static string Process(string document, string completion, bool multiline, int maxLines = 8, string style = "4")
    {
        int cursor = document.IndexOf(Cursor, StringComparison.Ordinal);
        Assert.True(cursor >= 0, "The document needs a cursor mark.");
        var options = new PostProcessorOptions
        {
            Multiline = multiline,
            MaxLines = maxLines,
            IndentStyle = style == "tabs" ? IndentStyle.Tabs : IndentStyle.Spaces(int.Parse(style, System.Globalization.CultureInfo.InvariantCulture)),
        };
        var prefix = document[..cursor];
        var suffix = document[(cursor + 1)..];
        var processed = new PostProcessor().Process(completion, prefix, suffix, options);
        return RepetitionCheck.Apply(processed, suffix, BlockContext.Analyze(prefix, suffix, options.IndentStyle), multiline, truncated: false).Text;
    }

    [Theory]
    [InlineData("def add(a, b):\n    return ‸", "a + b", "a + b")]
    [InlineData("import os\nx = os.path.‸", "join(root, name)", "join(root, name)")]
    [InlineData("def f():\n    ‸", "return 1", "return 1")]
    public void UsefulSingleLineCompletionPassesUnchanged(string document, string completion, string expected)
    {
        Assert.Equal(expected, Process(document, completion, multiline: false));
    }

    [Theory]
    [InlineData("for name in names:\n    print(‸", "f\"{name}\"\n    )\n    return name", "f\"{name}\")")]
    [InlineData("for name in names:\n    print(‸)", "f\"{name}\"\n    )", "f\"{name}\"")]
    [InlineData("x = f(a, [‸", "1, 2\n]\n)\ny = 2", "1, 2])")]
    [InlineData("def f(a,‸", " b\n):\n    return a", " b):")]
    [InlineData("x = f(‸", "1\n]", "1")]
    [InlineData("x = f(‸", "1\n)):", "1)")]
    [InlineData("x = f(‸", "1  # one\n)", "1  # one")]
    [InlineData("x = f(‸", "\"a\"\n    \"b\"\n)", "\"a\"")]
    [InlineData("x = 1 + ‸", "2\n)", "2")]
    [InlineData("x = f(\n    a=1,\n    ‸", "b=2,\n)", "b=2,")]
    [InlineData("for name in names:\n    print(‸", "f\"{name}\"", "f\"{name}\")")]
    [InlineData("for name in names:\n    print(‸)", "f\"{name}\"", "f\"{name}\"")]
    [InlineData("for name in names:\n    print(‸", "f\"{name}\"\n    return", "f\"{name}\")")]
    [InlineData("for name in names:\n    print(‸", "f\"{name}\"\n        \"!\")", "f\"{name}\"")]
    [InlineData("x = f(\n    a, g(‸", "b", "b)")]
    [InlineData("def f(self, ‸", "names: list[str]", "names: list[str]")]
    [InlineData("x = f(‸", "a +", "a +")]
    public void SingleLineModeJoinsTheClosingBracketsTheModelPutOnTheNextLines(string document, string completion, string expected)
    {
        Assert.Equal(expected, Process(document, completion, multiline: false));
    }

    [Theory]
    [InlineData("def join(base, name):\n    ‸\n    return path\n", "\"\"\"Join.\n    path = base + name\n    return path\n\ndef other():", "\"\"\"Join.\n    path = base + name")]
    [InlineData("def f():\n    ‸\n    print(total)\n", "total = 0\n    for x in xs:\n        total += x\n    print(total)", "total = 0\n    for x in xs:\n        total += x")]
    [InlineData("def f():\n    ‸\n\n    return x\n", "x = 1\n    return x", "x = 1")]
    public void MultiLineModeEndsBeforeTheCodeThatAlreadyFollowsTheCursor(string document, string completion, string expected)
    {
        Assert.Equal(expected, Process(document, completion, multiline: true));
    }

    [Theory]
    [InlineData("def f(self):\n    ‸", "self.pos = 0\n    self.pos = 0\n    self.pos = 0", "self.pos = 0")]
    [InlineData("def f(self):\n    ‸", "a = 1\n    b = 2\n\n    b = 2", "a = 1\n    b = 2")]
    [InlineData("def f(self):\n    ‸", "a = 1\n\n    b = 2", "a = 1\n\n    b = 2")]
    public void MultiLineModeEndsWhereTheModelRepeatsALine(string document, string completion, string expected)
    {
        Assert.Equal(expected, Process(document, completion, multiline: true));
    }

    [Fact]
    public void ATruncatedMultiLineCompletionLosesItsHalfWrittenLastLine()
    {
        var options = new PostProcessorOptions { Multiline = true, MaxLines = 8, Truncated = true };
        Assert.Equal("a = 1\n    b = 2", new PostProcessor().Process("a = 1\n    b = 2\n    if", "def f():\n    ", "", options));
        Assert.Equal("a = 1", new PostProcessor().Process("a = 1", "def f():\n    ", "", options));
        Assert.Equal("a = 1\n    b = 2\n    if", new PostProcessor().Process("a = 1\n    b = 2\n    if", "def f():\n    ", "", options with { Truncated = false }));
    }

    [Theory]
    [InlineData("x = ‸", "compute(a, b)\nprint(x)\n", "compute(a, b)")]
    [InlineData("import os\r\nx = ‸\r\n", "os.getcwd()\r\ny = 2", "os.getcwd()")]
    [InlineData("foo(‸)", "a,\n    b)", "a,")]
    public void SingleLineModeKeepsOnlyTheFirstLine(string document, string completion, string expected)
    {
        Assert.Equal(expected, Process(document, completion, multiline: false));
    }

    [Theory]
    [InlineData("def f():‸", "\n    return 1")]
    [InlineData("def f():\n    return ‸", "\r\nfoo")]
    public void SingleLineModeDropsAnOutputThatStartsWithANewline(string document, string completion)
    {
        Assert.Equal(string.Empty, Process(document, completion, multiline: false));
    }

    [Theory]
    [InlineData("def f():\n    ‸", "x = 1\n    return x\n\ndef g():\n    pass\n", "x = 1\n    return x")]
    [InlineData("def f():\n    ‸", "return 1\n\n\n", "return 1")]
    [InlineData("def f(xs):\n    for x in xs:\n        ‸", "if x:\n            yield x\n        else:\n            continue\n    return None\n", "if x:\n            yield x\n        else:\n            continue")]
    [InlineData("def f():\r\n    ‸", "x = 1\r\n    return x\r\nprint(f())", "x = 1\r\n    return x")]
    [InlineData("def f():\n    ‸", "x = 1\n# Section two\ndef g(): pass", "x = 1")]
    [InlineData("class A:\n    def f(self):\n        ‸", "self.x = 1\n\n    def g(self):\n        pass", "self.x = 1")]
    [InlineData("def f():\n    if x:\n        ‸", "a()\n        b()\n    c()", "a()\n        b()")]
    public void MultiLineModeEndsWhereALineDedentsBelowTheBlock(string document, string completion, string expected)
    {
        Assert.Equal(expected, Process(document, completion, multiline: true));
    }

    [Theory]
    [InlineData("def f():‸", "\n    return 1\n\ndef g():\n    pass", "\n    return 1")]
    [InlineData("def f(x):\n    if x‸", ":\n        return 1\n    else:\n        return 2\n    print(x)\n", ":\n        return 1\n    else:\n        return 2")]
    [InlineData("for i in range(3)‸", ":\n    print(i)\nprint('done')", ":\n    print(i)")]
    [InlineData("try:\n    run()\nexcept ValueError‸", ":\n    pass\nfinally:\n    close()\nrun()", ":\n    pass\nfinally:\n    close()")]
    public void MultiLineModeEndsAfterTheBlockTheCompletionOpens(string document, string completion, string expected)
    {
        Assert.Equal(expected, Process(document, completion, multiline: true));
    }

    [Theory]
    [InlineData("def f():\n    ‸", "x = \"\"\"\nline one\nline two\n\"\"\"\n    return x\nprint()", "x = \"\"\"\nline one\nline two\n\"\"\"\n    return x")]
    [InlineData("def f():\n    ‸", "x = \"#\" + (\n1)\n    return x\nprint()", "x = \"#\" + (\n1)\n    return x")]
    [InlineData("def f():\n    ‸", "result = call(\n  a,\nb)\n    return result\nprint()", "result = call(\n  a,\nb)\n    return result")]
    [InlineData("def f():\n    ‸", "s = \"\"\"a   \nb\"\"\"\n    return s", "s = \"\"\"a   \nb\"\"\"\n    return s")]
    [InlineData("def f():\n    ‸", "x = 1 + \\\n2\n    return x\ny = 0", "x = 1 + \\\n2\n    return x")]
    [InlineData("def f():\n    total = 1 + \\\n        ‸", "2\n    return total\nprint(f())", "2\n    return total")]
    public void LinesInsideStringsBracketsOrContinuationsNeverEndTheBlock(string document, string completion, string expected)
    {
        Assert.Equal(expected, Process(document, completion, multiline: true));
    }

    [Theory]
    [InlineData(2, "a = 1\n    b = 2")]
    [InlineData(1, "a = 1")]
    [InlineData(0, "a = 1")]
    public void MultiLineModeKeepsAtMostMaxLines(int maxLines, string expected)
    {
        Assert.Equal(expected, Process("def f():\n    ‸", "a = 1\n    b = 2\n    c = 3\n    d = 4", multiline: true, maxLines));
    }

    [Theory]
    [InlineData("x = [1, 2‸", ", 3]]\nprint(x)", false, ", 3]")]
    [InlineData("def f():\n    return g(‸", "a,\n        b))\n", true, "a,\n        b)")]
    [InlineData("x = 1‸", ")\ny = 2", true, "")]
    public void CompletionEndsBeforeAClosingBracketThatClosesNothing(string document, string completion, bool multiline, string expected)
    {
        Assert.Equal(expected, Process(document, completion, multiline));
    }

    [Theory]
    [InlineData("print(‸)", "\"hello\")", "\"hello\"")]
    [InlineData("xs = [‸]", "1, 2, 3]", "1, 2, 3")]
    [InlineData("name = \"‸\"", "world\"", "world")]
    [InlineData("def f(x‸):", ", y):", ", y")]
    [InlineData("print(\"‸\")", "hi\")", "hi")]
    [InlineData("foo(bar([‸]))", "1]))", "1")]
    [InlineData("print(‸name)", "\"hi\", name)", "\"hi\", ")]
    [InlineData("d = {‸}\r\n", "'a': 1}", "'a': 1")]
    [InlineData("print(‸)", ")", "")]
    public void TailRepeatingTheRestOfTheLineIsRemoved(string document, string completion, string expected)
    {
        Assert.Equal(expected, Process(document, completion, multiline: false));
    }

    [Theory]
    [InlineData("return ‸x + 1", "max", "max")]
    [InlineData("value = ‸)", "f(x", "f(x")]
    public void OverlapThatWouldSplitAWordOrIsAbsentIsKept(string document, string completion, string expected)
    {
        Assert.Equal(expected, Process(document, completion, multiline: false));
    }

    [Theory]
    [InlineData("def f():\n    x = 1\n    ‸\n    return x\n", "y = 2\n    return x", "y = 2")]
    [InlineData("items = [\n    ‸\n]\n", "1,\n    2,\n]", "1,\n    2,")]
    [InlineData("def f():\n    ‸\n\n    return x\n", "y = 2\n\n    return x", "y = 2")]
    [InlineData("def f():\n    ‸\r\n    return x\r\n", "y = 2\r\n    return x", "y = 2")]
    [InlineData("def f():\n    ‸\n    return x\n", "return x", "")]
    [InlineData("foo(‸)\nbar()\n", "a)\nbar()", "a")]
    public void LinesRepeatingTheLinesAfterTheCursorAreRemoved(string document, string completion, string expected)
    {
        Assert.Equal(expected, Process(document, completion, multiline: true));
    }

    [Theory]
    [InlineData("x += 1\n‸", "x += 1", false, "")]
    [InlineData("total = total + 1\ntotal = ‸", "total + 1", false, "")]
    [InlineData("def f(x):\n    log(x)\n    ‸", "log(x)\n    log(x)\n    log(x)", true, "")]
    [InlineData("foo(\n    bar(\n        1,\n    )\n‸", ")", false, ")")]
    [InlineData("x += 1\n‸", "y += 1", false, "y += 1")]
    public void CompletionThatOnlyRepeatsThePreviousLineIsDropped(string document, string completion, bool multiline, string expected)
    {
        Assert.Equal(expected, Process(document, completion, multiline));
    }

    [Theory]
    [InlineData("x = ‸", "1   ", false, "1")]
    [InlineData("x = ‸", "   ", false, "")]
    [InlineData("x = ‸", "", false, "")]
    [InlineData("def f():\n    ‸", "a = 1  \n    b = 2\t\n\n   \n", true, "a = 1\n    b = 2")]
    [InlineData("def f():\n    ‸", "\n\n", true, "")]
    public void TrailingWhitespaceIsTrimmedAndBlankOutputIsDropped(string document, string completion, bool multiline, string expected)
    {
        Assert.Equal(expected, Process(document, completion, multiline));
    }

    [Theory]
    [InlineData("def f(x):\n\tif x:\n\t\treturn 1\n\t‸", "for y in x:\n        print(y)\n    return 2", "tabs", "for y in x:\n\t\tprint(y)\n\treturn 2")]
    [InlineData("def f(x):\n\t‸", "for y in x:\n\t    print(y)", "tabs", "for y in x:\n\t\tprint(y)")]
    [InlineData("def f(x):\n  if x:\n    return 1\n  ‸", "for y in x:\n      print(y)\n  return 2", "2", "for y in x:\n    print(y)\n  return 2")]
    [InlineData("class A:\n    def f(self):\n        ‸", "if self.x:\n\t\t\treturn 1\n\t\treturn 2", "4", "if self.x:\n            return 1\n        return 2")]
    [InlineData("def f(x):\n    ‸", "if x:\n      y()\n      if y:\n        z()", "4", "if x:\n        y()\n        if y:\n            z()")]
    [InlineData("def f(x):\n    ‸", "if x:\n        y()\n    return (1,\n            2)", "4", "if x:\n        y()\n    return (1,\n            2)")]
    public void IndentationIsConvertedToTheFilesStyle(string document, string completion, string style, string expected)
    {
        Assert.Equal(expected, Process(document, completion, multiline: true, style: style));
    }
}
