using System.Diagnostics;

namespace CodeAssist.Server.Lsp;

/// <summary>Watches the editor's process (initialize's processId) so the server does not outlive it.</summary>
public static class ClientProcessMonitor
{
    /// <summary>Completes when the process with <paramref name="processId"/> is gone.</summary>
    public static async Task WaitForExitAsync(int processId, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        while (IsAlive(processId))
        {
            await Task.Delay(pollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsAlive(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
