namespace CodeAssist.Server.Python;

/// <summary>One token of Python source, as <see cref="PythonTokenizer"/> cuts it: a kind and where it lies in the text.</summary>
/// <param name="Kind">What the token is; every keyword and operator the grammar tells apart has its own kind.</param>
/// <param name="Start">Offset of its first character; for tokens made up at the end of the text, the text's length.</param>
/// <param name="Length">Its length in characters; zero for NEWLINE at the end, INDENT, DEDENT and the end marker.</param>
internal readonly record struct PythonToken(PythonTokenKind Kind, int Start, int Length)
{
    /// <summary>Offset just after the token.</summary>
    public int End => Start + Length;
}

/// <summary>The kinds of <see cref="PythonToken"/>: the structural tokens, names and literals, keywords, operators.</summary>
/// <remarks>
/// Soft keywords (match, case, type, _) are names: only the parser, from their place, knows when they are keywords.
/// Operators the grammar treats alike share a kind (all augmented assignments; ==, !=, &lt;, &gt;, &lt;=, &gt;=; // and %; &lt;&lt; and &gt;&gt;).
/// </remarks>
internal enum PythonTokenKind : byte
{
    EndOfText,
    Newline,
    Indent,
    Dedent,

    /// <summary>Where the tokenizer found text that is no token (an invalid character, a bad number, an unterminated string, a bracket that closes nothing); nothing follows it.</summary>
    Error,

    Name,
    Number,
    String,

    False,
    None,
    True,
    And,
    As,
    Assert,
    Async,
    Await,
    Break,
    Class,
    Continue,
    Def,
    Del,
    Elif,
    Else,
    Except,
    Finally,
    For,
    From,
    Global,
    If,
    Import,
    In,
    Is,
    Lambda,
    Nonlocal,
    Not,
    Or,
    Pass,
    Raise,
    Return,
    Try,
    While,
    With,
    Yield,

    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    LeftBrace,
    RightBrace,
    Comma,
    Colon,
    Semicolon,
    Dot,
    Ellipsis,
    At,
    Equal,
    Arrow,
    ColonEqual,
    AugmentedAssign,
    Comparison,
    Plus,
    Minus,
    Star,
    DoubleStar,
    Slash,

    /// <summary>// and %, which bind like * and / and mean nothing else.</summary>
    TermOperator,
    Shift,
    Ampersand,
    Pipe,
    Caret,
    Tilde,
}
