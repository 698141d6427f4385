using CodeAssist.Server.Context;
using CodeAssist.Server.Protocol;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp.Handlers;

/// <summary>workspace/didChangeWatchedFiles: the workspace's Python files as the client's watcher sees them change.</summary>
public sealed class WatchedFilesHandler(ServerLifecycle lifecycle, WorkspaceFiles workspace, ILogger<WatchedFilesHandler> logger)
{
    private const int Deleted = 3;

    /// <summary>Updates the listing and drops what was read of each changed file.</summary>
    [JsonRpcMethod(LspMethods.WorkspaceDidChangeWatchedFiles, UseSingleObjectParameterDeserialization = true)]
    public void DidChangeWatchedFiles(DidChangeWatchedFilesParams request)
    {
        if (!lifecycle.AcceptsNotifications)
        {
            return;
        }

        foreach (var change in request.Changes)
        {
            if (WorkspaceContext.LocalPath(change.Uri) is { } path)
            {
                workspace.Changed(path, change.Type == Deleted);
            }
            else
            {
                logger.LogDebug("Watched-file change for {Uri} ignored: not a file uri", change.Uri);
            }
        }
    }
}
