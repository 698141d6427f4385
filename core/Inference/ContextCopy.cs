namespace CodeAssist.Server.Inference;

/// <summary>
/// How strongly generation copies from the prompt: where the tokens just generated also occur earlier in the
/// context, the token that followed them there is given weight next to the model's own prediction.
/// </summary>
/// <param name="MinMatch">The fewest tokens that must match before copying is considered.</param>
/// <param name="WeightPerToken">The copy weight each matched token beyond <paramref name="MinMatch"/> − 1 adds.</param>
/// <param name="MaxWeight">The most weight the copy distribution gets (the model keeps the rest).</param>
/// <param name="MaxMatch">The longest match looked for (longer matches count as this long).</param>
/// <remarks>
/// The defaults were chosen on held-out third-party code with a different seed from the one the published figures
/// use (<c>codeassist eval … --seed 7</c>, see models/README.md): every earlier occurrence of the longest match
/// counts the same (weighting nearer ones more did worse), and one matching token already counts.
/// </remarks>
public sealed record ContextCopyOptions(int MinMatch = 1, double WeightPerToken = 0.3, double MaxWeight = 0.95, int MaxMatch = 32)
{
    /// <summary>The settings the server uses unless told otherwise.</summary>
    public static ContextCopyOptions Default { get; } = new();

    /// <summary>The copy weight for a match of <paramref name="length"/> tokens (0 below <see cref="MinMatch"/>).</summary>
    public double WeightFor(int length) =>
        length < MinMatch ? 0 : Math.Min(MaxWeight, WeightPerToken * (length - MinMatch + 1));
}

/// <summary>
/// A copy model over the tokens in the context window (a cache language model): finds the longest run of tokens
/// ending at the newest token that also occurs earlier in the prompt, and proposes the tokens that followed each
/// earlier occurrence. Code repeats itself (names, call shapes, the line above with one thing changed), and a
/// small model copies from its context far less reliably than it predicts common syntax; the mixture
/// <c>(1 − λ)·p_model + λ·p_copy</c> gets both.
/// </summary>
/// <remarks>
/// Only the prompt is copied from, never the model's own output, so a loop the model falls into is not
/// reinforced. The search is linear in the context length per generated token (a few microseconds for
/// thousands of tokens).
/// </remarks>
public static class ContextCopy
{
    /// <summary>
    /// The copy options a model runs with under the <c>contextCopy</c> setting: true or false for every model; null
    /// ("auto") on for CodeAssist's own models (where the weights were chosen and measured), off for others.
    /// </summary>
    public static ContextCopyOptions? For(bool? setting, ModelDescription model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return setting ?? (model.Template.Family == Prompting.FimFamily.CodeAssist) ? ContextCopyOptions.Default : null;
    }

    /// <summary>The mixture's probability of a token: <c>(1 − weight)·p_model + weight·p_copy</c>.</summary>
    public static double Mix(double weight, double modelProbability, double copyProbability) =>
        ((1 - weight) * modelProbability) + (weight * copyProbability);

    /// <summary>
    /// Fills <paramref name="followers"/> with the tokens that followed the longest earlier occurrence(s) of the
    /// history's tail, each with its share (shares sum to 1), and returns the match length (0: none).
    /// </summary>
    /// <param name="history">Every token in context, oldest first; the last one is the newest.</param>
    /// <param name="sourceEnd">Tokens at this index and after are not copied (the model's own output).</param>
    /// <param name="maxMatch">The longest match looked for.</param>
    /// <param name="followers">Cleared, then filled with token → share.</param>
    public static int Find(ReadOnlySpan<int> history, int sourceEnd, int maxMatch, Dictionary<int, double> followers)
    {
        ArgumentNullException.ThrowIfNull(followers);
        followers.Clear();
        var n = history.Length;
        if (n < 2)
        {
            return 0;
        }

        var (best, count) = Longest(history[..Math.Clamp(sourceEnd, 0, n)], history, maxMatch, followers);
        if (count == 0)
        {
            return 0;
        }

        foreach (var token in followers.Keys.ToList())
        {
            followers[token] /= count;
        }

        return best;
    }

