using System.Text.Json;

namespace CodeAssist.Server.Protocol;

/// <summary>Parameters of textDocument/completion.</summary>
public sealed record CompletionParams : TextDocumentPositionParams
{
    /// <summary>Only sent when the client declares contextSupport.</summary>
    public CompletionContext? Context { get; init; }

    public ProgressToken? WorkDoneToken { get; init; }

    public ProgressToken? PartialResultToken { get; init; }
}

/// <summary>How a completion was triggered.</summary>
public sealed record CompletionContext
{
    public required CompletionTriggerKind TriggerKind { get; init; }

    public string? TriggerCharacter { get; init; }
}

/// <summary>The result of textDocument/completion.</summary>
public sealed record CompletionList
{
    /// <summary>True asks the client to re-request on further typing.</summary>
    public required bool IsIncomplete { get; init; }

    public required IReadOnlyList<CompletionItem> Items { get; init; }
}

/// <summary>A completion item (the fallback for clients without inline completion).</summary>
public sealed record CompletionItem
{
    public required string Label { get; init; }

    public CompletionItemKind? Kind { get; init; }

    public string? Detail { get; init; }

    public string? SortText { get; init; }

    public string? FilterText { get; init; }

    public string? InsertText { get; init; }

    public InsertTextFormat? InsertTextFormat { get; init; }

    public TextEdit? TextEdit { get; init; }

    public Command? Command { get; init; }

    /// <summary>Kept by the client and sent back on completionItem/resolve.</summary>
    public JsonElement? Data { get; init; }
}
