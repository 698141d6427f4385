using CodeAssist.Server.Completion;
using CodeAssist.Server.Python;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Completion;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class StopConditionsTests
{
    [Theory]
    [InlineData("return x", false, false)]
    [InlineData("return x\n", false, true)]
    [InlineData("x = 1\n    y = 2\n", true, false)]
    [InlineData("x = 1\n    y = 2\nprint(y)\n", true, true)]
    [InlineData("x = 1\n\n    y = 2\n", true, false)]
    [InlineData("x = 1\nprint", true, false)]
    public void GenerationStopsOnceThePostProcessorWouldCutTheRest(string generated, bool multiline, bool stop)
    {
        Assert.Equal(stop, StopConditions.ShouldStop(generated, multiline, maxLines: 8, blockIndent: 4));
    }

    [Theory]
    [InlineData("        print(", "f\"{name}\"\n", false)]
    [InlineData("        print(", "f\"{name}\"\n        ", false)]
    [InlineData("        print(", "f\"{name}\"\n        )", false)]
    [InlineData("        print(", "f\"{name}\"\n        )\n", true)]
    [InlineData("        print(", "f\"{name}\"\n        return", true)]
    [InlineData("        print(", "f\"{name}\")\n", true)]
    [InlineData("        x = ", "1\n", true)]
    [InlineData("        print(", "x  # note\n", true)]
    [InlineData("        print(", "\"\"\"doc\n", true)]
    [InlineData("def f(a,", " b\n):", false)]
    [InlineData("        f(", "b=2,\n", true)]
    public void ASingleLineWithBracketsOpenWaitsForClosingLines(string line, string generated, bool stop)
    {
        var state = PythonLexer.Lex(line).EndState;
        Assert.Equal(stop, StopConditions.ShouldStop(generated, multiline: false, maxLines: 8, blockIndent: 8, state));
        Assert.True(StopConditions.ShouldStop(generated.Contains('\n') ? generated : generated + "\n", multiline: false, maxLines: 8, blockIndent: 8));
    }

    [Fact]
    public void ASingleLineStopsAfterBlankLinesThatBringNoClosingBracket() =>
        Assert.True(StopConditions.ShouldStop("x\n" + new string('\n', 70), multiline: false, maxLines: 8, blockIndent: 8, PythonLexer.Lex("f(").EndState));

    [Fact]
    public void MultiLineGenerationStopsPastTheLineCap()
    {
        var three = string.Concat(Enumerable.Repeat("    a = 1\n", 3));
        Assert.False(StopConditions.ShouldStop(three + "    b = 2", true, maxLines: 4, blockIndent: 4));
        Assert.True(StopConditions.ShouldStop(three + "    b = 2\n", true, maxLines: 4, blockIndent: 4));
    }
}
