using CodeAssist.Server.Completion;
using CodeAssist.Server.Python;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Completion;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class RepetitionCheckTests
{
    [Theory]
    [InlineData("og_name = \"/%s/%s/%s/%s/%s/%s/%s/%s/%s/%s/%s/%s/%s/%s/%s/%s/%s/%s/%s/%", "%s/")]
    [InlineData("values = [a, a, a, a, a, a, a, a", ", a")]
    [InlineData("x = ((((((((((((((", "(")]
    public void ACutOffLineThatLoopsIsRejected(string candidate, string unit)
    {
        var rejection = RepetitionCheck.Reject(candidate);
        Assert.NotNull(rejection);
        Assert.StartsWith("repetition:", rejection, StringComparison.Ordinal);
        Assert.Contains("loops on", rejection, StringComparison.Ordinal);
        Assert.Contains(unit.Trim()[^1..], rejection, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("uuxes(widget_count")]
    [InlineData("result = self.compute_something_long(first_argument, second_argument")]
    [InlineData("print(\"=\" * 40)")]
    [InlineData("ab")]
    [InlineData("")]
    public void ALongLineThatDoesNotLoopPasses(string candidate) => Assert.Null(RepetitionCheck.Reject(candidate));

    [Theory]
    [InlineData("f\"{name}={name!r} {name!r} {name!r} {name!r}\"", "f\"{name}={name!r}\"")]
    [InlineData("A = ReferenceFrame('A', ReferenceFrame('A', ReferenceFrame('A', ReferenceFrame('A'))))", "A = ReferenceFrame('A'))))")]
    [InlineData("keys = ['id', 'name', 'id', 'name', 'id', 'name', 'id', 'name']", "keys = ['id', 'name']")]
    [InlineData("run(); stop(); run(); stop(); run(); stop(); ", "run(); stop(); ")]
    public void ALineThatRepeatsItselfThreeTimesIsCollapsedToOneOccurrence(string line, string collapsed)
    {
        Assert.Equal(collapsed, RepetitionCheck.CollapseLoop(line));

        // Through the stage, on each line of a candidate; the checks then judge what is left as any other text.
        var context = BlockContext.Analyze("def f(first):\n    ", "\n", IndentStyle.Spaces(4));
        Assert.Equal((collapsed, (string?)null), RepetitionCheck.Apply(line, "\n", context, multiline: false, truncated: false));
        Assert.Equal(("name = first\n    " + collapsed + "\n    return name", (string?)null),
            RepetitionCheck.Apply("name = first\n    " + line + "\n    return name", "\n", context, multiline: true, truncated: false));
    }

    [Theory]
    [InlineData("print(\"=\" * 40)")]
    [InlineData("# ----------------------------------------------------------------")]
    [InlineData("values = [0, 0, 0, 0]")]
    [InlineData("return (a, b, a, b)")]
    [InlineData("self.assertEqual(self.parse(text), self.parse(other))")]
    [InlineData("x = x + x + x")]
    public void ALineWithoutALoopInsideItStaysAsItIs(string line) => Assert.Equal(line, RepetitionCheck.CollapseLoop(line));

    [Fact]
    public void ACandidateThatIsOnlyTheNextLinesOrThePreviousLineIsRejectedAndARepeatedTailIsCut()
    {
        static (string Text, string? Rejection) Apply(string prefix, string candidate, string suffix, bool multiline = false) =>
            RepetitionCheck.Apply(candidate, suffix, BlockContext.Analyze(prefix, suffix, IndentStyle.Spaces(4)), multiline, truncated: false);

        var next = Apply("def f(x):\n    ", "return x + 1", "\n    return x + 1\n");
        Assert.Equal(string.Empty, next.Text);
        Assert.StartsWith("repetition: it repeats the lines after", next.Rejection, StringComparison.Ordinal);

        var previous = Apply("def f(x):\n    x += 1\n    ", "x += 1", "\n");
        Assert.Equal(string.Empty, previous.Text);
        Assert.StartsWith("repetition: it repeats the previous line", previous.Rejection, StringComparison.Ordinal);

        Assert.Equal(("name", (string?)null), Apply("print(", "name)", ")\n"));
        Assert.Equal(("y = x * 2", (string?)null), Apply("def f(x):\n    ", "y = x * 2\n    y = x * 2", "\n", multiline: true));
    }

    [Fact]
    public void AMultiLineCandidateEndsWhereABlockOfLinesStartsOver()
    {
        static string Apply(string candidate) => RepetitionCheck.Apply(
            candidate, "\n", BlockContext.Analyze("def add(a, b):\n    \"\"\"Return the sum of a and b.\"\"\"\n    ", "\n", IndentStyle.Spaces(4)), multiline: true, truncated: false).Text;

        // What tiny wrote for add(a, b) in the e2e run: one two-line block, twenty times.
        var looping = string.Concat(Enumerable.Repeat("if not a:\n        return b\n    ", 20)).TrimEnd();
        Assert.Equal("if not a:\n        return b", Apply(looping));
        // Blocks of up to four lines, blank lines between them aside.
        Assert.Equal("x = a\n    y = b\n    z = x + y", Apply("x = a\n    y = b\n    z = x + y\n\n    x = a\n    y = b\n    z = x + y"));
        // Lines that differ, or the same lines at another depth, are not a loop.
        Assert.Equal("for x in a:\n        b.append(x)\n    for x in b:\n        a.append(x)", Apply("for x in a:\n        b.append(x)\n    for x in b:\n        a.append(x)"));
        Assert.Equal("if a:\n        if b:\n            return a\n        return b", Apply("if a:\n        if b:\n            return a\n        return b"));
    }
}
