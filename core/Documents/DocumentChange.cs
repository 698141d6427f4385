namespace CodeAssist.Server.Documents;

/// <summary>A range between two positions, as four zero-based numbers, with the characters in the encoding of the request that carries it.</summary>
public readonly record struct DocumentRange(int StartLine, int StartCharacter, int EndLine, int EndCharacter)
{
    /// <summary>The start as a position.</summary>
    public DocumentPosition Start => new(StartLine, StartCharacter);

    /// <summary>The end as a position.</summary>
    public DocumentPosition End => new(EndLine, EndCharacter);

    /// <inheritdoc/>
    public override string ToString() => $"{StartLine}:{StartCharacter}-{EndLine}:{EndCharacter}";
}

/// <summary>One content change of a didChange notification: a range and its new text, or no range for a replacement of the whole text.</summary>
public sealed record DocumentChange(DocumentRange? Range, string Text)
{
    /// <summary>A change that replaces the whole text.</summary>
    public static DocumentChange Full(string text) => new(null, text);

    /// <summary>A change that replaces the text between two positions.</summary>
    public static DocumentChange Incremental(int startLine, int startCharacter, int endLine, int endCharacter, string text) =>
        new(new DocumentRange(startLine, startCharacter, endLine, endCharacter), text);
}
