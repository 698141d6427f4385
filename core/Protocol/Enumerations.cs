namespace CodeAssist.Server.Protocol;

// Integer enumerations serialize as numbers (System.Text.Json's default); a value the client
// sends that is not listed here still deserializes, so newer clients do not break us.
// String enumerations are classes of constants: the properties that carry them are strings.

/// <summary>How the client syncs document changes.</summary>
public enum TextDocumentSyncKind
{
    None = 0,
    Full = 1,
    Incremental = 2,
}

/// <summary>How an inline completion was triggered.</summary>
public enum InlineCompletionTriggerKind
{
    Invoked = 1,
    Automatic = 2,
}

/// <summary>How a completion was triggered.</summary>
public enum CompletionTriggerKind
{
    Invoked = 1,
    TriggerCharacter = 2,
    TriggerForIncompleteCompletions = 3,
}

/// <summary>The kind of a completion item (the icon the client shows).</summary>
public enum CompletionItemKind
{
    Text = 1,
    Method = 2,
    Function = 3,
    Constructor = 4,
    Field = 5,
    Variable = 6,
    Class = 7,
    Interface = 8,
    Module = 9,
    Property = 10,
    Unit = 11,
    Value = 12,
    Enum = 13,
    Keyword = 14,
    Snippet = 15,
    Color = 16,
    File = 17,
    Reference = 18,
    Folder = 19,
    EnumMember = 20,
    Constant = 21,
    Struct = 22,
    Event = 23,
    Operator = 24,
    TypeParameter = 25,
}

/// <summary>Whether insert text is plain text or a snippet.</summary>
public enum InsertTextFormat
{
    PlainText = 1,
    Snippet = 2,
}

/// <summary>Severity of a window/logMessage or window/showMessage.</summary>
public enum MessageType
{
    Error = 1,
    Warning = 2,
    Info = 3,
    Log = 4,
    Debug = 5,
}

/// <summary>Severity of a diagnostic.</summary>
public enum DiagnosticSeverity
{
    Error = 1,
    Warning = 2,
    Information = 3,
    Hint = 4,
}

/// <summary>Why code actions were requested.</summary>
public enum CodeActionTriggerKind
{
    Invoked = 1,
    Automatic = 2,
}

/// <summary>Position encodings (LSP PositionEncodingKind).</summary>
public static class PositionEncodingKind
{
    public const string Utf8 = "utf-8";
    public const string Utf16 = "utf-16";
    public const string Utf32 = "utf-32";
}

/// <summary>Code action kinds (LSP CodeActionKind); hierarchical, dot separated.</summary>
public static class CodeActionKind
{
    public const string Empty = "";
    public const string QuickFix = "quickfix";
    public const string Refactor = "refactor";
    public const string RefactorExtract = "refactor.extract";
    public const string RefactorInline = "refactor.inline";
    public const string RefactorMove = "refactor.move";
    public const string RefactorRewrite = "refactor.rewrite";
    public const string Source = "source";
    public const string SourceOrganizeImports = "source.organizeImports";
    public const string SourceFixAll = "source.fixAll";
}

/// <summary>Trace levels for $/setTrace and InitializeParams.trace (LSP TraceValue).</summary>
public static class TraceValue
{
    public const string Off = "off";
    public const string Messages = "messages";
    public const string Verbose = "verbose";
}
