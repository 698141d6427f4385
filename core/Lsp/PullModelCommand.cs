using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Models;
using CodeAssist.Server.Protocol;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp;

/// <summary>
/// <c>codeAssist.pullModel</c> of <c>workspace/executeCommand</c>: downloads a catalog model with cancellable work-done
/// progress, then switches the local tier to it. Cancelled by <c>$/cancelRequest</c> of the request or by
/// <c>window/workDoneProgress/cancel</c> of its progress; either way the partial download is kept for the next pull.
/// </summary>
public sealed class PullModelCommand(ModelPuller puller, WorkDoneProgress progress, ILogger<PullModelCommand> logger)
{
    /// <summary>Downloads, verifies and selects the model; answers its <c>listModels</c> entry (active).</summary>
    public async Task<ModelInfo> PullAsync(ExecuteCommandParams request, CancellationToken cancellationToken)
    {
        var id = CommandArguments.Object(request, LspJsonContext.Default.PullModelArguments, optional: false)!.Id;
        CatalogEntry entry;
        try
        {
            entry = puller.Resolve(id);
        }
        catch (UnknownModelException ex)
        {
            throw CommandArguments.InvalidParams(ex.Message);
        }
        catch (Exception ex) when (ex is WorkspaceNotTrustedException or InvalidDataException or IOException)
        {
            throw Failed($"could not download {id}: {ex.Message}");
        }

        await using var report = await progress.BeginAsync(request.WorkDoneToken, $"Downloading {entry.Id}", cancellationToken, cancellable: true).ConfigureAwait(false);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, report.Cancelled);
        try
        {
            var selected = await puller.PullAsync(entry, p => report.ReportAsync(p.Describe(), p.Percentage), cancel.Token).ConfigureAwait(false);
            await report.EndAsync($"{selected.Label} is the {selected.Tier} model").ConfigureAwait(false);
            return ModelCommands.ToProtocol(selected);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            logger.LogInformation("The download of {Model} was cancelled; the partial file is kept for the next pull", entry.Id);
            await report.EndAsync($"Download of {entry.Id} cancelled").ConfigureAwait(false);
            throw new LocalRpcException($"the download of {entry.Id} was cancelled; what was downloaded is kept and the next pull resumes") { ErrorCode = LspErrorCodes.RequestCancelled };
        }
        catch (ModelDownloadException ex)
        {
            logger.LogWarning("Could not download {Model}: {Error}", entry.Id, ex.Message);
            await report.EndAsync($"Download of {entry.Id} failed").ConfigureAwait(false);
            throw Failed($"could not download {entry.Id}: {ex.Message}");
        }
        catch (Exception ex) when (ex is ModelLoadException or UnknownModelException or WorkspaceNotTrustedException)
        {
            await report.EndAsync($"{entry.Id} could not be loaded").ConfigureAwait(false);
            throw Failed($"{entry.Id} was downloaded but could not be loaded for the local tier: {ex.Message}");
        }
    }

    private static LocalRpcException Failed(string message) => new(message) { ErrorCode = LspErrorCodes.RequestFailed };
}
