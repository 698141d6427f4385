namespace CodeAssist.Server.Python;

/// <summary>What <see cref="PythonTokenizer"/> made of a text: its tokens, and how the text ended.</summary>
internal sealed class PythonTokens
{
    public PythonTokens(
        string text,
        List<PythonToken> tokens,
        int contentEnd,
        string? errorMessage,
        PythonTruncation truncation,
        int truncationOffset,
        int openBracketOffset,
        List<int> rebased)
    {
        Text = text;
        Tokens = tokens;
        ContentEnd = contentEnd;
        ErrorMessage = errorMessage;
        Truncation = truncation;
        TruncationOffset = truncationOffset;
        OpenBracketOffset = openBracketOffset;
        Rebased = rebased;
    }

    public string Text { get; }

    /// <summary>The tokens, ending in <see cref="PythonTokenKind.EndOfText"/>; when the text has no tokens past some point, an <see cref="PythonTokenKind.Error"/> token stands before it.</summary>
    public List<PythonToken> Tokens { get; }

    /// <summary>Offset just after the last token that is not NEWLINE, INDENT, DEDENT or the end: what comes after it is only white space and comments.</summary>
    public int ContentEnd { get; }

    /// <summary>Why the <see cref="PythonTokenKind.Error"/> token is there, if there is one.</summary>
    public string? ErrorMessage { get; }

    /// <summary>Whether the text ended inside a token or a backslash continuation, which more text would complete.</summary>
    public PythonTruncation Truncation { get; }

    /// <summary>Where the token the end of the text cut short starts (the string's prefix, or the backslash).</summary>
    public int TruncationOffset { get; }

    /// <summary>The outermost bracket still open at the end of the text, or -1.</summary>
    public int OpenBracketOffset { get; }

    /// <summary>
    /// Indices of tokens that start a line indented less than the first line of a fragment: the text has left the
    /// block it started in, for an enclosing one it does not show.
    /// </summary>
    public List<int> Rebased { get; }

    public PythonToken this[int index] => Tokens[index];
}

/// <summary>How the end of the text cut a token short, if it did.</summary>
internal enum PythonTruncation : byte
{
    None,
    String,
    TripleQuotedString,
    Continuation,
}
