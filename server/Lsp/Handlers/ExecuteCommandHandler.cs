using System.Text.Json;
using CodeAssist.Server.Completion;
using CodeAssist.Server.Protocol;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp.Handlers;

/// <summary>workspace/executeCommand for the commands in <see cref="LifecycleHandler.Commands"/>.</summary>
public sealed class ExecuteCommandHandler(ServerLifecycle lifecycle, CompletionStatistics statistics, ILogger<ExecuteCommandHandler> logger)
{
    /// <summary>Runs a command; an unknown one is InvalidParams.</summary>
    [JsonRpcMethod(LspMethods.WorkspaceExecuteCommand, UseSingleObjectParameterDeserialization = true)]
    public object? ExecuteCommand(ExecuteCommandParams request)
    {
        lifecycle.ThrowIfNotServing();
        switch (request.Command)
        {
            case ServerCommands.Accepted:
                var id = request.Arguments is [{ ValueKind: JsonValueKind.String } first, ..] ? first.GetString() : null;
                statistics.RecordAccepted(id);
                logger.LogInformation("Completion {RequestId} accepted", id);
                return null;
            default:
                throw new LocalRpcException($"unknown command: {request.Command}") { ErrorCode = LspErrorCodes.InvalidParams };
        }
    }
}
