using CodeAssist.Server.Inference;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Inference;

/// <summary>The copy model over the context: which earlier occurrence it finds and what it proposes.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public class ContextCopyTests
{
    [Fact]
    public void TheLongestEarlierOccurrenceOfTheTailProposesTheTokenThatFollowedIt()
    {
        // ... 1 2 3 [9] ... 2 3 [7] ... 1 2 3 → "1 2 3" matched (3 tokens) at the start; "2 3" alone would say 7.
        int[] history = [1, 2, 3, 9, 5, 2, 3, 7, 6, 1, 2, 3];
        var followers = new Dictionary<int, double>();

        var length = ContextCopy.Find(history, history.Length, 32, followers);

        Assert.Equal(3, length);
        Assert.Equal(new Dictionary<int, double> { [9] = 1.0 }, followers);
    }

    [Fact]
    public void OccurrencesOfTheSameLengthShareTheWeightByCount()
    {
        int[] history = [4, 8, 4, 8, 4, 6, 0, 4];
        var followers = new Dictionary<int, double>();

        var length = ContextCopy.Find(history, history.Length, 32, followers);

        // "0 4" has no earlier occurrence, "4" three: followed by 8, 8 and 6.
        Assert.Equal(1, length);
        Assert.Equal(2.0 / 3, followers[8], 9);
        Assert.Equal(1.0 / 3, followers[6], 9);
        Assert.Equal(1.0, followers.Values.Sum(), 9);
    }

    [Fact]
    public void TheModelsOwnOutputIsNeverCopiedFrom()
    {
        // Prompt = the first 4 tokens; the model then wrote 5 5 5. Only the prompt may propose what comes next.
        int[] history = [1, 2, 3, 4, 5, 5, 5];
        var followers = new Dictionary<int, double>();

        Assert.Equal(0, ContextCopy.Find(history, 4, 32, followers));
        Assert.Empty(followers);

        // The same tokens with all of them as prompt: "5 5" occurred earlier, followed by 5.
        Assert.Equal(2, ContextCopy.Find(history, history.Length, 32, followers));
        Assert.Equal(1.0, followers[5]);
    }

    [Fact]
    public void AMatchIsCutAtTheLongestLengthAskedFor()
    {
        int[] history = [1, 2, 3, 4, 5, 1, 2, 3, 4];
        var followers = new Dictionary<int, double>();

        Assert.Equal(4, ContextCopy.Find(history, history.Length, 32, followers));
        Assert.Equal(2, ContextCopy.Find(history, history.Length, 2, followers));
        Assert.Equal(1.0, followers[5]);
    }

    [Fact]
    public void NoHistoryOrNoRepeatProposesNothing()
    {
        var followers = new Dictionary<int, double> { [1] = 1 };
        Assert.Equal(0, ContextCopy.Find([], 0, 32, followers));
        Assert.Empty(followers);
        Assert.Equal(0, ContextCopy.Find([1, 2, 3], 3, 32, followers));
        Assert.Empty(followers);
    }

    [Fact]
    public void TheCopyWeightGrowsWithTheMatchUpToItsCeiling()
    {
        var options = new ContextCopyOptions(MinMatch: 2, WeightPerToken: 0.25, MaxWeight: 0.6);
        Assert.Equal(0, options.WeightFor(0));
        Assert.Equal(0, options.WeightFor(1));
        Assert.Equal(0.25, options.WeightFor(2), 9);
        Assert.Equal(0.5, options.WeightFor(3), 9);
        Assert.Equal(0.6, options.WeightFor(10), 9);
        Assert.Equal(0.3, ContextCopyOptions.Default.WeightFor(1), 9);
    }

    // A vocabulary's pieces: 0 "." 1 "total" 2 " total" 3 "_" 4 "in" 5 "def" 6 "for" 7 "orders" 8 " =" 9 " order".
    private static readonly TokenWords Words = TokenWords.From([.. new[] { ".", "total", " total", "_", "in", "def", "for", "orders", " =", " order" }.Select(p => System.Text.Encoding.UTF8.GetBytes(p))]);

    [Fact]
    public void ANameAfterADotMatchesTheSameNameAfterASpaceInADistantSource()
    {
        // The prompt: "orders_for … total = order.total_"; the imported definition: "def total_in…".
        int[] history = [7, 3, 6, 3, 2, 8, 9, 0, 1, 3];
        var followers = new Dictionary<int, double>();
        var prompt = ContextCopy.Find(history, history.Length, 32, followers);
        Assert.Equal(1, prompt); // "_", followed by "for" and " total": inside other names
        var sources = new[] { new CopySourceTokens(new[] { 5, 2, 3, 4 }, MinMatch: 2, "imports") };

        // Token for token, "total" is not " total": one matching token, below the source's minimum.
        Assert.Equal(1, ContextCopy.FindInSources(history, sources, 32, 1, prompt, followers, [], out var winner));
        Assert.Equal(-1, winner);

        // As names: "total_" matches (2), and it starts a name in both (one more) — it weighs 2 against the prompt's 1.
        Assert.Equal(2, ContextCopy.FindInSources(history, sources, 32, 1, prompt, followers, [], out winner, Words));
        Assert.Equal(0, winner);
        Assert.Equal(new Dictionary<int, double> { [4] = 1.0 }, followers);
    }

    [Fact]
    public void AMatchInsideANameGetsNothingForItsStart()
    {
        // "orders_" against a source's "orders_": the match starts the name in both ("orders" after "=" and after "def")…
        Assert.True(Words.StartsName([8, 7, 3], 1));
        Assert.True(Words.StartsName([5, 2], 1));
        // … but "_" after "orders" does not start one, nor does "total" glued to a name before it.
        Assert.False(Words.StartsName([7, 3], 1));
        Assert.False(Words.StartsName([7, 1], 1));
        Assert.True(Words.Same(1, 2));
        Assert.False(Words.Same(1, 3));
    }
}
