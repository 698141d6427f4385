namespace CodeAssist.Server.Prompting;

/// <summary>
/// A model's FIM prompt for a prefix and a suffix: the template's parts, and the text token healing cut off the end of
/// the prefix, which the generation must begin with.
/// </summary>
/// <param name="Parts">Markers and text in the template's order.</param>
/// <param name="Healed">The prefix's tail left out of the prompt (trailing whitespace, or a partial word with its space).</param>
public sealed record FimPrompt(IReadOnlyList<PromptPart> Parts, string Healed)
{
    // Longer words are left alone: the model has likely seen them split the same way.
    private const int MaxHealedWord = 24;

    /// <summary>The prompt for <paramref name="prefix"/> and <paramref name="suffix"/> in <paramref name="template"/>, healed.</summary>
    /// <remarks>
    /// Token healing: a prompt that ends in whitespace or in part of a word splits a token the model saw whole in
    /// training (indentation belongs with the next word, " va" with "lidator"), so that tail is cut off here and the
    /// output is made to start with it.
    /// </remarks>
    public static FimPrompt Build(FimTemplate template, string prefix, string suffix)
    {
        var cut = HealingCut(prefix);
        return new FimPrompt(template.Build(prefix[..cut], suffix), prefix[cut..]);
    }

    /// <summary>
    /// Where token healing cuts the prefix: before its trailing whitespace; or, when it ends in a word,
    /// before that word and the one space in front of it (byte-level BPE keeps " word" as one token).
    /// </summary>
    public static int HealingCut(string prefix)
    {
        var cut = prefix.Length;
        while (cut > 0 && char.IsWhiteSpace(prefix[cut - 1]))
        {
            cut--;
        }

        if (cut < prefix.Length)
        {
            return cut;
        }

        while (cut > 0 && prefix.Length - cut < MaxHealedWord && (char.IsLetterOrDigit(prefix[cut - 1]) || prefix[cut - 1] == '_'))
        {
            cut--;
        }

        if (cut > 0 && cut < prefix.Length && prefix[cut - 1] == ' ')
        {
            cut--;
        }

        return cut;
    }
}
