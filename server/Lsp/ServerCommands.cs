namespace CodeAssist.Server.Lsp;

/// <summary>Command identifiers the server executes.</summary>
public static class ServerCommands
{
    /// <summary>Sent by the editor when an inline completion is accepted; argument: the request id.</summary>
    public const string Accepted = "codeAssist.accepted";
}
