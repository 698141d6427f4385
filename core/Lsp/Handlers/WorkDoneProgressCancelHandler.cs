using CodeAssist.Server.Protocol;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp.Handlers;

/// <summary>window/workDoneProgress/cancel: the user cancelled an operation whose progress was reported as cancellable (a model download).</summary>
public sealed class WorkDoneProgressCancelHandler(WorkDoneProgress progress, ILogger<WorkDoneProgressCancelHandler> logger)
{
    /// <summary>Cancels the operation; a token of nothing cancellable (ended already, or never cancellable) is ignored.</summary>
    [JsonRpcMethod(LspMethods.WindowWorkDoneProgressCancel, UseSingleObjectParameterDeserialization = true)]
    public void Cancel(WorkDoneProgressCancelParams request)
    {
        if (!progress.Cancel(request.Token))
        {
            logger.LogDebug("window/workDoneProgress/cancel for {Token}: nothing cancellable runs with it", request.Token.ToString());
        }
    }
}
