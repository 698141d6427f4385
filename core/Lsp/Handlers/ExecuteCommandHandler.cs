using CodeAssist.Server.Completion;
using CodeAssist.Server.Logging;
using CodeAssist.Server.Protocol;
using CodeAssist.Server.Routing;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp.Handlers;

/// <summary>workspace/executeCommand for the commands in <see cref="LifecycleHandler.Commands"/>.</summary>
public sealed class ExecuteCommandHandler(
    ServerLifecycle lifecycle,
    CompletionStatistics statistics,
    ModelCommands models,
    PullModelCommand pull,
    ILogger<ExecuteCommandHandler> logger)
{
    private long _nextId;

    /// <summary>
    /// Runs a command; an unknown one, or bad arguments, is InvalidParams. Its log lines carry the accepted completion's
    /// id (<see cref="ServerCommands.Accepted"/>), else an id of its own (<c>x1</c>, <c>x2</c>, …).
    /// </summary>
    [JsonRpcMethod(LspMethods.WorkspaceExecuteCommand, UseSingleObjectParameterDeserialization = true)]
    public async Task<object?> ExecuteCommandAsync(ExecuteCommandParams request, CancellationToken cancellationToken)
    {
        using var inFlight = lifecycle.BeginRequest();
        var acceptedId = request.Command == ServerCommands.Accepted ? CommandArguments.FirstString(request) : null;
        using var scope = RequestLog.Begin(logger, acceptedId ?? $"x{Interlocked.Increment(ref _nextId)}");
        switch (request.Command)
        {
            case ServerCommands.Accepted:
                // An id that was never shown, or shown too long ago to be remembered, counts only in the total.
                if (statistics.RecordAccepted(acceptedId) is { } origin)
                {
                    logger.LogInformation("Completion accepted, written by {Model} ({Tier})", origin.Model, Tiers.Name(origin.Tier));
                }
                else
                {
                    logger.LogInformation("Completion accepted, not among the suggestions remembered");
                }

                return null;
            case ServerCommands.ListModels:
                return await models.ListAsync(request, cancellationToken).ConfigureAwait(false);
            case ServerCommands.SelectModel:
                return await models.SelectAsync(request, cancellationToken).ConfigureAwait(false);
            case ServerCommands.PullModel:
                return await pull.PullAsync(request, cancellationToken).ConfigureAwait(false);
            default:
                throw CommandArguments.InvalidParams($"unknown command: {request.Command}");
        }
    }
}
