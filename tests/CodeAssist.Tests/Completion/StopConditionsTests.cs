using CodeAssist.Server.Completion;
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

    [Fact]
    public void MultiLineGenerationStopsPastTheLineCap()
    {
        var three = string.Concat(Enumerable.Repeat("    a = 1\n", 3));
        Assert.False(StopConditions.ShouldStop(three + "    b = 2", true, maxLines: 4, blockIndent: 4));
        Assert.True(StopConditions.ShouldStop(three + "    b = 2\n", true, maxLines: 4, blockIndent: 4));
    }
}
