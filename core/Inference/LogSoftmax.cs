namespace CodeAssist.Server.Inference;

/// <summary>The one log-softmax: a token's log-probability from a model's logits (generation, the copy mixture and the eval's loss use it).</summary>
public static class LogSoftmax
{
    /// <summary>The natural log of <paramref name="token"/>'s probability under the softmax of <paramref name="logits"/>.</summary>
    public static double Of(ReadOnlySpan<float> logits, int token)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(token);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(token, logits.Length);
        var max = float.NegativeInfinity;
        foreach (var value in logits)
        {
            max = Math.Max(max, value);
        }

        double sum = 0;
        foreach (var value in logits)
        {
            sum += Math.Exp(value - max);
        }

        return logits[token] - max - Math.Log(sum);
    }
}
