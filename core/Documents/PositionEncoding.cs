namespace CodeAssist.Server.Documents;

/// <summary>How the <c>character</c> of a position counts within its line, as negotiated with the client (LSP <c>positionEncoding</c>).</summary>
public enum PositionEncoding
{
    /// <summary>UTF-8 code units (bytes).</summary>
    Utf8,

    /// <summary>UTF-16 code units: the LSP default, and what a .NET string index counts.</summary>
    Utf16,

    /// <summary>Unicode code points.</summary>
    Utf32,
}
