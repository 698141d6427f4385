using System.Text.Json;

namespace CodeAssist.Server.Protocol;

/// <summary>Parameters of textDocument/codeAction.</summary>
public sealed record CodeActionParams
{
    public required TextDocumentIdentifier TextDocument { get; init; }

    public required Range Range { get; init; }

    public required CodeActionContext Context { get; init; }

    public ProgressToken? WorkDoneToken { get; init; }

    public ProgressToken? PartialResultToken { get; init; }
}

/// <summary>The diagnostics and kinds a code action request is about.</summary>
public sealed record CodeActionContext
{
    public required IReadOnlyList<Diagnostic> Diagnostics { get; init; }

    /// <summary>Values of <see cref="CodeActionKind"/> the client wants; null means all.</summary>
    public IReadOnlyList<string>? Only { get; init; }

    public CodeActionTriggerKind? TriggerKind { get; init; }
}

/// <summary>
/// A code action. With resolve support we send it without <see cref="Edit"/> and with <see cref="Data"/>;
/// the client sends it back on codeAction/resolve and we fill in the edit.
/// </summary>
public sealed record CodeAction
{
    public required string Title { get; init; }

    /// <summary>One of <see cref="CodeActionKind"/>.</summary>
    public string? Kind { get; init; }

    public IReadOnlyList<Diagnostic>? Diagnostics { get; init; }

    public bool? IsPreferred { get; init; }

    public CodeActionDisabled? Disabled { get; init; }

    public WorkspaceEdit? Edit { get; init; }

    public Command? Command { get; init; }

    public JsonElement? Data { get; init; }
}

/// <summary>Why a code action is shown but cannot be applied.</summary>
public sealed record CodeActionDisabled
{
    public required string Reason { get; init; }
}

/// <summary>
/// What our code actions carry in <see cref="CodeAction.Data"/>: enough to compute the edit on codeAction/resolve,
/// and to notice that the document changed in between.
/// </summary>
public sealed record CodeActionData
{
    /// <summary>The document.</summary>
    public required string Uri { get; init; }

    /// <summary>The document's version when the action was offered.</summary>
    public required int Version { get; init; }

    /// <summary>One of <see cref="CodeAssistActionKinds"/>.</summary>
    public required string Action { get; init; }

    /// <summary>The line the action is about (the def/class line, or the TODO comment), character 0.</summary>
    public required Position Position { get; init; }

    /// <summary>For "(alternative k)": k, the rank of an earlier resolve's candidate to write instead; null for the action itself.</summary>
    public int? Alternative { get; init; }
}

/// <summary>The values of <see cref="CodeActionData.Action"/>.</summary>
public static class CodeAssistActionKinds
{
    public const string ImplementFunction = "implementFunction";
    public const string WriteDocstring = "writeDocstring";
    public const string CompleteTodo = "completeTodo";
}
