namespace CodeAssist.Server.Protocol;

/// <summary>Parameters of textDocument/inlineCompletion (LSP 3.18).</summary>
public sealed record InlineCompletionParams : TextDocumentPositionParams
{
    public required InlineCompletionContext Context { get; init; }

    public ProgressToken? WorkDoneToken { get; init; }
}

/// <summary>Why and in what state an inline completion was requested.</summary>
public sealed record InlineCompletionContext
{
    public required InlineCompletionTriggerKind TriggerKind { get; init; }

    /// <summary>The completion-widget item the client shows, if any; our items must extend it and use its range.</summary>
    public SelectedCompletionInfo? SelectedCompletionInfo { get; init; }
}

/// <summary>The item selected in the client's completion widget.</summary>
public sealed record SelectedCompletionInfo
{
    public required Range Range { get; init; }

    public required string Text { get; init; }
}

/// <summary>The result of textDocument/inlineCompletion.</summary>
public sealed record InlineCompletionList
{
    public required IReadOnlyList<InlineCompletionItem> Items { get; init; }
}

/// <summary>One inline completion (ghost text).</summary>
public sealed record InlineCompletionItem
{
    /// <summary>The text to insert. The spec also allows a StringValue snippet; we only send plain strings.</summary>
    public required string InsertText { get; init; }

    public string? FilterText { get; init; }

    /// <summary>The range replaced; when omitted, the text is inserted at the request position.</summary>
    public Range? Range { get; init; }

    /// <summary>Run by the client after the item is accepted.</summary>
    public Command? Command { get; init; }
}
