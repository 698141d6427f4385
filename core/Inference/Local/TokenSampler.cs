namespace CodeAssist.Server.Inference.Local;

/// <summary>
/// Picks each generated token from the logits, with its log-probability: greedily, mixing in the copy model
/// (<see cref="ContextCopy"/>: a token the prompt continues with after the same run of tokens can win over the model's
/// choice), or by seeded sampling with a temperature and a nucleus (<see cref="Sample"/>).
/// </summary>
internal sealed class TokenSampler(ModelVocabulary vocabulary)
{
    // Tokens more than this many nats (at temperature 1) below the best are never sampled: their share is below e^-20.
    private const double SampleRange = 20;

    private readonly Dictionary<int, double> _copyFollowers = [];
    private readonly Dictionary<int, double> _sourceScratch = [];
    private readonly List<(int Token, double Weight)> _nucleus = [];

    /// <summary>
    /// The most likely token; with <paramref name="skipEndTokens"/>, the most likely that does not end generation; never
    /// <paramref name="except"/> (the next best, for a candidate that branches off). -1 when none.
    /// </summary>
    public int ArgMax(ReadOnlySpan<float> logits, bool skipEndTokens = false, int except = -1)
    {
        var best = -1;
        var bestValue = float.NegativeInfinity;
        for (var i = 0; i < vocabulary.Size; i++)
        {
            if (logits[i] > bestValue && i != except && !(skipEndTokens && vocabulary.Ends(i)))
            {
                bestValue = logits[i];
                best = i;
            }
        }

        return best;
    }

    /// <summary>
    /// Draws a token from softmax(<paramref name="logits"/> / <paramref name="temperature"/>) restricted to its nucleus:
    /// the most likely tokens whose shares add up to <paramref name="topP"/>. -1 when there is none.
    /// </summary>
    public int Sample(ReadOnlySpan<float> logits, double temperature, double topP, Random random)
    {
        var best = ArgMax(logits);
        if (best < 0 || temperature <= 0)
        {
            return best;
        }

        var max = logits[best];
        var floor = max - (SampleRange * temperature);
        _nucleus.Clear();
        var total = 0.0;
        for (var i = 0; i < vocabulary.Size; i++)
        {
            if (logits[i] >= floor)
            {
                var weight = Math.Exp((logits[i] - max) / temperature);
                _nucleus.Add((i, weight));
                total += weight;
            }
        }

        _nucleus.Sort(static (a, b) => b.Weight.CompareTo(a.Weight));
        var kept = 0.0;
        var count = 0;
        while (count < _nucleus.Count && (count == 0 || kept < topP * total))
        {
            kept += _nucleus[count++].Weight;
        }

        var draw = random.NextDouble() * kept;
        for (var i = 0; i < count; i++)
        {
            draw -= _nucleus[i].Weight;
            if (draw <= 0)
            {
                return _nucleus[i].Token;
            }
        }

        return _nucleus[count - 1].Token;
    }

    /// <summary>The natural log of the token's probability under the softmax of the vocabulary's <paramref name="logits"/>.</summary>
    public double LogProbability(ReadOnlySpan<float> logits, int token) => LogSoftmax.Of(logits[..vocabulary.Size], token);

    /// <summary>
    /// The mixture (1 - λ)·p_model + λ·p_copy decides between the model's token and the ones that followed the same run
    /// of tokens in the prompt, or, when the prompt matched too little, in one of <paramref name="sources"/> (then
    /// <paramref name="source"/> is its index; else -1). While healing, a copied token must agree with the healed text
    /// (<paramref name="canonical"/>: the tokenizer's own token there, see <see cref="TokenHealing.TokensAt"/>). Returns the
    /// chosen token and its log-probability under the mixture.
    /// </summary>
    public (int Token, double Logprob) MixInCopy(
        ContextCopyOptions copy, ReadOnlySpan<float> logits, int modelToken, double modelLogprob, ReadOnlySpan<int> history, int promptCount,
        ReadOnlySpan<byte> remaining, bool healing, bool forceLength, IReadOnlyList<CopySourceTokens>? sources, out int source, int? canonical = null)
    {
        var length = ContextCopy.Find(history, promptCount, copy.MaxMatch, _copyFollowers);
        source = -1;
        if (sources is { Count: > 0 })
        {
            length = ContextCopy.FindInSources(history, sources, copy.MaxMatch, copy.MinMatch, length, _copyFollowers, _sourceScratch, out source, vocabulary.Words);
        }

        var weight = copy.WeightFor(length);
        if (weight <= 0)
        {
            source = -1;
            return (modelToken, modelLogprob);
        }

        var logNormalizer = logits[modelToken] - modelLogprob;
        var best = modelToken;
        var bestScore = ContextCopy.Mix(weight, Math.Exp(modelLogprob), _copyFollowers.GetValueOrDefault(modelToken));
        foreach (var (candidate, share) in _copyFollowers)
        {
            if (candidate == modelToken || candidate < 0 || candidate >= vocabulary.Size || vocabulary.Piece(candidate).Length == 0)
            {
                continue;
            }

            // The same tokens the model itself may choose from here: ones that agree with the healed text, and
            // no end of generation when the length is forced.
            var agrees = healing
                ? TokenHealing.Agrees(vocabulary.Piece(candidate), remaining, candidate, canonical)
                : !(forceLength && vocabulary.Ends(candidate));
            var score = ContextCopy.Mix(weight, Math.Exp(logits[candidate] - logNormalizer), share);
            if (agrees && score > bestScore)
            {
                best = candidate;
                bestScore = score;
            }
        }

        return (best, Math.Log(bestScore));
    }
}