    /// <summary>
    /// Looks for the history's tail in <paramref name="sources"/> (in order, nearest first). A source's match weighs as a
    /// prompt match shorter by its <see cref="CopySourceTokens.MinMatch"/> − <paramref name="minMatch"/> tokens (a
    /// distant match counts less than a near one of the same length); the first source whose match reaches its
    /// minimum and weighs more than what the prompt found (<paramref name="promptMatch"/>) replaces
    /// <paramref name="followers"/>. Returns the winning weight's length, or <paramref name="promptMatch"/> when no
    /// source wins; <paramref name="winner"/> is the winning source's index, or -1.
    /// </summary>
    /// <remarks>
    /// With <paramref name="words"/>, a source's tokens match the history's the way names do: a name's first token
    /// matches with or without the space in front of it (<c>order.total_</c> against <c>def total_including…</c>), and
    /// a match that starts where a name starts in both counts one token more — the whole name typed so far is the
    /// start of a name there, which says more than the same tokens in the middle of another name.
    /// </remarks>
    public static int FindInSources(
        ReadOnlySpan<int> history, IReadOnlyList<CopySourceTokens> sources, int maxMatch, int minMatch, int promptMatch,
        Dictionary<int, double> followers, Dictionary<int, double> scratch, out int winner, TokenWords? words = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(followers);
        ArgumentNullException.ThrowIfNull(scratch);
        winner = -1;
        var n = history.Length;
        if (n == 0)
        {
            return promptMatch;
        }

        for (var s = 0; s < sources.Count; s++)
        {
            var source = sources[s];
            var (best, count) = source.Index is { } index
                ? index.Longest(history, maxMatch, source.Excluded, scratch)
                : Longest(source.Tokens.Span, history, maxMatch, scratch, words);
            var weighed = best - source.MinMatch + minMatch;
            if (best < source.MinMatch || count == 0 || weighed <= promptMatch)
            {
                continue;
            }

            followers.Clear();
            foreach (var (token, seen) in scratch)
            {
                followers[token] = seen / count;
            }

            winner = s;
            return weighed;
        }

        return promptMatch;
    }

    /// <summary>
    /// Scans <paramref name="source"/> for the longest runs that end like <paramref name="history"/> (up to
    /// <paramref name="maxMatch"/> tokens) and counts, in <paramref name="followers"/> (cleared first), the token that
    /// followed each of them; returns the run's length and how many there were. With <paramref name="words"/>, tokens
    /// match as names do and a run that starts a name in both counts one more (see <see cref="FindInSources"/>).
    /// </summary>
    private static (int Best, int Count) Longest(
        ReadOnlySpan<int> source, ReadOnlySpan<int> history, int maxMatch, Dictionary<int, double> followers, TokenWords? words = null)
    {
        followers.Clear();
        var n = history.Length;
        var last = history[n - 1];
        var best = 0;
        var count = 0;
        // j is where an occurrence ends; the token after it, source[j + 1], is what it proposes.
        for (var j = source.Length - 2; j >= 0; j--)
        {
            if (source[j] != last && words?.Same(source[j], last) != true)
            {
                continue;
            }

            var k = 1;
            while (k < maxMatch && j - k >= 0 && k < n && (source[j - k] == history[n - 1 - k] || words?.Same(source[j - k], history[n - 1 - k]) == true))
            {
                k++;
            }

            if (words is not null && k < maxMatch && words.StartsName(history, n - k) && words.StartsName(source, j - k + 1))
            {
                k++;
            }

            if (k < best)
            {
                continue;
            }

            if (k > best)
            {
                best = k;
                count = 0;
                followers.Clear();
            }

            var next = source[j + 1];
            followers[next] = followers.GetValueOrDefault(next) + 1;
            count++;
        }

        return (best, count);
    }
}

/// <summary>A <see cref="CopySource"/> in a model's tokens.</summary>
/// <param name="Tokens">The source's token ids.</param>
/// <param name="MinMatch">The fewest tokens that must match in it.</param>
/// <param name="Name">What it is, for statistics.</param>
/// <param name="Index">Searched instead of <paramref name="Tokens"/> when set (the workspace's many files).</param>
/// <param name="Excluded">The <paramref name="Index"/>'s files not to copy from (open documents).</param>
public sealed record CopySourceTokens(ReadOnlyMemory<int> Tokens, int MinMatch, string Name, TokenIndex? Index = null, IReadOnlySet<int>? Excluded = null);
