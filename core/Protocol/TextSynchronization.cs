using System.Text.Json.Serialization;

namespace CodeAssist.Server.Protocol;

/// <summary>Parameters of textDocument/didOpen.</summary>
public sealed record DidOpenTextDocumentParams
{
    public required TextDocumentItem TextDocument { get; init; }
}

/// <summary>Parameters of textDocument/didChange.</summary>
public sealed record DidChangeTextDocumentParams
{
    public required VersionedTextDocumentIdentifier TextDocument { get; init; }

    /// <summary>Applied in order, each to the text that results from the previous one.</summary>
    public required IReadOnlyList<TextDocumentContentChangeEvent> ContentChanges { get; init; }
}

/// <summary>
/// One change: a replacement of <see cref="Range"/> by <see cref="Text"/> (TextDocumentContentChangePartial),
/// or, when <see cref="Range"/> is null, the whole new content (TextDocumentContentChangeWholeDocument).
/// </summary>
public sealed record TextDocumentContentChangeEvent
{
    public Range? Range { get; init; }

    /// <summary>Deprecated in the spec; read <see cref="Range"/> instead.</summary>
    public int? RangeLength { get; init; }

    public required string Text { get; init; }

    [JsonIgnore]
    public bool IsFullDocument => Range is null;
}

/// <summary>Parameters of textDocument/didClose.</summary>
public sealed record DidCloseTextDocumentParams
{
    public required TextDocumentIdentifier TextDocument { get; init; }
}

/// <summary>Parameters of textDocument/didSave.</summary>
public sealed record DidSaveTextDocumentParams
{
    public required TextDocumentIdentifier TextDocument { get; init; }

    /// <summary>Present when the server asked for it with SaveOptions.IncludeText.</summary>
    public string? Text { get; init; }
}
