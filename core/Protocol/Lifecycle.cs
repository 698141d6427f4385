using System.Text.Json;
using System.Text.Json.Serialization;

namespace CodeAssist.Server.Protocol;

/// <summary>Parameters of the initialize request.</summary>
/// <remarks>
/// The spec makes processId and rootUri required (but nullable). We accept a client that omits them,
/// since neither is needed to serve completions; when written they are always present, null or not.
/// </remarks>
public sealed record InitializeParams
{
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public int? ProcessId { get; init; }

    public ClientInfo? ClientInfo { get; init; }

    public string? Locale { get; init; }

    /// <summary>Deprecated in the spec in favour of <see cref="RootUri"/> and <see cref="WorkspaceFolders"/>.</summary>
    public string? RootPath { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public string? RootUri { get; init; }

    public required ClientCapabilities Capabilities { get; init; }

    public JsonElement? InitializationOptions { get; init; }

    /// <summary>One of <see cref="TraceValue"/>.</summary>
    public string? Trace { get; init; }

    public IReadOnlyList<WorkspaceFolder>? WorkspaceFolders { get; init; }

    public ProgressToken? WorkDoneToken { get; init; }
}

/// <summary>Name and version of the client.</summary>
public sealed record ClientInfo
{
    public required string Name { get; init; }

    public string? Version { get; init; }
}

/// <summary>A workspace folder open in the client.</summary>
public sealed record WorkspaceFolder
{
    public required string Uri { get; init; }

    public required string Name { get; init; }
}

/// <summary>The client capabilities we read; all other capabilities are ignored.</summary>
public sealed record ClientCapabilities
{
    public WorkspaceClientCapabilities? Workspace { get; init; }

    public TextDocumentClientCapabilities? TextDocument { get; init; }

    public WindowClientCapabilities? Window { get; init; }

    public GeneralClientCapabilities? General { get; init; }

    public JsonElement? Experimental { get; init; }
}

/// <summary>General client capabilities.</summary>
public sealed record GeneralClientCapabilities
{
    /// <summary>Encodings the client supports, most preferred first (values of <see cref="PositionEncodingKind"/>).</summary>
    public IReadOnlyList<string>? PositionEncodings { get; init; }
}

/// <summary>Workspace-related client capabilities.</summary>
public sealed record WorkspaceClientCapabilities
{
    /// <summary>Whether the client answers workspace/configuration.</summary>
    public bool? Configuration { get; init; }

    public DidChangeConfigurationClientCapabilities? DidChangeConfiguration { get; init; }

    public bool? WorkspaceFolders { get; init; }

    public WorkspaceEditClientCapabilities? WorkspaceEdit { get; init; }
}

/// <summary>What the client supports in workspace edits.</summary>
public sealed record WorkspaceEditClientCapabilities
{
    /// <summary>Whether the client takes versioned <c>documentChanges</c> (otherwise we send <c>changes</c>).</summary>
    public bool? DocumentChanges { get; init; }
}

/// <summary>Capabilities for workspace/didChangeConfiguration.</summary>
public sealed record DidChangeConfigurationClientCapabilities
{
    public bool? DynamicRegistration { get; init; }
}

/// <summary>Window-related client capabilities.</summary>
public sealed record WindowClientCapabilities
{
    /// <summary>Whether the client accepts server-initiated work done progress (window/workDoneProgress/create).</summary>
    public bool? WorkDoneProgress { get; init; }
}

/// <summary>Text document client capabilities we read.</summary>
public sealed record TextDocumentClientCapabilities
{
    public TextDocumentSyncClientCapabilities? Synchronization { get; init; }

    public CompletionClientCapabilities? Completion { get; init; }

    public InlineCompletionClientCapabilities? InlineCompletion { get; init; }

    public CodeActionClientCapabilities? CodeAction { get; init; }
}

/// <summary>Capabilities for textDocument/codeAction; fields we do not read are ignored.</summary>
public sealed record CodeActionClientCapabilities
{
    public bool? DynamicRegistration { get; init; }

    /// <summary>Whether the client keeps <see cref="CodeAction.Data"/> and sends it back on resolve.</summary>
    public bool? DataSupport { get; init; }

