namespace CodeAssist.Server.Python;

/// <summary>What the text around the cursor says about Python blocks: the cursor's line, whether it starts a block, and how deep the block's body is indented.</summary>
/// <remarks>
/// The prefix should start where the lexer can start, at the start of the file or of a top-level statement:
/// a prefix cut inside a string or brackets would be misread.
/// </remarks>
public sealed class BlockContext
{
    // Enough to find the line after an empty block without lexing the rest of a long file.
    private const int SuffixLinesToScan = 200;

    private BlockContext()
    {
    }

    /// <summary>The file's indentation style used to compute <see cref="BlockIndent"/>.</summary>
    public IndentStyle IndentStyle { get; private init; } = IndentStyle.Default;

    /// <summary>The lexer's state at the cursor, from which the completion can be lexed.</summary>
    public PythonLexState PrefixEndState { get; private init; } = PythonLexState.Initial;

    /// <summary>The cursor's line before the cursor.</summary>
    public string LinePrefix { get; private init; } = string.Empty;

    /// <summary>The cursor's line after the cursor, without the line break.</summary>
    public string LineSuffix { get; private init; } = string.Empty;

    /// <summary>Only whitespace before the cursor on its line.</summary>
    public bool IsLinePrefixBlank { get; private init; }

    /// <summary>Only whitespace on the cursor's whole line.</summary>
    public bool IsLineBlank { get; private init; }

    /// <summary>The cursor's line starts a statement: it does not continue a string, brackets or a backslash line from above.</summary>
    public bool LineStartsStatement { get; private init; }

    /// <summary>The cursor's column, a tab counting to the next multiple of 8.</summary>
    public int CursorColumn { get; private init; }

    /// <summary>The indentation of the statement the cursor is in; the whitespace before the cursor when that is all the line has.</summary>
    public string LineIndentText { get; private init; } = string.Empty;

    /// <summary>The width of <see cref="LineIndentText"/>.</summary>
    public int LineIndent { get; private init; }

    /// <summary>The last line before the cursor's line that is neither blank nor only a comment; null at the top of the file.</summary>
    public string? PreviousCodeLine { get; private init; }

    /// <summary>The cursor's line up to the cursor ends a block opener, as in "def f():" with the cursor after the colon.</summary>
    public bool LinePrefixOpensBlock { get; private init; }

    /// <summary>The cursor is on a blank line right after a block opener such as "def f():", where the block's body goes.</summary>
    public bool StartsBlock { get; private init; }

    /// <summary>The keyword of the block the cursor starts ("def", "if", "class"…; "def" for "async def"), when <see cref="StartsBlock"/>.</summary>
    public string? BlockKeyword { get; private init; }

    /// <summary>The width of the opener's indentation, when <see cref="StartsBlock"/>.</summary>
    public int OpenerIndent { get; private init; }

    /// <summary>The indentation width the statements of the cursor's block have, and so the width below which a completion has left the block.</summary>
    public int BlockIndent { get; private init; }

    /// <summary>The cursor starts a block and no statement of its body follows: the next code line is at the opener's depth or shallower, or there is none.</summary>
    public bool IsEmptyBlockBody { get; private init; }

    /// <summary><see cref="IsEmptyBlockBody"/> for a function ("def" or "async def").</summary>
    public bool IsEmptyFunctionBody => IsEmptyBlockBody && BlockKeyword == "def";

    /// <summary>The cursor is inside a string literal.</summary>
    public bool InString => PrefixEndState.InString;

    /// <summary>The cursor is inside a comment.</summary>
    public bool InComment => PrefixEndState.InComment;

    /// <summary>Brackets open at the cursor.</summary>
    public int BracketDepth => PrefixEndState.BracketDepth;

    /// <summary>Reads the context of a cursor between <paramref name="prefix"/> and <paramref name="suffix"/>.</summary>
    /// <param name="prefix">The text before the cursor.</param>
    /// <param name="suffix">The text after the cursor.</param>
    /// <param name="style">The file's indentation style; detected from the prefix when null.</param>
    public static BlockContext Analyze(string prefix, string suffix, IndentStyle? style = null)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(suffix);
        style ??= IndentStyle.Detect(prefix);
        PythonLexResult lexed = PythonLexer.Lex(prefix);
        IReadOnlyList<PythonLine> lines = lexed.Lines;
        PythonLine cursorLine = lines[^1];
        string linePrefix = prefix.Substring(cursorLine.Start, cursorLine.Length);
        string lineSuffix = FirstLine(suffix);
        bool prefixBlank = Indentation.IsBlank(linePrefix);
        bool lineBlank = prefixBlank && Indentation.IsBlank(lineSuffix);
        int column = Indentation.Columns(linePrefix);

