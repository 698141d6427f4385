using CodeAssist.Server.Python;

namespace CodeAssist.Server.Completion;

/// <summary>The post-processing steps about indentation and blocks: the file's indentation style, and where a completion leaves the cursor's block.</summary>
public sealed partial class PostProcessor
{
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

    private static int GreatestCommonDivisor(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    private static readonly string[] ClauseKeywords = ["elif", "else", "except", "finally"];
}
