using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Documents;

/// <summary>Why a document's text can no longer be trusted: the change the store could not apply, as a reason.</summary>
/// <remarks>
/// It lasts until the document is opened again or a change sends its whole text (<see cref="DocumentStore"/>). While
/// it lasts, completions and code actions for the document answer nothing: they would be computed on a text the
/// editor no longer has, and their edits would land in the wrong place.
/// </remarks>
public sealed class DocumentSyncLoss(string uri, string reason)
{
    private int _refusals;

    /// <summary>The document.</summary>
    public string Uri { get; } = uri;

    /// <summary>The change that could not be applied, in words.</summary>
    public string Reason { get; } = reason;

    /// <summary>
    /// Logs that a request (<paramref name="request"/>: "completion", "code action"…) gets no answer: a warning for the
    /// first such request, debug for the rest, so that typing on in a broken document does not flood the log.
    /// </summary>
    public void LogRefusal(ILogger logger, string request)
    {
        if (Interlocked.Increment(ref _refusals) == 1)
        {
            logger.LogWarning(
                "No {Request} for {Uri}: the document is out of sync ({Reason}) until it is opened again or a change sends its whole text",
                request, Uri, Reason);
        }
        else
        {
            logger.LogDebug("No {Request} for {Uri}: the document is out of sync ({Reason})", request, Uri, Reason);
        }
    }
}