        string indentText;
        if (prefixBlank && cursorLine.StartsLogicalLine)
        {
            indentText = linePrefix;
        }
        else
        {
            PythonLine statement = lines[cursorLine.LogicalStartLine];
            indentText = Indentation.Leading(prefix.AsSpan(statement.Start, statement.Length)).ToString();
        }

        int indent = Indentation.Columns(indentText);
        int previous = lines.Count - 2;
        while (previous >= 0 && !lines[previous].IsCode)
        {
            previous--;
        }

        string? previousCode = previous >= 0 ? prefix.Substring(lines[previous].Start, lines[previous].Length) : null;
        bool startsBlock = lineBlank && previous >= 0 && lines[previous].IsBlockOpener && cursorLine.StartsLogicalLine;
        string? keyword = null;
        int openerIndent = 0;
        int blockIndent;
        bool emptyBody = false;
        if (startsBlock)
        {
            PythonLine opener = lines[lines[previous].LogicalStartLine];
            string openerText = prefix.Substring(opener.Start, opener.Length);
            openerIndent = Indentation.Width(openerText);
            keyword = Keyword(openerText);
            blockIndent = column > openerIndent ? column : openerIndent + style.UnitWidth;
            emptyBody = NextStatementIndent(suffix, lexed.EndState) is not { } next || next <= openerIndent;
        }
        else
        {
            blockIndent = prefixBlank && cursorLine.StartsLogicalLine ? column : indent;
        }

        return new BlockContext
        {
            IndentStyle = style,
            PrefixEndState = lexed.EndState,
            LinePrefix = linePrefix,
            LineSuffix = lineSuffix,
            IsLinePrefixBlank = prefixBlank,
            IsLineBlank = lineBlank,
            LineStartsStatement = cursorLine.StartsLogicalLine,
            CursorColumn = column,
            LineIndentText = indentText,
            LineIndent = indent,
            LinePrefixOpensBlock = cursorLine.IsBlockOpener,
            PreviousCodeLine = previousCode,
            StartsBlock = startsBlock,
            BlockKeyword = keyword,
            OpenerIndent = openerIndent,
            BlockIndent = blockIndent,
            IsEmptyBlockBody = emptyBody,
        };
    }

    /// <summary>The first word of a statement, or the second after "async".</summary>
    internal static string? Keyword(string statement)
    {
        ReadOnlySpan<char> rest = statement.AsSpan().TrimStart();
        ReadOnlySpan<char> word = Word(rest);
        if (word.SequenceEqual("async"))
        {
            word = Word(rest[word.Length..].TrimStart());
        }

        return word.IsEmpty ? null : word.ToString();
    }

    private static ReadOnlySpan<char> Word(ReadOnlySpan<char> text)
    {
        int i = 0;
        while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
        {
            i++;
        }

        return text[..i];
    }

    private static string FirstLine(string text)
    {
        int end = text.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? text : text[..end];
    }

    /// <summary>The indentation of the first statement after the cursor's line, or null if none follows.</summary>
    private static int? NextStatementIndent(string suffix, PythonLexState state)
    {
        ReadOnlySpan<char> window = suffix;
        int breaks = 0;
        for (int i = 0; i < window.Length; i++)
        {
            if (window[i] == '\n' && ++breaks == SuffixLinesToScan)
            {
                window = window[..i];
                break;
            }
        }

        PythonLexResult lexed = PythonLexer.Lex(window, state);
        for (int i = 1; i < lexed.Lines.Count; i++)
        {
            PythonLine line = lexed.Lines[i];
            if (line.IsCode && line.StartsLogicalLine)
            {
                return Indentation.Width(window.Slice(line.Start, line.Length));
            }
        }

        // Nothing within the window: an empty body only if the window reached the end of the file.
        return window.Length == suffix.Length ? null : int.MaxValue;
    }
}
