using CodeAssist.Server.Python;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Python;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class IndentationTests
{
    [Theory]
    [InlineData("x", 0)]
    [InlineData("    x", 4)]
    [InlineData("\tx", 8)]
    [InlineData("  \tx", 8)]
    [InlineData("\t  x", 10)]
    [InlineData("\f  x", 2)]
    [InlineData("      ", 6)]
    public void WidthCountsTabsToTheNextMultipleOfEight(string line, int width)
    {
        Assert.Equal(width, Indentation.Width(line));
    }

    [Fact]
    public void LeadingReturnsOnlyTheIndentation()
    {
        Assert.Equal(" \t ", Indentation.LeadingText(" \t x = 1 "));
    }

    [Theory]
    [InlineData("def f():\n    if x:\n        pass\n", false, 4)]
    [InlineData("def f():\n  if x:\n    pass\n  return 1\n", false, 2)]
    [InlineData("def f():\n\tif x:\n\t\tpass\n", true, 1)]
    [InlineData("x = 1\ny = 2\n", false, 4)]
    [InlineData("def f():\n  '''Doc\n        indented text\n  '''\n  return (1,\n          2)\n", false, 2)]
    public void StyleIsDetectedFromLinesThatIndent(string text, bool tabs, int size)
    {
        IndentStyle style = IndentStyle.Detect(text);

        Assert.Equal(tabs, style.UseTabs);
        Assert.Equal(size, style.Size);
    }

    [Fact]
    public void StyleRendersLevels()
    {
        Assert.Equal("\t\t", IndentStyle.Tabs.Render(2));
        Assert.Equal("      ", IndentStyle.Spaces(3).Render(2));
        Assert.Equal(string.Empty, IndentStyle.Default.Render(0));
        Assert.Equal(8, IndentStyle.Tabs.UnitWidth);
    }
}
