using CodeAssist.Server.Prompting;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Prompting;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class ContextBuilderTests
{
    // One token per four characters, rounded up: enough to exercise the budget arithmetic.
    private static int Count(string text) => (text.Length + 3) / 4;

    private static string Lines(string stem, int count) =>
        string.Concat(Enumerable.Range(0, count).Select(i => $"{stem}_{i:D4} = compute({i})\n"));

    [Fact]
    public void ShortTextIsKeptWhole()
    {
        var context = ContextBuilder.Build("def f(x):\n    return ", "\n\nprint(f(1))\n", 2048, 64, Count);
        Assert.Equal("def f(x):\n    return ", context.Prefix);
        Assert.Equal("\n\nprint(f(1))\n", context.Suffix);
    }

    [Fact]
    public void LongTextIsCutAtLineBoundariesNearestTheCursorWithinTheBudget()
    {
        var prefix = Lines("before", 2000) + "value = ";
        var suffix = "\n" + Lines("after", 2000);
        var context = ContextBuilder.Build(prefix, suffix, 512, 64, Count);

        Assert.True(context.PrefixTokens + context.SuffixTokens <= 512 - 64 - ContextBuilder.TemplateReserve);
        Assert.EndsWith("before_1999 = compute(1999)\nvalue = ", context.Prefix);
        Assert.StartsWith("before_", context.Prefix);
        Assert.StartsWith("\nafter_0000", context.Suffix);
        Assert.EndsWith("\n", context.Suffix);
        Assert.True(context.PrefixTokens > 2 * context.SuffixTokens, "about three quarters of the budget goes to the prefix");
        Assert.Equal(Count(context.Prefix), context.PrefixTokens);
    }

    [Fact]
    public void UnusedSuffixBudgetGoesToThePrefix()
    {
        var prefix = Lines("before", 2000);
        var context = ContextBuilder.Build(prefix, "", 512, 64, Count);
        Assert.True(context.PrefixTokens > (512 - 64 - ContextBuilder.TemplateReserve) * 9 / 10);
    }

    [Fact]
    public void TypingKeepsThePromptStartWhereItWasWhileTheTextFromThereFits()
    {
        var text = Lines("before", 2000);
        var first = ContextBuilder.Build(text, "", 512, 64, Count, prefixAnchor: -1);
        Assert.True(first.PrefixTokens <= (512 - 64 - ContextBuilder.TemplateReserve) * 7 / 8, "a new start leaves room to type");
        Assert.True(first.PrefixStart == 0 || text[first.PrefixStart - 1] == '\n');

        // Two hundred characters typed: the same start, so the same tokens and KV cache up to the cursor.
        var typed = text + new string('x', 200);
        var next = ContextBuilder.Build(typed, "", 512, 64, Count, prefixAnchor: first.PrefixStart);
        Assert.Equal(first.PrefixStart, next.PrefixStart);
        Assert.Equal(text[first.PrefixStart..] + new string('x', 200), next.Prefix);

        // Past the budget it moves, and not to the middle of a line.
        var overflow = typed + new string('y', 2000);
        var moved = ContextBuilder.Build(overflow, "", 512, 64, Count, prefixAnchor: first.PrefixStart);
        Assert.NotEqual(first.PrefixStart, moved.PrefixStart);
        Assert.True(moved.PrefixTokens <= 512 - 64 - ContextBuilder.TemplateReserve);
    }

    [Fact]
    public void AnAnchorThatIsNoLongerALineStartIsIgnored()
    {
        var text = Lines("before", 2000);
        var inTheMiddleOfALine = text.LastIndexOf('\n', text.Length - 100) + 3;
        var context = ContextBuilder.Build(text, "", 512, 64, Count, prefixAnchor: inTheMiddleOfALine);
        Assert.True(context.PrefixStart == 0 || text[context.PrefixStart - 1] == '\n');
        Assert.True(context.PrefixTokens > 100 / 4);
    }
}
