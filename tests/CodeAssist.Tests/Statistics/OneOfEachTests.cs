using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Statistics;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Statistics;

/// <summary>The one percentile and the one log-softmax that every figure in the project goes through.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class OneOfEachTests
{
    [Fact]
    public void PercentilesInterpolateBetweenTheNearestRanks()
    {
        Assert.Null(Percentile.Of([], 0.5));
        Assert.Equal(7.0, Percentile.Of([7], 0.95));
        Assert.Equal(3.0, Percentile.Of([5, 1, 3, 2, 4], 0.5));
        Assert.Equal(2.5, Percentile.Of([4, 1, 3, 2], 0.5));
        Assert.Equal(4.8, Percentile.Of([5, 1, 3, 2, 4], 0.95)!.Value, 9);
        Assert.Equal(1.0, Percentile.Of([5, 1, 3, 2, 4], 0));
        Assert.Equal(5.0, Percentile.Of([5, 1, 3, 2, 4], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentile.Of([1], 1.5));
    }

    [Fact]
    public void LogSoftmaxIsTheLogOfTheNormalisedExponential()
    {
        float[] logits = [1f, 2f, 3f];
        var total = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        for (var token = 0; token < logits.Length; token++)
        {
            Assert.Equal(Math.Log(Math.Exp(logits[token]) / total), LogSoftmax.Of(logits, token), 9);
        }

        // Large logits do not overflow.
        Assert.Equal(Math.Log(0.5), LogSoftmax.Of([1000f, 1000f], 1), 9);
        Assert.Throws<ArgumentOutOfRangeException>(() => LogSoftmax.Of([1f], 1));
    }

    [Fact]
    public void EveryFallbackKindHasOneNameThatParsesBackToIt()
    {
        foreach (var kind in Enum.GetValues<FallbackKind>())
        {
            Assert.Equal(kind, FallbackOptions.ParseKind(FallbackOptions.KindName(kind)));
        }

        Assert.Null(FallbackOptions.ParseKind("OpenAI"));
        Assert.Null(FallbackOptions.ParseKind(null));
        Assert.True(FallbackOptions.IsRemoteKind(FallbackKind.Ollama));
        Assert.False(FallbackOptions.IsRemoteKind(FallbackKind.Local));
    }
}
