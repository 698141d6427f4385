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
}
