using System.Text.Json;
using CodeAssist.Server.Completion;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Logging;
using CodeAssist.Server.Models;
using CodeAssist.Server.Protocol;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp.Handlers;

/// <summary>workspace/executeCommand for the commands in <see cref="LifecycleHandler.Commands"/>.</summary>
public sealed class ExecuteCommandHandler(
    ServerLifecycle lifecycle,
    CompletionStatistics statistics,
    ModelInventory inventory,
    ModelSelector selector,
    WorkDoneProgress progress,
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
        var acceptedId = request.Command == ServerCommands.Accepted && request.Arguments is [{ ValueKind: JsonValueKind.String } first, ..] ? first.GetString() : null;
        using var scope = RequestLog.Begin(logger, acceptedId ?? $"x{Interlocked.Increment(ref _nextId)}");
        switch (request.Command)
        {
            case ServerCommands.Accepted:
                statistics.RecordAccepted();
                logger.LogInformation("Completion accepted");
                return null;
            case ServerCommands.ListModels:
                var filter = Argument(request, LspJsonContext.Default.ListModelsArguments, optional: true)?.Tier;
                if (filter is not null && !ModelTiers.IsKnown(filter))
                {
                    throw InvalidParams($"unknown tier '{filter}': use \"local\" or \"fallback\"");
                }

                return inventory.List(filter).Select(ToProtocol).ToArray();
            case ServerCommands.SelectModel:
                return await SelectModelAsync(request, cancellationToken).ConfigureAwait(false);
            default:
                throw InvalidParams($"unknown command: {request.Command}");
        }
    }

    private async Task<ModelInfo> SelectModelAsync(ExecuteCommandParams request, CancellationToken cancellationToken)
    {
        var arguments = Argument(request, LspJsonContext.Default.SelectModelArguments, optional: false)!;
        AvailableModel model;
        try
        {
            model = selector.Resolve(arguments.Tier, arguments.Id);
        }
        catch (UnknownModelException ex)
        {
            throw InvalidParams(ex.Message);
        }

        await using var report = await progress.BeginAsync(request.WorkDoneToken, $"Loading {model.Label}", cancellationToken).ConfigureAwait(false);
        try
        {
            var selected = await selector.SelectAsync(model, CancellationToken.None).ConfigureAwait(false);
            await report.EndAsync($"{selected.Label} is the {selected.Tier} model").ConfigureAwait(false);
            return ToProtocol(selected);
        }
        catch (ModelLoadException ex)
        {
            await report.EndAsync($"{model.Label} could not be loaded").ConfigureAwait(false);
            throw new LocalRpcException($"could not load {model.Label} for the {model.Tier} tier: {ex.Message}") { ErrorCode = LspErrorCodes.RequestFailed };
        }
    }

    private static T? Argument<T>(ExecuteCommandParams request, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, bool optional)
        where T : class
    {
        if (request.Arguments is not [var first, ..] || first.ValueKind == JsonValueKind.Null)
        {
            return optional ? null : throw InvalidParams($"{request.Command} takes one argument: an object");
        }

        if (first.ValueKind != JsonValueKind.Object)
        {
            throw InvalidParams($"{request.Command} takes one argument: an object, not {first.ValueKind}");
        }

        try
        {
            return first.Deserialize(type);
        }
        catch (JsonException ex)
        {
            throw InvalidParams($"bad argument for {request.Command}: {ex.Message}");
        }
    }

    private static LocalRpcException InvalidParams(string message) => new(message) { ErrorCode = LspErrorCodes.InvalidParams };

    private static ModelInfo ToProtocol(AvailableModel model) => new()
    {
        Id = model.Id,
        Label = model.Label,
        Tier = model.Tier,
        Path = model.Path,
        Endpoint = model.Endpoint,
        SizeBytes = model.SizeBytes,
        Family = model.Family,
        Fim = model.Fim,
        Active = model.Active,
    };
}
