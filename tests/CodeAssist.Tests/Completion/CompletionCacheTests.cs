using CodeAssist.Server.Completion;
using CodeAssist.Server.Routing;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Completion;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class CompletionCacheTests
{
    private static readonly SuggestionOrigin Local = new(Tier.Local, "m");

    [Fact]
    public void ACachedCompletionIsReturnedForTheSameModelPrefixAndSuffixOnly()
    {
        var cache = new CompletionCache();
        cache.Add("m", "def f(", ")", "x, y", Local);
        Assert.True(cache.TryGet("m", "def f(", ")", out var text, out _));
        Assert.Equal("x, y", text);
        Assert.False(cache.TryGet("other", "def f(", ")", out _, out _));
        Assert.False(cache.TryGet("m", "def g(", ")", out _, out _));
        Assert.False(cache.TryGet("m", "def f(", "", out _, out _));
        Assert.Equal(1, cache.Hits);
    }

    [Fact]
    public void TheLeastRecentlyUsedEntryIsEvictedWhenFull()
    {
        var cache = new CompletionCache(capacity: 2);
        cache.Add("m", "a", "", "1", Local);
        cache.Add("m", "b", "", "2", Local);
        Assert.True(cache.TryGet("m", "a", "", out _, out _));
        cache.Add("m", "c", "", "3", Local);
        Assert.True(cache.TryGet("m", "a", "", out _, out _));
        Assert.False(cache.TryGet("m", "b", "", out _, out _));
        Assert.True(cache.TryGet("m", "c", "", out _, out _));
    }

    [Fact]
    public void TypingTheStartOfTheSuggestionReturnsTheRestWithoutAModelCall()
    {
        var cache = new CompletionCache();
        cache.RememberShown("doc", "m", 10, "x = compu", "\n", "te(1, 2)", Local);
        Assert.True(cache.TryTypeThrough("doc", "m", 12, "x = compute", "\n", out var rest, out _));
        Assert.Equal("(1, 2)", rest);
        Assert.Equal(1, cache.TypedThroughHits);
    }

    [Fact]
    public void ACachedOrTypedThroughAnswerKeepsTheTierAndModelThatWroteIt()
    {
        var cache = new CompletionCache();
        var fallback = new SuggestionOrigin(Tier.Fallback, "coder");
        cache.Add("m", "def f(", ")", "x, y", fallback);
        Assert.True(cache.TryGet("m", "def f(", ")", out _, out var cached));
        Assert.Equal(fallback, cached);

        cache.RememberShown("doc", "m", 10, "x = compu", "\n", "te(1, 2)", fallback);
        Assert.True(cache.TryTypeThrough("doc", "m", 12, "x = compute", "\n", out _, out var typedThrough));
        Assert.Equal(fallback, typedThrough);
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
        cache.RememberShown("doc", "m", 10, "x = compu", "\n", "te(1, 2)", Local);
        Assert.False(cache.TryTypeThrough("doc", "m", cursor, prefix, suffix, out _, out _));
    }

    [Fact]
    public void ADifferentModelOrDocumentDoesNotTypeThrough()
    {
        var cache = new CompletionCache();
        cache.RememberShown("doc", "m", 10, "x = compu", "\n", "te(1, 2)", Local);
        Assert.False(cache.TryTypeThrough("doc", "other", 11, "x = comput", "\n", out _, out _));
        Assert.False(cache.TryTypeThrough("doc2", "m", 11, "x = comput", "\n", out _, out _));
        cache.Clear();
        Assert.False(cache.TryTypeThrough("doc", "m", 11, "x = comput", "\n", out _, out _));
    }
}
