namespace CodeAssist.Server.Lsp;

/// <summary>Command identifiers the server executes.</summary>
public static class ServerCommands
{
    /// <summary>Sent by the editor when an inline completion is accepted; argument: the request id.</summary>
    public const string Accepted = "codeAssist.accepted";

    /// <summary>Lists the models each tier can use; optional argument <c>{"tier": "local" | "fallback"}</c>.</summary>
    public const string ListModels = "codeAssist.listModels";

    /// <summary>Switches a tier's model for this session; argument <c>{"tier": …, "id": …}</c>.</summary>
    public const string SelectModel = "codeAssist.selectModel";

    /// <summary>Downloads a catalog model, then makes it the local tier's model; argument <c>{"id": …}</c>.</summary>
    public const string PullModel = "codeAssist.pullModel";
}
