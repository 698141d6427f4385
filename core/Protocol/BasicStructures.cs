using System.Text.Json;
using System.Text.Json.Serialization;

namespace CodeAssist.Server.Protocol;

// Basic structures (LSP 3.18, "Basic JSON Structures"). Document URIs stay strings: System.Uri
// would normalise them and the client expects its own spelling back.

/// <summary>A zero-based line and character offset; the unit of <see cref="Character"/> is the negotiated position encoding.</summary>
public sealed record Position
{
    public required int Line { get; init; }

    public required int Character { get; init; }
}

/// <summary>A range in a text document, end exclusive.</summary>
public sealed record Range
{
    public required Position Start { get; init; }

    public required Position End { get; init; }
}

/// <summary>A range inside a resource.</summary>
public sealed record Location
{
    public required string Uri { get; init; }

    public required Range Range { get; init; }
}

/// <summary>Identifies a text document by its URI.</summary>
public record TextDocumentIdentifier
{
    public required string Uri { get; init; }
}

/// <summary>A text document identifier with the version the client has after a change.</summary>
public sealed record VersionedTextDocumentIdentifier : TextDocumentIdentifier
{
    public required int Version { get; init; }
}

/// <summary>A text document identifier whose version may be null (the document is not open in the client).</summary>
public sealed record OptionalVersionedTextDocumentIdentifier : TextDocumentIdentifier
{
    /// <summary>Required but nullable in the spec, so null is written rather than omitted.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required int? Version { get; init; }
}

/// <summary>A document transferred from the client on open.</summary>
public sealed record TextDocumentItem
{
    public required string Uri { get; init; }

    public required string LanguageId { get; init; }

    public required int Version { get; init; }

    public required string Text { get; init; }
}

/// <summary>Parameters naming a document and a position in it; the base of position-based requests.</summary>
public record TextDocumentPositionParams
{
    public required TextDocumentIdentifier TextDocument { get; init; }

    public required Position Position { get; init; }
}

/// <summary>A textual replacement of <see cref="Range"/> by <see cref="NewText"/>.</summary>
public sealed record TextEdit
{
    public required Range Range { get; init; }

    public required string NewText { get; init; }
}

/// <summary>Edits to one version of one document.</summary>
public sealed record TextDocumentEdit
{
    public required OptionalVersionedTextDocumentIdentifier TextDocument { get; init; }

    public required IReadOnlyList<TextEdit> Edits { get; init; }
}

/// <summary>Changes to many resources; we only use text edits (no file operations or annotations).</summary>
public sealed record WorkspaceEdit
{
    /// <summary>Edits keyed by document URI (dictionary keys are not renamed by the naming policy).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<TextEdit>>? Changes { get; init; }

    /// <summary>Versioned edits; preferred over <see cref="Changes"/> when the client supports them.</summary>
    public IReadOnlyList<TextDocumentEdit>? DocumentChanges { get; init; }
}

/// <summary>A command the client shows or runs; the server executes it through workspace/executeCommand.</summary>
public sealed record Command
{
    public required string Title { get; init; }

    public string? Tooltip { get; init; }

    [JsonPropertyName("command")]
    public required string CommandIdentifier { get; init; }

    /// <summary>LSPAny values, kept as JSON so they round-trip untouched through the client.</summary>
    public IReadOnlyList<JsonElement>? Arguments { get; init; }

    /// <summary>Creates a command whose arguments are strings (for example a request id).</summary>
    public static Command Create(string title, string command, params ReadOnlySpan<string> arguments)
    {
        var elements = new JsonElement[arguments.Length];
        for (int i = 0; i < arguments.Length; i++)
        {
            elements[i] = JsonSerializer.SerializeToElement(arguments[i], LspJsonContext.Default.String);
        }

        return new Command { Title = title, CommandIdentifier = command, Arguments = elements };
    }
}

/// <summary>A diagnostic as carried in a code action context; fields we do not read are ignored.</summary>
public sealed record Diagnostic
{
    public required Range Range { get; init; }

    public DiagnosticSeverity? Severity { get; init; }

    /// <summary>integer | string in the spec.</summary>
    public JsonElement? Code { get; init; }

    public string? Source { get; init; }

    public required string Message { get; init; }

    public JsonElement? Data { get; init; }
}
