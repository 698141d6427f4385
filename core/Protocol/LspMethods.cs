namespace CodeAssist.Server.Protocol;

/// <summary>LSP method names we send or receive, spelled as in the specification.</summary>
public static class LspMethods
{
    public const string Initialize = "initialize";
    public const string Initialized = "initialized";
    public const string Shutdown = "shutdown";
    public const string Exit = "exit";

    /// <summary>Handled by StreamJsonRpc's own cancellation strategy; do not register a handler for it.</summary>
    public const string CancelRequest = "$/cancelRequest";
    public const string SetTrace = "$/setTrace";
    public const string Progress = "$/progress";

    public const string WindowLogMessage = "window/logMessage";
    public const string WindowWorkDoneProgressCreate = "window/workDoneProgress/create";
    public const string WindowWorkDoneProgressCancel = "window/workDoneProgress/cancel";

    public const string WorkspaceConfiguration = "workspace/configuration";
    public const string WorkspaceDidChangeConfiguration = "workspace/didChangeConfiguration";

    public const string WorkspaceDidChangeWatchedFiles = "workspace/didChangeWatchedFiles";
    public const string WorkspaceExecuteCommand = "workspace/executeCommand";

    public const string TextDocumentDidOpen = "textDocument/didOpen";
    public const string TextDocumentDidChange = "textDocument/didChange";
    public const string TextDocumentDidClose = "textDocument/didClose";
    public const string TextDocumentDidSave = "textDocument/didSave";
    public const string TextDocumentInlineCompletion = "textDocument/inlineCompletion";
    public const string TextDocumentCompletion = "textDocument/completion";
    public const string TextDocumentCodeAction = "textDocument/codeAction";
    public const string CodeActionResolve = "codeAction/resolve";
}

/// <summary>Our own methods; all start with <c>codeAssist/</c> and are documented in README.</summary>
public static class CodeAssistMethods
{
    public const string Stats = "codeAssist/stats";
    public const string Status = "codeAssist/status";
}

/// <summary>JSON-RPC and LSP error codes (LSP ErrorCodes and LSPErrorCodes).</summary>
public static class LspErrorCodes
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int InternalError = -32603;
    public const int ServerNotInitialized = -32002;
    public const int UnknownErrorCode = -32001;
    public const int RequestFailed = -32803;
    public const int ServerCancelled = -32802;
    public const int ContentModified = -32801;
    public const int RequestCancelled = -32800;
}
