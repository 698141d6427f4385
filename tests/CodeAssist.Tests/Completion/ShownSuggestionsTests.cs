using CodeAssist.Server.Completion;
using CodeAssist.Server.Routing;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Completion;

/// <summary>The bounded map from shown request ids to the model that wrote them, and the per-model counts built on it.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ShownSuggestionsTests
{
    private static readonly SuggestionOrigin Tiny = new(Tier.Local, "tiny-v1");
    private static readonly SuggestionOrigin Coder = new(Tier.Fallback, "coder");

    [Fact]
    public void ARememberedIdIsTakenOnceWithItsOrigin()
    {
        var shown = new ShownSuggestions();
        shown.Remember("c1", Tiny);
        shown.Remember("c2", Coder);
        Assert.True(shown.TryTake("c2", out var origin));
        Assert.Equal(Coder, origin);
        Assert.False(shown.TryTake("c2", out _));
        Assert.False(shown.TryTake("never-shown", out _));
        Assert.Equal(1, shown.Count);
    }

    [Fact]
    public void OnlyTheLastCapacityIdsAreKept()
    {
        var shown = new ShownSuggestions(capacity: 3);
        for (var i = 1; i <= 1000; i++)
        {
            shown.Remember($"c{i}", Tiny);
            Assert.True(shown.Count <= 3);
        }

        Assert.Equal(3, shown.Count);
        Assert.False(shown.TryTake("c997", out _));
        Assert.True(shown.TryTake("c998", out _));
        Assert.True(shown.TryTake("c1000", out _));
    }

    [Fact]
    public void RememberingAnIdAgainRefreshesItInsteadOfHoldingItTwice()
    {
        var shown = new ShownSuggestions(capacity: 2);
        shown.Remember("c1", Tiny);
        shown.Remember("c2", Tiny);
        shown.Remember("c1", Coder);
        shown.Remember("c3", Tiny);
        Assert.Equal(2, shown.Count);
        Assert.False(shown.TryTake("c2", out _));
        Assert.True(shown.TryTake("c1", out var origin));
        Assert.Equal(Coder, origin);
    }

    [Fact]
    public void TakenIdsDoNotHoldPlaces()
    {
        var shown = new ShownSuggestions(capacity: 2);
        shown.Remember("c1", Tiny);
        Assert.True(shown.TryTake("c1", out _));
        shown.Remember("c2", Tiny);
        shown.Remember("c3", Tiny);
        Assert.True(shown.TryTake("c2", out _));
        Assert.True(shown.TryTake("c3", out _));
        Assert.Equal(0, shown.Count);
    }

    [Fact]
    public void StatisticsCountShownAndAcceptedPerTierAndModelAndEveryAcceptedCommandInTheTotal()
    {
        var statistics = new CompletionStatistics();
        statistics.RecordShown("c1", Tiny);
        statistics.RecordShown("c2", Tiny);
        statistics.RecordShown("c3", Coder);

        Assert.Equal(Tiny, statistics.RecordAccepted("c1"));
        Assert.Null(statistics.RecordAccepted("c1"));
        Assert.Null(statistics.RecordAccepted("bogus"));
        Assert.Null(statistics.RecordAccepted(null));

        Assert.Equal(4, statistics.Accepted);
        Assert.Equal(new SuggestionCounts(2, 1), statistics.Suggestions[Tiny]);
        Assert.Equal(new SuggestionCounts(1, 0), statistics.Suggestions[Coder]);
        Assert.Equal(2, statistics.Suggestions.Count);
    }
}
