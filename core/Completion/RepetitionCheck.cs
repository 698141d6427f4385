using CodeAssist.Server.Python;

namespace CodeAssist.Server.Completion;

/// <summary>
/// The repetition stage of the checks, the one place that judges repeated text (it runs on the post-processed
/// candidate): in a multi-line candidate, a code line that repeats the one before it or is the next code line after the
/// cursor ends it; last lines that repeat the lines after the cursor are cut, and a candidate that is nothing but them
/// is rejected; a tail that repeats the rest of the cursor's line (a ")" the editor closed) is cut; a candidate whose
/// every line is the previous code line is rejected; and a line the token budget cut off that ends in a loop
/// (<c>"/%s/%s/%s/…</c>, <c>a, a, a, …</c>) is rejected — a model that loops scores high, each repeat being likely once
/// the loop started, and never ends its line; a line that loops and then ends is collapsed to one occurrence
/// (<see cref="CollapseLoop"/>).
/// </summary>
public static class RepetitionCheck
{
    /// <summary>Shortest run of repeats, in characters, that counts as a loop.</summary>
    public const int MinLoopChars = 12;

    /// <summary>Fewest repeats of the unit that count as a loop.</summary>
    public const int MinRepeats = 3;

    /// <summary>Longest repeated unit looked for.</summary>
    public const int MaxUnit = 16;

    /// <summary>
    /// Cuts the repeated text out of a post-processed <paramref name="candidate"/> for a cursor between
    /// <paramref name="prefix"/> and <paramref name="suffix"/>: the text left, and why the candidate was rejected when
    /// nothing but repetition was left (null otherwise). <paramref name="truncated"/>: the token budget cut it off.
    /// </summary>
    public static (string Text, string? Rejection) Apply(string candidate, string suffix, BlockContext context, bool multiline, bool truncated)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(suffix);
        ArgumentNullException.ThrowIfNull(context);
        if (candidate.Length == 0)
        {
            return (candidate, null);
        }

        if (truncated && Reject(candidate) is { } loop)
        {
            return (string.Empty, loop);
        }

        var newline = candidate.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : candidate.Contains('\r', StringComparison.Ordinal) ? "\r" : "\n";
        var lines = PostProcessor.SplitLines(candidate);
        for (var i = 0; i < lines.Count; i++)
        {
            lines[i] = CollapseLoop(lines[i]);
        }

        if (multiline)
        {
            CutAtARepeatedBlock(lines);
            CutAtARepeatedLine(lines);
            CutWhereTheSuffixBegins(lines, suffix);
        }

        RemoveTrailingBlankLines(lines);
        if (!RemoveRepeatedFollowingLines(lines, context, suffix))
        {
            return (string.Empty, "repetition: it repeats the lines after the cursor");
        }

        RemoveTrailingBlankLines(lines);
        RemoveSameLineOverlap(lines, context);
        if (lines.TrueForAll(line => line.AsSpan().IsWhiteSpace()))
        {
            return (string.Empty, null);
        }

        if (RepeatsPreviousLine(lines, context))
        {
            return (string.Empty, "repetition: it repeats the previous line");
        }

