using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Routing;

/// <summary>
/// Logs fallback failures as outages: one warning when the fallback starts failing, debug lines while it keeps
/// failing, one information line when it answers again. A failing server must not flood the log per keystroke.
/// </summary>
public sealed class FallbackOutageReporter(ILogger logger)
{
    private int _out;

    /// <summary>True between a failure and the next success.</summary>
    public bool InOutage => Volatile.Read(ref _out) == 1;

    /// <summary>Records a failure; warns only when it starts an outage.</summary>
    public void Failure(string requestId, string fallback, string reason, string error)
    {
        if (Interlocked.Exchange(ref _out, 1) == 0)
        {
            logger.LogWarning(
                "[{RequestId}] Fallback {Fallback} is failing ({Reason}: {Error}); answering with the local model until it recovers",
                requestId, fallback, reason, error);
        }
        else
        {
            logger.LogDebug("[{RequestId}] Fallback {Fallback} still failing ({Reason})", requestId, fallback, reason);
        }
    }

    /// <summary>Records a success; ends an outage.</summary>
    public void Success(string requestId, string fallback)
    {
        if (Interlocked.Exchange(ref _out, 0) == 1)
        {
            logger.LogInformation("[{RequestId}] Fallback {Fallback} answers again", requestId, fallback);
        }
    }
}