    /// <summary>The properties the client can resolve lazily (we need "edit").</summary>
    public CodeActionResolveClientCapabilities? ResolveSupport { get; init; }
}

/// <summary>Which code action properties the client resolves with codeAction/resolve.</summary>
public sealed record CodeActionResolveClientCapabilities
{
    public required IReadOnlyList<string> Properties { get; init; }
}

/// <summary>Capabilities for document synchronisation.</summary>
public sealed record TextDocumentSyncClientCapabilities
{
    public bool? DynamicRegistration { get; init; }

    public bool? WillSave { get; init; }

    public bool? WillSaveWaitUntil { get; init; }

    public bool? DidSave { get; init; }
}

/// <summary>Capabilities for textDocument/inlineCompletion (LSP 3.18).</summary>
public sealed record InlineCompletionClientCapabilities
{
    public bool? DynamicRegistration { get; init; }
}

/// <summary>Capabilities for textDocument/completion.</summary>
public sealed record CompletionClientCapabilities
{
    public bool? DynamicRegistration { get; init; }

    public ClientCompletionItemOptions? CompletionItem { get; init; }

    public ClientCompletionItemOptionsKind? CompletionItemKind { get; init; }

    public bool? ContextSupport { get; init; }
}

/// <summary>What the client supports in completion items.</summary>
public sealed record ClientCompletionItemOptions
{
    public bool? SnippetSupport { get; init; }

    public bool? InsertReplaceSupport { get; init; }

    public bool? LabelDetailsSupport { get; init; }
}

/// <summary>The completion item kinds the client knows.</summary>
public sealed record ClientCompletionItemOptionsKind
{
    public IReadOnlyList<CompletionItemKind>? ValueSet { get; init; }
}

/// <summary>The result of the initialize request.</summary>
public sealed record InitializeResult
{
    public required ServerCapabilities Capabilities { get; init; }

    public ServerInfo? ServerInfo { get; init; }
}

/// <summary>Name and version of this server.</summary>
public sealed record ServerInfo
{
    public required string Name { get; init; }

    public string? Version { get; init; }
}

/// <summary>The capabilities we advertise. Union-typed providers are modelled by their options object.</summary>
public sealed record ServerCapabilities
{
    /// <summary>One of <see cref="PositionEncodingKind"/>; omitted means utf-16.</summary>
    public string? PositionEncoding { get; init; }

    public TextDocumentSyncOptions? TextDocumentSync { get; init; }

    public CompletionOptions? CompletionProvider { get; init; }

    public CodeActionOptions? CodeActionProvider { get; init; }

    public ExecuteCommandOptions? ExecuteCommandProvider { get; init; }

    public InlineCompletionOptions? InlineCompletionProvider { get; init; }
}

/// <summary>How the client should send document changes.</summary>
public sealed record TextDocumentSyncOptions
{
    public bool? OpenClose { get; init; }

    public TextDocumentSyncKind? Change { get; init; }

    /// <summary>Present means the client sends textDocument/didSave.</summary>
    public SaveOptions? Save { get; init; }
}

/// <summary>Options for textDocument/didSave.</summary>
public sealed record SaveOptions
{
    public bool? IncludeText { get; init; }
}

/// <summary>Options for textDocument/inlineCompletion; an empty object means "supported".</summary>
public sealed record InlineCompletionOptions
{
    public bool? WorkDoneProgress { get; init; }
}

/// <summary>Options for textDocument/completion.</summary>
public sealed record CompletionOptions
{
    public IReadOnlyList<string>? TriggerCharacters { get; init; }

    public IReadOnlyList<string>? AllCommitCharacters { get; init; }

    public bool? ResolveProvider { get; init; }

    public bool? WorkDoneProgress { get; init; }
}

/// <summary>Options for workspace/executeCommand.</summary>
public sealed record ExecuteCommandOptions
{
    public required IReadOnlyList<string> Commands { get; init; }

    public bool? WorkDoneProgress { get; init; }
}

/// <summary>Options for textDocument/codeAction.</summary>
public sealed record CodeActionOptions
{
    /// <summary>Values of <see cref="CodeActionKind"/>.</summary>
    public IReadOnlyList<string>? CodeActionKinds { get; init; }

    public bool? ResolveProvider { get; init; }

    public bool? WorkDoneProgress { get; init; }
}

/// <summary>Parameters of the initialized notification (an empty object).</summary>
public sealed record InitializedParams;

/// <summary>Parameters of $/setTrace.</summary>
public sealed record SetTraceParams
{
    /// <summary>One of <see cref="TraceValue"/>.</summary>
    public required string Value { get; init; }
}
