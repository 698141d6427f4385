using CodeAssist.Server.Python;

namespace CodeAssist.Server.Completion;

/// <summary>Turns a model's raw output into the text to insert at the cursor of a Python file, or "" when nothing useful is left.</summary>
/// <remarks>
/// The steps, in order: keep the first line (single-line mode; closing brackets the model put alone on the next lines
/// join it); cut at the first closing bracket that closes
/// nothing; convert the indentation to the file's style; end where a line leaves the cursor's block; keep at most
/// <see cref="PostProcessorOptions.MaxLines"/> lines; trim trailing whitespace; drop what is blank. Repeated text is
/// the check stage's (<see cref="RepetitionCheck"/>). The prefix is lexed once, and the completion is lexed as its continuation, so lines inside a
/// multi-line string, inside brackets or after a backslash never count as leaving a block.
/// </remarks>
public sealed partial class PostProcessor
{
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
        if (!options.Multiline && lines[0].Length == 0)
        {
            return string.Empty;
        }

        BlockContext context = options.Context ?? BlockContext.Analyze(prefix, suffix, options.IndentStyle);
        if (!options.Multiline)
        {
            JoinClosingLines(lines, context.PrefixEndState, closeOnLine: !options.Truncated && context.LineSuffix.AsSpan().IsWhiteSpace() ? context.LinePrefix : null);
            lines.RemoveRange(1, lines.Count - 1);
        }

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
        if (lines.TrueForAll(line => line.AsSpan().IsWhiteSpace()))
        {
            return string.Empty;
        }

        return string.Join(DetectNewline(prefix, suffix), lines);
    }

    /// <summary>The lines of <paramref name="text"/>, split at \r\n, \n or \r.</summary>
    internal static List<string> SplitLines(string text)
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
    /// Single-line mode: closing brackets the model wrote alone on the lines after the first (a call closed on its own
    /// line: <c>print(x</c>, then <c>)</c>) join the first line when they close, innermost first, what it left open
    /// (<c>print(x)</c>) — cut at its end, the line would leave the call open. A last closing line may end with the
    /// colon of a header (<c>):</c>) when it closes everything. A first line that ends in a string or a comment, or with a
    /// comma (one item a line: the closer keeps its own line), gets nothing. Given <paramref name="closeOnLine"/> (the
    /// cursor's line before it, when nothing follows the cursor on its line), a model that ended the statement after a
    /// finished operand (its text, or the next line no deeper than this one) gets the brackets that line opened closed.
    /// </summary>
    internal static void JoinClosingLines(List<string> lines, PythonLexState start, string? closeOnLine = null)
    {
        if (OpenBracketsToClose(lines[0], start) is not { } open)
        {
            return;
        }

        int depth = open.Length;
        int i = 1;
        for (; i < lines.Count && depth > 0; i++)
        {
            string closing = lines[i].Trim();
            bool colon = closing.EndsWith(':');
            string closers = colon ? closing[..^1] : closing;
            if (closers.Length == 0 || closers.Length > depth || (colon && closers.Length != depth))
            {
                break;
            }

            for (int k = 0; k < closers.Length; k++)
            {
                if (closers[k] != CloserOf(open[depth - 1 - k]))
                {
                    return;
                }
            }

            depth -= closers.Length;
            lines[0] += closing;
        }

        // Nothing after the cursor on its line, and the model ended the statement after a finished operand — its text
        // ends, or its next line is no deeper than this one (a line that goes on inside the brackets is indented
        // deeper, by convention): the brackets the line itself opened are closed (print(x → print(x)), not those of
        // earlier lines (a call laid out over lines), nor a def or class header's (its parameters often go on).
        string line = closeOnLine + lines[0];
        string last = line.TrimEnd();
        string statement = line.TrimStart();
        string? next = lines.Skip(i).FirstOrDefault(rest => !rest.AsSpan().IsWhiteSpace());
        bool ended = next is null || Indentation.Width(next) <= Indentation.Width(line);
        if (closeOnLine is not null && ended && depth > 0 && last.Length > 0
            && (char.IsLetterOrDigit(last[^1]) || last[^1] is '_' or '"' or '\'' or ')' or ']' or '}')
            && !statement.StartsWith("def ", StringComparison.Ordinal) && !statement.StartsWith("async def ", StringComparison.Ordinal)
            && !statement.StartsWith("class ", StringComparison.Ordinal))
        {
            int ownOpen = Math.Min(depth, PythonLexer.Lex(line).EndState.BracketDepth);
            for (int k = depth - 1; k >= depth - ownOpen; k--)
            {
                lines[0] += CloserOf(open[k]);
            }
        }
    }

    /// <summary>
    /// The brackets <paramref name="line"/> (lexed from <paramref name="start"/>) leaves open, innermost last, when
    /// closing lines may join it (<see cref="JoinClosingLines"/>); null when it leaves none open or ends in a string, a
    /// comment, a backslash continuation or with a comma (one item of a list laid out a line each: the closer has its
    /// own line).
    /// </summary>
    internal static string? OpenBracketsToClose(ReadOnlySpan<char> line, PythonLexState start)
    {
        PythonLexState end = PythonLexer.Lex(line, start).EndState;
        return end.InString || end.InComment || end.IsLineContinued || end.BracketDepth == 0 || line.TrimEnd().EndsWith(',')
            ? null
            : end.OpenBrackets;
    }

    private static char CloserOf(char opener) => opener switch
    {
        '(' => ')',
        '[' => ']',
        _ => '}',
    };

    private static void RemoveTrailingBlankLines(List<string> lines)
    {
        while (lines.Count > 1 && lines[^1].AsSpan().IsWhiteSpace())
        {
            lines.RemoveAt(lines.Count - 1);
        }
    }
}
