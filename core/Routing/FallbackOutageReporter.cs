using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Routing;

/// <summary>
/// Logs fallback failures as outages: one warning when the fallback starts failing, debug lines while it keeps
/// failing, one information line when it answers again. A failing server must not flood the log per keystroke.
/// </summary>
public sealed class FallbackOutageReporter(ILogger logger)
{
    private int _out;

    /// <summary>Records a failure; warns only when it starts an outage.</summary>
    public void Failure(string fallback, string reason, string error)
    {
        if (Interlocked.Exchange(ref _out, 1) == 0)
        {
            logger.LogWarning(
                "Fallback {Fallback} is failing ({Reason}: {Error}); answering with the local model until it recovers",
                fallback, reason, error);
        }
        else
        {
            logger.LogDebug("Fallback {Fallback} still failing ({Reason})", fallback, reason);
        }
    }

    /// <summary>Records a success; ends an outage.</summary>
    public void Success(string fallback)
    {
        if (Interlocked.Exchange(ref _out, 0) == 1)
        {
            logger.LogInformation("Fallback {Fallback} answers again", fallback);
        }
    }
}
