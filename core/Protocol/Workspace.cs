using System.Text.Json;

namespace CodeAssist.Server.Protocol;

/// <summary>Parameters of workspace/didChangeConfiguration.</summary>
public sealed record DidChangeConfigurationParams
{
    /// <summary>Required in the spec, but clients that use pull configuration often send null; we accept that.</summary>
    public JsonElement? Settings { get; init; }
}

/// <summary>Parameters of workspace/didChangeWatchedFiles.</summary>
public sealed record DidChangeWatchedFilesParams
{
    public required IReadOnlyList<FileEvent> Changes { get; init; }
}

/// <summary>One file the client's watcher saw change.</summary>
public sealed record FileEvent
{
    public required string Uri { get; init; }

    /// <summary>1 created, 2 changed, 3 deleted.</summary>
    public required int Type { get; init; }
}

/// <summary>Parameters of the server-to-client request workspace/configuration; the result is one JSON value per item.</summary>
public sealed record ConfigurationParams
{
    public required IReadOnlyList<ConfigurationItem> Items { get; init; }
}

/// <summary>One configuration section asked for, optionally scoped to a resource.</summary>
public sealed record ConfigurationItem
{
    public string? ScopeUri { get; init; }

    public string? Section { get; init; }
}

/// <summary>Parameters of workspace/executeCommand.</summary>
public sealed record ExecuteCommandParams
{
    public required string Command { get; init; }

    public IReadOnlyList<JsonElement>? Arguments { get; init; }

    public ProgressToken? WorkDoneToken { get; init; }
}
