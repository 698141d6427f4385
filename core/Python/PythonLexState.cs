using System.Collections.Immutable;

namespace CodeAssist.Server.Python;

/// <summary>Where a <see cref="PythonLexer"/> stands at some point of a text: the open strings and brackets, and whether a comment runs.</summary>
/// <remarks>Lexing can resume from a state, so a completion can be lexed as the continuation of the text before the cursor without lexing that text again.</remarks>
public sealed class PythonLexState
{
    internal PythonLexState(ImmutableArray<LexFrame> frames, bool inComment, bool lineContinued, bool escapePending)
    {
        Frames = frames;
        InComment = inComment;
        IsLineContinued = lineContinued;
        EscapePending = escapePending;
    }

    /// <summary>The state at the start of a file.</summary>
    public static PythonLexState Initial { get; } =
        new([new LexFrame(LexFrameKind.Code, '\0', false, false, false, string.Empty)], false, false, false);

    /// <summary>Inside a string literal, including the replacement fields of an f-string.</summary>
    public bool InString => Frames.Length > 1;

    /// <summary>
    /// Inside the text of a triple-quoted string (a docstring or other prose), not in one of an f-string's replacement
    /// fields: the innermost frame is such a string.
    /// </summary>
    public bool InTripleQuotedText => Frames[^1] is { Kind: LexFrameKind.String, Triple: true };

    /// <summary>Inside a comment that the end of the text cut short.</summary>
    public bool InComment { get; }

    /// <summary>After a backslash that continues the line.</summary>
    public bool IsLineContinued { get; }

    /// <summary>The number of brackets open in the code outside strings.</summary>
    public int BracketDepth => Frames[0].Brackets.Length;

    /// <summary>The brackets open in the code outside strings, outermost first, such as "([".</summary>
    public string OpenBrackets => Frames[0].Brackets;

    internal ImmutableArray<LexFrame> Frames { get; }

    /// <summary>The text ended on a backslash inside a string, which escapes whatever comes next.</summary>
    internal bool EscapePending { get; }
}

internal enum LexFrameKind
{
    Code,
    String,
    Expression,
    FormatSpec,
}

/// <summary>
/// One level of nesting: the code, a string, an f-string's replacement field (code again) or its format spec.
/// Frames inside a string carry that string's quote, so that a line break can end an unterminated single-quoted string.
/// </summary>
internal readonly record struct LexFrame(LexFrameKind Kind, char Quote, bool Triple, bool Formatted, bool Raw, string Brackets);
