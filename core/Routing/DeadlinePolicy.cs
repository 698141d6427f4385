namespace CodeAssist.Server.Routing;

/// <summary>How long the router waits for the fallback tier before answering with the local one.</summary>
public static class DeadlinePolicy
{
    /// <summary>
    /// True when <paramref name="work"/> finished within <paramref name="deadline"/> of <paramref name="started"/>
    /// (a timestamp of <paramref name="time"/>); false when the time ran out first. The work itself is not cancelled.
    /// </summary>
    public static async Task<bool> FinishesWithinAsync(Task work, TimeSpan deadline, long started, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        var left = deadline - time.GetElapsedTime(started);
        if (work.IsCompleted)
        {
            return true;
        }

        if (left <= TimeSpan.Zero)
        {
            return false;
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(left, time, timer.Token);
        var first = await Task.WhenAny(work, delay).ConfigureAwait(false);
        await timer.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return first == work;
    }
}
