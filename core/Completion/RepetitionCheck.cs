namespace CodeAssist.Server.Completion;

/// <summary>
/// The repetition check of a candidate the token budget cut off: a model that loops (<c>"/%s/%s/%s/%s…</c>,
/// <c>a, a, a, a…</c>) scores high — each repeat is likely once the loop started — and never ends its line. A cut-off
/// line that ends in one short unit repeated is a loop, not code; a cut-off line that does not loop is a long line the
/// budget was too small for, and passes.
/// </summary>
public static class RepetitionCheck
{
    /// <summary>Shortest run of repeats, in characters, that counts as a loop.</summary>
    public const int MinLoopChars = 12;

    /// <summary>Fewest repeats of the unit that count as a loop.</summary>
    public const int MinRepeats = 3;

    /// <summary>Longest repeated unit looked for.</summary>
    public const int MaxUnit = 16;

    /// <summary>Why a cut-off candidate is a loop, or null when its end does not repeat.</summary>
    public static string? Reject(string candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var text = candidate.TrimEnd();
        for (var unit = 1; unit <= MaxUnit && unit * MinRepeats <= text.Length; unit++)
        {
            var run = unit;
            while (run < text.Length && text[text.Length - 1 - run] == text[text.Length - 1 - run + unit])
            {
                run++;
            }

            // `run` characters at the end repeat with period `unit`.
            if (run >= MinLoopChars && run >= unit * MinRepeats && text[^unit..].Any(c => !char.IsWhiteSpace(c)))
            {
                return $"repetition: the line loops on \"{text[^unit..]}\"";
            }
        }

        return null;
    }
}
