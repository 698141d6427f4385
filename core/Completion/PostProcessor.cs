using CodeAssist.Server.Python;

namespace CodeAssist.Server.Completion;

/// <summary>Turns a model's raw output into the text to insert at the cursor of a Python file, or "" when nothing useful is left.</summary>
/// <remarks>
/// The steps, in order: keep the first line (single-line mode); cut at the first closing bracket that closes
/// nothing; convert the indentation to the file's style; end where a line leaves the cursor's block; keep at most
/// <see cref="PostProcessorOptions.MaxLines"/> lines; trim trailing whitespace; drop lines that repeat the lines after
/// the cursor, and a tail that repeats what follows the cursor on its line; drop what only repeats the previous
/// line or is blank. The prefix is lexed once, and the completion is lexed as its continuation, so lines inside a
/// multi-line string, inside brackets or after a backslash never count as leaving a block.
/// </remarks>
public sealed class PostProcessor
{
    private static readonly string[] ClauseKeywords = ["elif", "else", "except", "finally"];

    /// <summary>Post-processes <paramref name="completion"/>, generated for a cursor between <paramref name="prefix"/> and <paramref name="suffix"/>.</summary>
    /// <param name="completion">The model's raw output.</param>
    /// <param name="prefix">The text before the cursor, from the start of the file or of a top-level statement.</param>
    /// <param name="suffix">The text after the cursor (the next few lines are enough).</param>
    /// <param name="options">Single- or multi-line, line limit, indentation style.</param>
    /// <returns>The text to insert, with the document's line breaks; "" when nothing useful is left.</returns>
    public string Process(string completion, string prefix, string suffix, PostProcessorOptions options)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(suffix);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(completion))
        {
            return string.Empty;
        }

        List<string> lines = SplitLines(completion);
        if (!options.Multiline)
        {
            if (lines[0].Length == 0)
            {
                return string.Empty;
            }

            lines.RemoveRange(1, lines.Count - 1);
        }

        BlockContext context = options.Context ?? BlockContext.Analyze(prefix, suffix, options.IndentStyle);
        PythonLexResult lexed = PythonLexer.Lex(string.Join('\n', lines), context.PrefixEndState);
        var endsInString = new bool[lines.Count];
        for (int i = 0; i < lines.Count; i++)
        {
            endsInString[i] = lexed.Lines[i].EndsInString;
        }

        CutAtUnmatchedCloser(lines, lexed, endsInString);
        if (options.Multiline)
        {
            if (options.Truncated && lines.Count > 1)
            {
                // Cut off mid-line by the token budget: a half-written line is worse than none.
                lines.RemoveAt(lines.Count - 1);
            }

            CutAtARepeatedLine(lines);
            CutWhereTheSuffixBegins(lines, suffix);
            ConvertIndentation(lines, lexed, context.LineIndentText, options.IndentStyle);
            int end = BlockEnd(lines, lexed, context);
            lines.RemoveRange(end, lines.Count - end);
            int maxLines = Math.Max(1, options.MaxLines);
            if (lines.Count > maxLines)
            {
                lines.RemoveRange(maxLines, lines.Count - maxLines);
            }
        }

        for (int i = 0; i < lines.Count; i++)
        {
            // Whitespace at the end of a line inside a string literal is part of the string's value.
            if (!endsInString[i])
            {
                lines[i] = lines[i].TrimEnd();
            }
        }

        RemoveTrailingBlankLines(lines);
        if (!RemoveRepeatedFollowingLines(lines, context, suffix))
        {
            return string.Empty;
        }

        RemoveTrailingBlankLines(lines);
        RemoveSameLineOverlap(lines, context);
        if (lines.TrueForAll(line => line.AsSpan().IsWhiteSpace()) || RepeatsPreviousLine(lines, context))
        {
            return string.Empty;
        }

        return string.Join(DetectNewline(prefix, suffix), lines);
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

    /// <summary>
    /// Ends a multi-line completion before a line that is the next code line already after the cursor:
    /// the model has written its way back into existing code, and everything from there repeats it.
    /// </summary>
    private static void CutWhereTheSuffixBegins(List<string> lines, string suffix)
    {
        var following = SplitLines(suffix).Skip(1).Select(line => line.Trim()).FirstOrDefault(line => line.Length > 0);
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

    private static List<string> SplitLines(string text)
    {
        var lines = new List<string>();
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is '\r' or '\n')
            {
                lines.Add(text[start..i]);
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                start = i + 1;
            }
        }

        lines.Add(text[start..]);
        return lines;
    }

    /// <summary>The document's line break: the last one before the cursor, else the first after it, else "\n".</summary>
    private static string DetectNewline(string prefix, string suffix)
    {
        int last = prefix.AsSpan().LastIndexOfAny('\r', '\n');
        if (last >= 0)
        {
            if (prefix[last] == '\n')
            {
                return last > 0 && prefix[last - 1] == '\r' ? "\r\n" : "\n";
            }

            return suffix.StartsWith('\n') ? "\r\n" : "\r";
        }

        int first = suffix.AsSpan().IndexOfAny('\r', '\n');
        if (first >= 0 && suffix[first] == '\r')
        {
            return first + 1 < suffix.Length && suffix[first + 1] == '\n' ? "\r\n" : "\r";
        }

        return "\n";
    }

    /// <summary>Ends the completion before the first closing bracket that closes nothing the prefix or the completion opened.</summary>
    private static void CutAtUnmatchedCloser(List<string> lines, PythonLexResult lexed, bool[] endsInString)
    {
        if (lexed.UnmatchedClosers.Count == 0)
        {
            return;
        }

        int offset = lexed.UnmatchedClosers[0];
        for (int i = 0; i < lines.Count; i++)
        {
            PythonLine line = lexed.Lines[i];
            if (offset >= line.Start && offset <= line.End)
            {
                lines[i] = lines[i][..(offset - line.Start)];
                endsInString[i] = false;
                lines.RemoveRange(i + 1, lines.Count - i - 1);
                return;
            }
        }
    }

    /// <summary>
    /// Rewrites the leading whitespace of the completion's statements in the file's style. Indentation that starts
    /// with the cursor statement's own is relative to it; the model's unit is the greatest common divisor of the
    /// spaces it used (taken as 4 when a tab file's model output is a multiple of 4, since models indent by 4).
    /// </summary>
    private static void ConvertIndentation(List<string> lines, PythonLexResult lexed, string anchor, IndentStyle style)
    {
        var candidates = new List<(int Line, int WhitespaceLength, string Kept, string Relative)>();
        int unit = 0;
        bool anyTabs = false;
        for (int i = 1; i < lines.Count; i++)
        {
            if (!lexed.Lines[i].StartsLogicalLine || lines[i].AsSpan().IsWhiteSpace())
            {
                continue;
            }

            string whitespace = Indentation.LeadingText(lines[i]);
            string kept;
            if (style.UseTabs)
            {
                if (!whitespace.Contains(' '))
                {
                    continue;
                }

                kept = whitespace.StartsWith(anchor, StringComparison.Ordinal) ? anchor : string.Empty;
            }
            else if (whitespace.StartsWith(anchor, StringComparison.Ordinal))
            {
                kept = anchor;
            }
            else if (whitespace.Contains('\t'))
            {
                kept = string.Empty;
            }
            else
            {
                // Shallower than the cursor's statement, in spaces: the model copied the file's own indentation.
                continue;
            }

            string relative = whitespace[kept.Length..];
            int spaces = relative.Count(c => c == ' ');
            if (spaces > 0)
            {
                unit = unit == 0 ? spaces : GreatestCommonDivisor(unit, spaces);
            }

            anyTabs |= relative.Contains('\t');
            candidates.Add((i, whitespace.Length, kept, relative));
        }

        if (unit == 0)
        {
            unit = style.UseTabs ? 4 : style.Size;
        }
        else if (style.UseTabs && unit > 4 && unit % 4 == 0)
        {
            unit = 4;
        }

        if (!style.UseTabs && !anyTabs && unit == style.Size)
        {
            return;
        }

        foreach ((int line, int whitespaceLength, string kept, string relative) in candidates)
        {
            int spaces = relative.Count(c => c == ' ');
            int levels = relative.Count(c => c == '\t') + (spaces / unit);
            lines[line] = kept + style.Render(levels) + new string(' ', spaces % unit) + lines[line][whitespaceLength..];
        }
    }

    /// <summary>The number of lines that stay inside the cursor's block.</summary>
    private static int BlockEnd(List<string> lines, PythonLexResult lexed, BlockContext context)
    {
        int blockIndent = context.IsLinePrefixBlank && context.LineStartsStatement && !lines[0].AsSpan().IsWhiteSpace()
            ? Indentation.Columns(context.LinePrefix + Indentation.LeadingText(lines[0]))
            : context.BlockIndent;

        // When the completion finishes the statement at the cursor as a block opener ("if x" + ":\n    body"), it
        // should stop after that block, except for the clauses that continue the statement.
        bool opensBlock = false;
        if (!context.IsLinePrefixBlank)
        {
            PythonLine first = lexed.Lines[0];
            opensBlock = first.IsBlank || first.IsCommentOnly ? context.LinePrefixOpensBlock : first.IsBlockOpener;
        }

        for (int i = 1; i < lines.Count; i++)
        {
            if (!lexed.Lines[i].StartsLogicalLine || lines[i].AsSpan().IsWhiteSpace())
            {
                continue;
            }

            int width = Indentation.Width(lines[i]);
            if (width < blockIndent || (opensBlock && width <= context.LineIndent && !StartsWithClause(lines[i])))
            {
                return i;
            }
        }

        return lines.Count;
    }

    private static bool StartsWithClause(string line)
    {
        string? keyword = BlockContext.Keyword(line);
        return keyword is not null && Array.IndexOf(ClauseKeywords, keyword) >= 0;
    }

    private static void RemoveTrailingBlankLines(List<string> lines)
    {
        while (lines.Count > 1 && lines[^1].AsSpan().IsWhiteSpace())
        {
            lines.RemoveAt(lines.Count - 1);
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

    private static int GreatestCommonDivisor(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
