namespace CodeAssist.Server.Python;

/// <summary>What <see cref="PythonLexer"/> learned about one physical line.</summary>
/// <param name="Start">Offset of the line's first character in the lexed text.</param>
/// <param name="Length">Length without the line break.</param>
/// <param name="IsBlank">Only whitespace.</param>
/// <param name="IsCommentOnly">Starts in code and its first non-blank character starts a comment.</param>
/// <param name="StartsInString">Starts inside a string that an earlier line opened.</param>
/// <param name="BracketDepthAtStart">Brackets open in the code when the line starts.</param>
/// <param name="StartsContinued">The line before ended with a continuing backslash.</param>
/// <param name="EndsInString">Ends inside a string.</param>
/// <param name="BracketDepthAtEnd">Brackets open in the code when the line ends.</param>
/// <param name="IsBlockOpener">Ends a statement with ':' outside strings, comments and brackets, such as "def f():" or "else:  # why".</param>
/// <param name="LogicalStartLine">Index of the line where this line's statement starts (this line unless it continues one).</param>
public readonly record struct PythonLine(
    int Start,
    int Length,
    bool IsBlank,
    bool IsCommentOnly,
    bool StartsInString,
    int BracketDepthAtStart,
    bool StartsContinued,
    bool EndsInString,
    int BracketDepthAtEnd,
    bool IsBlockOpener,
    int LogicalStartLine)
{
    /// <summary>Neither blank nor only a comment.</summary>
    public bool IsCode => !IsBlank && !IsCommentOnly;

    /// <summary>Starts a statement: not inside a string, brackets or a backslash continuation, so its indentation matters.</summary>
    public bool StartsLogicalLine => !StartsInString && BracketDepthAtStart == 0 && !StartsContinued;

    /// <summary>Offset just after the line's last character.</summary>
    public int End => Start + Length;
}
