using CodeAssist.Server.Completion;
using CodeAssist.Server.Protocol;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp.Handlers;

/// <summary>workspace/executeCommand for the commands in <see cref="LifecycleHandler.Commands"/>.</summary>
public sealed class ExecuteCommandHandler(
    ServerLifecycle lifecycle,
    CompletionStatistics statistics,
    ModelCommands models,
    ILogger<ExecuteCommandHandler> logger)
{
    /// <summary>Runs a command; an unknown one, or bad arguments, is InvalidParams.</summary>
    [JsonRpcMethod(LspMethods.WorkspaceExecuteCommand, UseSingleObjectParameterDeserialization = true)]
    public async Task<object?> ExecuteCommandAsync(ExecuteCommandParams request, CancellationToken cancellationToken)
    {
        using var inFlight = lifecycle.BeginRequest();
        switch (request.Command)
        {
            case ServerCommands.Accepted:
                var id = CommandArguments.FirstString(request);
                statistics.RecordAccepted(id);
                logger.LogInformation("Completion {RequestId} accepted", id);
                return null;
            case ServerCommands.ListModels:
                return models.List(request);
            case ServerCommands.SelectModel:
                return await models.SelectAsync(request, cancellationToken).ConfigureAwait(false);
            default:
                throw CommandArguments.InvalidParams($"unknown command: {request.Command}");
        }
    }
}
