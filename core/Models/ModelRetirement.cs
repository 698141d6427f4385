using CodeAssist.Server.Inference;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Models;

/// <summary>
/// Disposes a model that was switched out once the requests already queued on it have finished (a model that queues
/// them says how many, <see cref="IQueuedModel"/>; others are disposed at once), so a swap under load answers them
/// instead of cancelling them. A request that takes the old model after the swap but before it is disposed gets
/// <see cref="ObjectDisposedException"/>, which the pipeline answers as empty.
/// </summary>
public static class ModelRetirement
{
    /// <summary>How long queued requests may keep a switched-out model alive.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    /// <summary>Disposes <paramref name="model"/> in the background when it is idle, or after <see cref="Grace"/>.</summary>
    public static void DisposeWhenIdle(ICompletionModel? model, ILogger logger) => _ = DisposeWhenIdleAsync(model, logger);

    /// <summary>Disposes <paramref name="model"/> when it is idle, or after <see cref="Grace"/>; completes when it is disposed.</summary>
    public static Task DisposeWhenIdleAsync(ICompletionModel? model, ILogger logger)
    {
        if (model is null)
        {
            return Task.CompletedTask;
        }

        return Task.Run(async () =>
        {
            var deadline = DateTime.UtcNow + Grace;
            while (model is IQueuedModel { PendingRequests: > 0 } && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20).ConfigureAwait(false);
            }

            try
            {
                model.Dispose();
                logger.LogInformation("Disposed the previous model {ModelId}", model.Description.Id);
            }
            catch (Exception ex)
            {
                logger.LogWarning("Disposing the previous model {ModelId} failed: {Error}", model.Description.Id, ex.Message);
            }
        });
    }
}
