namespace CodeAssist.Server.Python;

/// <summary>What <see cref="PythonParser"/> says about a text.</summary>
public enum PythonParseVerdict
{
    /// <summary>The text is Python as it stands.</summary>
    Valid,

    /// <summary>
    /// The text is not complete but is the beginning of some valid text: it ends inside an open bracket or string,
    /// after a block header with no body yet, after an operator or a backslash continuation.
    /// </summary>
    Unfinished,

    /// <summary>No continuation can make the text valid: the error lies before its end.</summary>
    Invalid,
}

/// <summary>The verdict on a text and, unless it is <see cref="PythonParseVerdict.Valid"/>, where and why.</summary>
/// <param name="Verdict">Valid, unfinished or invalid.</param>
/// <param name="Offset">
/// Where the first error is: the offset in the text of the token no rule accepts; for an unfinished text, where its
/// last token ends, or where the string or backslash continuation it ends in starts; -1 when valid.
/// </param>
/// <param name="Line">The 1-based line of <paramref name="Offset"/>; 0 when valid.</param>
/// <param name="Column">The 1-based column (in UTF-16 code units) of <paramref name="Offset"/>; 0 when valid.</param>
/// <param name="Reason">What is wrong or missing, mostly in CPython's words; null when valid.</param>
public sealed record PythonParseResult(PythonParseVerdict Verdict, int Offset, int Line, int Column, string? Reason)
{
    /// <summary>The result for a valid text.</summary>
    public static PythonParseResult Valid { get; } = new(PythonParseVerdict.Valid, -1, 0, 0, null);

    /// <inheritdoc />
    public override string ToString() =>
        Verdict == PythonParseVerdict.Valid ? "valid" : $"{Verdict.ToString().ToLowerInvariant()} at line {Line}, column {Column}: {Reason}";
}

/// <summary>What the text given to <see cref="PythonParser"/> is: a whole block, or a fragment of one.</summary>
public sealed record PythonParseOptions
{
    /// <summary>The text starts where a block starts (a file, or a whole block's body) and ends where it ends.</summary>
    public static PythonParseOptions Block { get; } = new();

    /// <summary>The text is some lines of a block that may continue code before it and may run on into enclosing blocks.</summary>
    public static PythonParseOptions Fragment { get; } = new() { StartsAtBlockStart = false };

    /// <summary>
    /// True (the default) when the text is a whole block: a dangling <c>else:</c> and a line indented less than the
    /// first are invalid. False for a fragment: its first statement, and the first one after a line indented less
    /// than the text's first line, may be a clause that continues a statement the text does not show
    /// (<c>elif</c>, <c>else</c>, <c>except</c>, <c>finally</c>, or a <c>case</c> block).
    /// </summary>
    public bool StartsAtBlockStart { get; init; } = true;
}
