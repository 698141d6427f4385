namespace CodeAssist.Server.Completion;

/// <summary>The debounce stage: an automatic request waits a moment, so a newer keystroke can supersede it before any model runs.</summary>
internal static class Debounce
{
    /// <summary>Waits <paramref name="delayMs"/> unless the user asked explicitly; a superseded wait counts as cancelled and throws.</summary>
    public static async Task WaitAsync(bool invoked, int delayMs, CompletionStatistics statistics, CancellationToken cancellationToken)
    {
        if (invoked || delayMs <= 0)
        {
            return;
        }

        try
        {
            await Task.Delay(delayMs, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            statistics.RecordCancelled();
            throw;
        }
    }
}