        return (string.Join(newline, lines), null);
    }

    private static void RemoveTrailingBlankLines(List<string> lines)
    {
        while (lines.Count > 1 && lines[^1].AsSpan().IsWhiteSpace())
        {
            lines.RemoveAt(lines.Count - 1);
        }
    }

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

    /// <summary>Shortest unit a line repeats that counts as a loop inside the line (<see cref="CollapseLoop"/>).</summary>
    public const int MinLineUnit = 4;

    /// <summary>Longest unit looked for inside a line.</summary>
    public const int MaxLineUnit = 24;

    /// <summary>
    /// A line with a loop inside it collapsed to one occurrence: <c>f"{name}={name!r} {name!r} {name!r} {name!r}"</c>
    /// becomes <c>f"{name}={name!r}"</c> — a small model that started repeating itself, whether or not the line then
    /// ends. Every whole repeat of the unit goes, the last occurrence (whole or cut) stays, and the checks then judge the
    /// line as any other (<c>ReferenceFrame('A', ReferenceFrame('A', ReferenceFrame('A', …</c> collapses to unbalanced
    /// brackets and is refused for its syntax). A loop is a unit of <see cref="MinLineUnit"/> to
    /// <see cref="MaxLineUnit"/> characters with at least two letters or digits (rules of <c>-</c> or <c>*</c> are
    /// comments' business), three times in a row. Real code rarely does it (<c>(None, None, None, None)</c>: about
    /// one line in a thousand of the standard library). The line itself when it has no loop.
    /// </summary>
    public static string CollapseLoop(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        for (var unit = MinLineUnit; unit <= MaxLineUnit && unit * MinRepeats <= line.Length; unit++)
        {
            var run = 0;
            for (var i = unit; i < line.Length; i++)
            {
                run = line[i] == line[i - unit] ? run + 1 : 0;
                if (run < unit * (MinRepeats - 1) || !HasTwoAlphanumerics(line.AsSpan(i - unit + 1, unit)))
                {
                    continue;
                }

                // The whole periodic stretch: from where the run began (one unit before its first match) to its end.
                var end = i;
                while (end + 1 < line.Length && line[end + 1] == line[end + 1 - unit])
                {
                    end++;
                }

                var begin = i - run - unit + 1;
                // Whole units go and the cut one left at the end stays; when that is no more than punctuation or
                // white space (the stretch began mid-unit), the last whole unit stays with it.
                var length = end - begin + 1;
                var dropped = (length / unit) - (HasTwoAlphanumerics(line.AsSpan(begin + (length / unit * unit), length % unit)) ? 0 : 1);
                return string.Concat(line.AsSpan(0, begin), line.AsSpan(begin + (dropped * unit)));
            }
        }

        return line;
    }

    private static bool HasTwoAlphanumerics(ReadOnlySpan<char> text)
    {
        var count = 0;
        foreach (var c in text)
        {
            count += char.IsLetterOrDigit(c) ? 1 : 0;
        }

        return count >= 2;
    }

    /// <summary>
    /// Ends a multi-line completion before a code line that repeats the one just before it: small models
    /// fall into such loops, and real code almost never writes the same statement twice in a row.
    /// </summary>
    private static void CutAtARepeatedLine(List<string> lines)
    {
        string previous = lines[0].Trim();
        for (int i = 1; i < lines.Count; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line == previous)
            {
                lines.RemoveRange(i, lines.Count - i);
                return;
            }

            previous = line;
        }
    }

    /// <summary>Longest block of lines looked for repeated right after itself.</summary>
    public const int MaxBlockLines = 4;

    /// <summary>
    /// Ends a multi-line completion where a block of two to <see cref="MaxBlockLines"/> code lines starts over, the same
    /// lines at the same indentation (blank lines aside): <c>if not a:</c> / <c>return b</c> written twenty times is a
    /// model looping, and the first block is all it meant.
    /// </summary>
    private static void CutAtARepeatedBlock(List<string> lines)
    {
        var code = Enumerable.Range(0, lines.Count).Where(i => !lines[i].AsSpan().IsWhiteSpace()).ToList();
        for (int start = 0; start < code.Count; start++)
        {
            for (int size = 2; size <= MaxBlockLines && start + (2 * size) <= code.Count; size++)
            {
                bool repeats = true;
                for (int k = 0; k < size && repeats; k++)
                {
                    // the first line starts at the cursor, without the indentation the others write
                    int first = code[start + k], again = code[start + size + k];
                    repeats = first == 0
                        ? string.Equals(lines[first].Trim(), lines[again].Trim(), StringComparison.Ordinal)
                        : string.Equals(lines[first].TrimEnd(), lines[again].TrimEnd(), StringComparison.Ordinal);
                }

                if (repeats)
                {
                    lines.RemoveRange(code[start + size], lines.Count - code[start + size]);
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Ends a multi-line completion before a line that is the next code line already after the cursor:
    /// the model has written its way back into existing code, and everything from there repeats it.
    /// </summary>
    private static void CutWhereTheSuffixBegins(List<string> lines, string suffix)
    {
        var following = PostProcessor.SplitLines(suffix).Skip(1).Select(line => line.Trim()).FirstOrDefault(line => line.Length > 0);
        if (following is null)
        {
            return;
        }

        for (int i = 1; i < lines.Count; i++)
        {
            if (lines[i].Trim() == following)
            {
                lines.RemoveRange(i, lines.Count - i);
                return;
            }
        }
    }

    /// <summary>
    /// Cuts the completion's last lines when they repeat the lines after the cursor's line (blank lines aside), as a
    /// model regenerating the existing next line does. False when the whole completion is such a repetition.
    /// </summary>
    private static bool RemoveRepeatedFollowingLines(List<string> lines, BlockContext context, string suffix)
    {
        List<string> following = FollowingCodeLines(suffix, lines.Count);
        if (following.Count == 0)
        {
            return true;
        }

        // The first line can only repeat a following line when it is the whole of the cursor's line.
        int firstCandidate = context.LineSuffix.AsSpan().IsWhiteSpace() ? 0 : 1;
        for (int start = firstCandidate; start < lines.Count; start++)
        {
            if (TailMatches(lines, start, context.LinePrefix, following))
            {
                if (start == 0)
                {
                    return false;
                }

                lines.RemoveRange(start, lines.Count - start);
                return true;
            }
        }

        return true;
    }

    private static bool TailMatches(List<string> lines, int start, string linePrefix, List<string> following)
    {
        int matched = 0;
        for (int i = start; i < lines.Count; i++)
        {
            string line = i == 0 ? linePrefix + lines[0] : lines[i];
            if (line.AsSpan().IsWhiteSpace())
            {
                continue;
            }

            if (matched == following.Count || !line.AsSpan().TrimEnd().SequenceEqual(following[matched].AsSpan().TrimEnd()))
            {
                return false;
            }

            matched++;
        }

        return matched > 0;
    }

    /// <summary>Up to <paramref name="count"/> non-blank lines after the cursor's line.</summary>
    private static List<string> FollowingCodeLines(string suffix, int count)
    {
        var result = new List<string>(count);
        int lineStart = suffix.AsSpan().IndexOfAny('\r', '\n');
        while (lineStart >= 0 && result.Count < count)
        {
            lineStart += suffix[lineStart] == '\r' && lineStart + 1 < suffix.Length && suffix[lineStart + 1] == '\n' ? 2 : 1;
            int end = suffix.AsSpan(lineStart).IndexOfAny('\r', '\n');
            string line = end < 0 ? suffix[lineStart..] : suffix.Substring(lineStart, end);
            if (!line.AsSpan().IsWhiteSpace())
            {
                result.Add(line);
            }

            lineStart = end < 0 ? -1 : lineStart + end;
        }

        return result;
    }

    /// <summary>
    /// Removes a tail of the last line that repeats the start of what follows the cursor on its line, such as a ")"
    /// or '"' the editor closed automatically. The repeated part must not split a word on either side.
    /// </summary>
    private static void RemoveSameLineOverlap(List<string> lines, BlockContext context)
    {
        string target = context.LineSuffix.TrimEnd();
        string last = lines[^1];
        for (int length = Math.Min(last.Length, target.Length); length > 0; length--)
        {
            if (!last.AsSpan().EndsWith(target.AsSpan(0, length)))
            {
                continue;
            }

            bool splitsSuffixWord = length < target.Length && IsWordChar(target[length - 1]) && IsWordChar(target[length]);
            char before = last.Length > length ? last[^(length + 1)]
                : lines.Count == 1 && context.LinePrefix.Length > 0 ? context.LinePrefix[^1]
                : ' ';
            bool splitsCompletionWord = IsWordChar(before) && IsWordChar(target[0]);
            if (!splitsSuffixWord && !splitsCompletionWord)
            {
                lines[^1] = last[..^length];
                return;
            }
        }
    }

    /// <summary>Whether every line the completion completes equals the previous code line, a model's favourite loop.</summary>
    private static bool RepeatsPreviousLine(List<string> lines, BlockContext context)
    {
        string? previous = context.PreviousCodeLine?.Trim();
        if (string.IsNullOrEmpty(previous) || previous.All(c => c is ')' or ']' or '}' or ',' or ':'))
        {
            // Closing lines such as ")" legitimately repeat.
            return false;
        }

        bool any = false;
        for (int i = 0; i < lines.Count; i++)
        {
            string line = lines[i];
            if (i == 0)
            {
                line = context.LinePrefix + line;
            }

            if (i == lines.Count - 1)
            {
                line += context.LineSuffix;
            }

            if (line.AsSpan().IsWhiteSpace())
            {
                continue;
            }

            if (!line.AsSpan().Trim().SequenceEqual(previous))
            {
                return false;
            }

            any = true;
        }

        return any;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
