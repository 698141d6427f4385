namespace CodeAssist.Server.Python;

/// <summary>The first syntax problem found in a file: its 1-based line and what is wrong, mostly in CPython's words.</summary>
public sealed record PythonSyntaxProblem(int Line, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"line {Line}: {Message}";
}

/// <summary>
/// A syntax check that needs no Python: the errors the tokenizer finds, from <see cref="PythonLexer"/>. It is not a
/// parser: a file that passes can still be refused by Python (Python 2's <c>print x</c>, a missing operand), but a
/// file that fails would not even tokenize.
/// </summary>
/// <remarks>
/// Checked: a null byte; a closing bracket that closes nothing or another kind of bracket; a bracket still open at the
/// end; a string a line break ends (a single-quoted one without a backslash continuation) or that the end of the file
/// ends; a statement indented deeper than the one before when that one does not open a block ("unexpected indent");
/// a block opener ("...:" at the end of a statement) without a deeper statement after it; a dedent to a width that no
/// enclosing block has; and tabs and spaces mixed so that the indentation means different things with tabs of 8 and of 1
/// column (CPython's TabError). Blank lines, comment lines and lines that continue a statement (inside brackets,
/// strings or after a backslash) are not indentation.
/// </remarks>
public static class PythonSyntaxCheck
{
    /// <summary>The first problem in <paramref name="text"/>, or null when it tokenizes.</summary>
    public static PythonSyntaxProblem? Check(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lexed = PythonLexer.Lex(text);
        var lines = lexed.Lines;
        var nul = text.IndexOf('\0', StringComparison.Ordinal);
        PythonSyntaxProblem? first = nul >= 0 ? new PythonSyntaxProblem(LineOf(lines, nul), "source code cannot contain null bytes") : null;
        if (lexed.UnmatchedClosers.Count > 0)
        {
            var at = lexed.UnmatchedClosers[0];
            first = Earlier(first, new PythonSyntaxProblem(LineOf(lines, at), $"unmatched '{text[at]}'"));
        }

        first = Earlier(first, UnterminatedString(lines));
        first = Earlier(first, BadIndentation(text, lines));
        if (first is null && lexed.BracketDepth > 0)
        {
            // The outermost bracket left open is on the last line where the depth rose from zero.
            var opened = lines.Count - 1;
            while (opened > 0 && lines[opened].BracketDepthAtStart > 0)
            {
                opened--;
            }

            first = new PythonSyntaxProblem(opened + 1, $"'{lexed.EndState.OpenBrackets[0]}' was never closed");
        }

        return first;
    }

    private static PythonSyntaxProblem? Earlier(PythonSyntaxProblem? a, PythonSyntaxProblem? b) =>
        a is null ? b : b is null ? a : b.Line < a.Line ? b : a;

    private static PythonSyntaxProblem? UnterminatedString(IReadOnlyList<PythonLine> lines)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            // The lexer ends a single-quoted string at its line's end; the next line then starts outside it.
            if (lines[i].EndsInString && (i + 1 == lines.Count || !lines[i + 1].StartsInString))
            {
                // Reported where the string starts, as Python does.
                var start = i;
                while (start > 0 && lines[start].StartsInString)
                {
                    start--;
                }

                return new PythonSyntaxProblem(start + 1, i + 1 == lines.Count ? "unterminated string literal at the end of the file" : "unterminated string literal");
            }
        }

        return null;
    }

    private static PythonSyntaxProblem? BadIndentation(string text, IReadOnlyList<PythonLine> lines)
    {
        // Each level as CPython's tokenizer keeps it: the column with tabs of 8, and with tabs of 1.
        var levels = new List<(int Column, int Alternative)> { (0, 0) };
        var afterOpener = false;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.StartsLogicalLine && line.IsCode)
            {
                var (column, alternative) = Measure(text.AsSpan(line.Start, line.Length));
                var top = levels[^1];
                if (afterOpener)
                {
                    if (column <= top.Column)
                    {
                        return new PythonSyntaxProblem(i + 1, "expected an indented block");
                    }

                    if (alternative <= top.Alternative)
                    {
                        return new PythonSyntaxProblem(i + 1, "inconsistent use of tabs and spaces in indentation");
                    }

                    levels.Add((column, alternative));
                }
                else if (column == top.Column)
                {
                    if (alternative != top.Alternative)
                    {
                        return new PythonSyntaxProblem(i + 1, "inconsistent use of tabs and spaces in indentation");
                    }
                }
                else if (column > top.Column)
                {
                    return new PythonSyntaxProblem(i + 1, "unexpected indent");
                }
                else
                {
                    while (levels.Count > 1 && column < levels[^1].Column)
                    {
                        levels.RemoveAt(levels.Count - 1);
                    }

                    if (column != levels[^1].Column)
                    {
                        return new PythonSyntaxProblem(i + 1, "unindent does not match any outer indentation level");
                    }

                    if (alternative != levels[^1].Alternative)
                    {
                        return new PythonSyntaxProblem(i + 1, "inconsistent use of tabs and spaces in indentation");
                    }
                }
            }

            if (!line.IsBlank && !line.IsCommentOnly)
            {
                afterOpener = line.IsBlockOpener;
            }
        }

        if (!afterOpener)
        {
            return null;
        }

        var last = lines.Count - 1;
        while (last > 0 && lines[last].IsBlank)
        {
            last--;
        }

        return new PythonSyntaxProblem(last + 1, "expected an indented block at the end of the file");
    }

    private static (int Column, int Alternative) Measure(ReadOnlySpan<char> line)
    {
        int column = 0, alternative = 0;
        foreach (var c in line)
        {
            switch (c)
            {
                case ' ':
                    column++;
                    alternative++;
                    break;
                case '\t':
                    column = ((column / Indentation.TabWidth) + 1) * Indentation.TabWidth;
                    alternative++;
                    break;
                case '\f':
                    column = 0;
                    alternative = 0;
                    break;
                default:
                    return (column, alternative);
            }
        }

        return (column, alternative);
    }

    private static int LineOf(IReadOnlyList<PythonLine> lines, int offset)
    {
        int low = 0, high = lines.Count - 1;
        while (low < high)
        {
            var middle = (low + high + 1) / 2;
            if (lines[middle].Start <= offset)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        return low + 1;
    }
}
