namespace CodeAssist.Server.Lsp.Framing;

/// <summary>
/// What one incoming message may be: its size, its header's size and how deeply its JSON nests (a document's length is
/// <see cref="Documents.DocumentStore.MaxChars"/>). A message over a limit is refused with an error and the session goes on.
/// </summary>
public sealed record MessageLimits
{
    /// <summary>The defaults: far above what an editor sends (VS Code refuses to sync files over 50 MB of text itself).</summary>
    public static MessageLimits Default { get; } = new();

    /// <summary>The largest message body, in bytes.</summary>
    public int MaxMessageBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>The largest header block, in bytes; a header is two short lines.</summary>
    public int MaxHeaderBytes { get; init; } = 8 * 1024;

    /// <summary>How deeply a message's JSON may nest (objects and arrays); LSP messages nest fewer than ten levels.</summary>
    public int MaxDepth { get; init; } = 64;
}
