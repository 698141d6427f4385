using CodeAssist.Server.Completion;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Completion;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class CompletionCacheTests
{
    [Fact]
    public void ACachedCompletionIsReturnedForTheSameModelPrefixAndSuffixOnly()
    {
        var cache = new CompletionCache();
        cache.Add("m", "def f(", ")", "x, y");
        Assert.True(cache.TryGet("m", "def f(", ")", out var text));
        Assert.Equal("x, y", text);
        Assert.False(cache.TryGet("other", "def f(", ")", out _));
        Assert.False(cache.TryGet("m", "def g(", ")", out _));
        Assert.False(cache.TryGet("m", "def f(", "", out _));
        Assert.Equal(1, cache.Hits);
    }

    [Fact]
    public void TheLeastRecentlyUsedEntryIsEvictedWhenFull()
    {
        var cache = new CompletionCache(capacity: 2);
        cache.Add("m", "a", "", "1");
        cache.Add("m", "b", "", "2");
        Assert.True(cache.TryGet("m", "a", "", out _));
        cache.Add("m", "c", "", "3");
        Assert.True(cache.TryGet("m", "a", "", out _));
        Assert.False(cache.TryGet("m", "b", "", out _));
        Assert.True(cache.TryGet("m", "c", "", out _));
    }

    [Fact]
    public void TypingTheStartOfTheSuggestionReturnsTheRestWithoutAModelCall()
    {
        var cache = new CompletionCache();
        cache.RememberShown("doc", "m", 10, "x = compu", "\n", "te(1, 2)");
        Assert.True(cache.TryTypeThrough("doc", "m", 12, "x = compute", "\n", out var rest));
        Assert.Equal("(1, 2)", rest);
        Assert.Equal(1, cache.TypedThroughHits);
    }

    [Theory]
    [InlineData(12, "x = computx", "\n")]   // typed something else
    [InlineData(12, "x = compute", "\n# changed")] // text after the cursor changed
    [InlineData(10, "x = compu", "\n")]      // nothing typed
    [InlineData(18, "x = compute(1, 2)", "\n")] // typed all of it: nothing left to suggest
    [InlineData(8, "x = com", "\n")]         // deleted instead of typed
    public void AnythingButTypingThroughMisses(int cursor, string prefix, string suffix)
    {
        var cache = new CompletionCache();
        cache.RememberShown("doc", "m", 10, "x = compu", "\n", "te(1, 2)");
        Assert.False(cache.TryTypeThrough("doc", "m", cursor, prefix, suffix, out _));
    }

    [Fact]
    public void ADifferentModelOrDocumentDoesNotTypeThrough()
    {
        var cache = new CompletionCache();
        cache.RememberShown("doc", "m", 10, "x = compu", "\n", "te(1, 2)");
        Assert.False(cache.TryTypeThrough("doc", "other", 11, "x = comput", "\n", out _));
        Assert.False(cache.TryTypeThrough("doc2", "m", 11, "x = comput", "\n", out _));
        cache.Clear();
        Assert.False(cache.TryTypeThrough("doc", "m", 11, "x = comput", "\n", out _));
    }
}
