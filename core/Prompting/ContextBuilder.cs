namespace CodeAssist.Server.Prompting;

/// <summary>The text a prompt is built from, cut to the model's token budget.</summary>
/// <param name="PrefixStart">Where <paramref name="Prefix"/> starts in the prefix text it was cut from.</param>
public sealed record PromptContext(string Prefix, string Suffix, int PrefixTokens, int SuffixTokens, int PrefixStart = 0);

/// <summary>
/// Cuts the text before and after the cursor to fit the context window: whole lines only, the lines
/// nearest the cursor kept, about three quarters of the budget for the prefix.
/// </summary>
public static class ContextBuilder
{
    /// <summary>Tokens reserved for FIM markers and BOS.</summary>
    public const int TemplateReserve = 8;

    // A generous upper bound on characters per token for code, used to take a raw window before tokenizing.
    private const int CharsPerTokenBound = 8;

    /// <summary>
    /// Fits <paramref name="prefix"/> and <paramref name="suffix"/> into <c>contextSize − maxTokens</c> tokens.
    /// The prefix loses lines from its start, the suffix from its end; the line the cursor is on is kept
    /// whole on both sides as long as it fits at all.
    /// </summary>
    /// <remarks>
    /// While the user types, the prompt's start should stay put: everything after the first token that changes is
    /// decoded again (KV cache) and tokenized again. A caller that passes <paramref name="prefixAnchor"/> (the
    /// offset in <paramref name="prefix"/> where the previous prompt's prefix began, or -1 for none) gets that start
    /// back as long as the text from there still fits and it is still a line start; when it must move, the prefix is
    /// fitted to seven eighths of its budget, so that the next few hundred characters typed fit without moving it.
    /// </remarks>
    public static PromptContext Build(string prefix, string suffix, int contextSize, int maxTokens, Func<string, int> countTokens, int? prefixAnchor = null)
    {
        var budget = Math.Max(16, contextSize - maxTokens - TemplateReserve);
        var suffixBudget = budget / 4;
        var (fittedSuffix, suffixTokens) = Fit(suffix, suffixBudget, countTokens, keepStart: true);
        var prefixBudget = budget - suffixTokens;
        if (prefixAnchor is { } anchor && anchor >= 0 && anchor < prefix.Length && (anchor == 0 || prefix[anchor - 1] == '\n'))
        {
            var kept = prefix[anchor..];
            var keptTokens = countTokens(kept);
            if (keptTokens <= prefixBudget)
            {
                return new PromptContext(kept, fittedSuffix, keptTokens, suffixTokens, anchor);
            }
        }

        var fitBudget = prefixAnchor is null ? prefixBudget : prefixBudget - (prefixBudget / 8);
        var (fittedPrefix, prefixTokens) = Fit(prefix, fitBudget, countTokens, keepStart: false);
        return new PromptContext(fittedPrefix, fittedSuffix, prefixTokens, suffixTokens, prefix.Length - fittedPrefix.Length);
    }

    private static (string Text, int Tokens) Fit(string text, int budget, Func<string, int> countTokens, bool keepStart)
    {
        if (text.Length == 0 || budget <= 0)
        {
            return (string.Empty, 0);
        }

        var window = Window(text, budget * CharsPerTokenBound, keepStart);
        var tokens = countTokens(window);
        while (tokens > budget && window.Length > 0)
        {
            // Drop a share of the window proportional to the excess (plus a little), at a line boundary.
            var keepChars = (int)((long)window.Length * budget / tokens * 95 / 100);
            var shorter = Window(window, keepChars, keepStart);
            if (shorter.Length >= window.Length)
            {
                shorter = Window(window, window.Length - 1, keepStart);
            }

            window = shorter;
            tokens = countTokens(window);
        }

        return (window, tokens);
    }

    // At most maxChars of text, nearest the cursor, cut at a line boundary. The cursor's own line is only
    // cut mid-line when it alone is longer than the window.
    private static string Window(string text, int maxChars, bool keepStart)
    {
        if (text.Length <= maxChars)
        {
            return text;
        }

        if (maxChars <= 0)
        {
            return string.Empty;
        }

        if (keepStart)
        {
            var end = text.LastIndexOf('\n', maxChars - 1);
            return end >= 0 ? text[..(end + 1)] : text[..maxChars];
        }

        var start = text.IndexOf('\n', text.Length - maxChars);
        return start >= 0 && start + 1 <= text.Length ? text[(start + 1)..] : text[^maxChars..];
    }
}
