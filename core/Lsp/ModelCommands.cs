using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Remote;
using CodeAssist.Server.Models;
using CodeAssist.Server.Protocol;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp;

/// <summary>The model commands of <c>workspace/executeCommand</c>: list the models for a tier, select one (with progress while it loads).</summary>
public sealed class ModelCommands(
    ModelInventory inventory,
    ModelSelector selector,
    WorkDoneProgress progress,
    FallbackModelProvider fallback,
    SettingsStore settings,
    ILogger<ModelCommands> logger)
{
    /// <summary>How long listing the model folders (or finding one model in them) may take before the request fails.</summary>
    public static readonly TimeSpan FileSystemTimeout = TimeSpan.FromSeconds(10);

    /// <summary><c>codeAssist.listModels</c>: every model the user can pick, for one tier or both.</summary>
    public async Task<ModelInfo[]> ListAsync(ExecuteCommandParams request, CancellationToken cancellationToken)
    {
        var filter = CommandArguments.Object(request, LspJsonContext.Default.ListModelsArguments, optional: true)?.Tier;
        if (filter is not null && !ModelTiers.IsKnown(filter))
        {
            throw CommandArguments.InvalidParams($"unknown tier '{filter}': use \"local\" or \"fallback\"");
        }

        var listed = await OffDispatcherAsync(() => inventory.List(filter), "listing the model folders", cancellationToken).ConfigureAwait(false);
        if (filter is null or ModelTiers.Fallback)
        {
            listed = await WithServedAsync(listed, cancellationToken).ConfigureAwait(false);
        }

        return [.. listed.Select(ToProtocol)];
    }

    /// <summary>The listing with the models the configured remote fallback's server has; a server that does not answer is a note, not an error.</summary>
    private async Task<IReadOnlyList<AvailableModel>> WithServedAsync(IReadOnlyList<AvailableModel> listed, CancellationToken cancellationToken)
    {
        var options = settings.Current;
        if (!options.Fallback.IsRemote || inventory.IsRestricted)
        {
            return listed;
        }

        try
        {
            return inventory.WithServed(listed, await fallback.ListServedAsync(options, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is RemoteModelException or ArgumentException)
        {
            logger.LogInformation("Could not list the models of the fallback's server {Endpoint}: {Error}", options.Fallback.DisplayEndpoint(), ex.Message);
            return ModelInventory.WithRemoteNote(listed, "could not list the server's models: " + ex.Message);
        }
    }

    /// <summary>
    /// Runs file-system work off the dispatcher with <see cref="FileSystemTimeout"/>: a model folder on a hung network
    /// share must not stall shutdown, stats and every other request behind it.
    /// </summary>
    private static async Task<T> OffDispatcherAsync<T>(Func<T> work, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await Task.Run(work, cancellationToken).WaitAsync(FileSystemTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new LocalRpcException($"{what} did not finish within {FileSystemTimeout.TotalSeconds:F0} s (a slow or hung file system?)") { ErrorCode = LspErrorCodes.RequestFailed };
        }
    }

    /// <summary><c>codeAssist.selectModel</c>: makes a model the tier's model for this session; RequestFailed when it does not load or restricted mode does not serve it.</summary>
    public async Task<ModelInfo> SelectAsync(ExecuteCommandParams request, CancellationToken cancellationToken)
    {
        var arguments = CommandArguments.Object(request, LspJsonContext.Default.SelectModelArguments, optional: false)!;
        AvailableModel model;
        try
        {
            model = await OffDispatcherAsync(() => selector.Resolve(arguments.Tier, arguments.Id), "finding the model", cancellationToken).ConfigureAwait(false);
        }
        catch (UnknownModelException ex)
        {
            throw CommandArguments.InvalidParams(ex.Message);
        }
        catch (WorkspaceNotTrustedException ex)
        {
            // Well-formed, and refused: the previous model stays, nothing was loaded.
            throw new LocalRpcException($"could not select {arguments.Id} for the {arguments.Tier} tier: {ex.Message}") { ErrorCode = LspErrorCodes.RequestFailed };
        }

        await using var report = await progress.BeginAsync(request.WorkDoneToken, $"Loading {model.Label}", cancellationToken).ConfigureAwait(false);
        try
        {
            // The load runs to its end even if the request is cancelled: a half-switched tier helps nobody.
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

    /// <summary>A model as <c>listModels</c> answers it.</summary>
    internal static ModelInfo ToProtocol(AvailableModel model) => new()
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
        Note = model.Note,
        Downloadable = model.Downloadable ? true : null,
        License = model.License,
    };
}
