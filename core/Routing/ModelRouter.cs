using System.Diagnostics;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Remote;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Routing;

/// <summary>
/// Chooses the tier for each completion: the local model for automatic requests, the fallback (a larger local
/// model or a remote endpoint) when <see cref="EscalationPolicy"/> says so, and the local answer whenever the
/// fallback fails or misses the deadline (<see cref="DeadlinePolicy"/>). Fallback failures never reach the editor.
/// </summary>
public sealed class ModelRouter
{
    private readonly ILocalTier _local;
    private readonly FallbackModelProvider _fallback;
    private readonly RoutingStatistics _statistics;
    private readonly ILogger<ModelRouter> _logger;
    private readonly FallbackOutageReporter _outages;

    /// <summary>Creates the router over both tiers.</summary>
    public ModelRouter(ILocalTier local, FallbackModelProvider fallback, RoutingStatistics statistics, ILogger<ModelRouter> logger)
    {
        _local = local;
        _fallback = fallback;
        _statistics = statistics;
        _logger = logger;
        _outages = new FallbackOutageReporter(logger);
    }

    /// <summary>
    /// Answers <paramref name="request"/>: fetches the tiers' models and runs <paramref name="attempt"/> with the ones the
    /// policies choose. Returns null when no tier can answer (no local model and no usable fallback). Cancellation (a
    /// superseded request) cancels both tiers, remote calls included, and propagates as <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task<RoutedAnswer?> RouteAsync(RouteRequest request, ITierAttempt attempt, CancellationToken cancellationToken)
    {
        var local = request.LocalTier ? await _local.GetAsync(cancellationToken).ConfigureAwait(false) : null;
        var routed = await RouteAsync(request, local, attempt, cancellationToken).ConfigureAwait(false);
        return routed is null ? null : routed with { LocalModel = local?.Description };
    }

    private async Task<RoutedAnswer?> RouteAsync(RouteRequest request, ICompletionModel? local, ITierAttempt attempt, CancellationToken cancellationToken)
    {
        var options = request.Options;
        var hasFallback = options.Fallback.Kind != FallbackKind.None;
        if (local is null)
        {
            return await FallbackOnlyAsync(request, attempt, hasFallback, cancellationToken).ConfigureAwait(false);
        }

        if (EscalationPolicy.BeforeLocal(options.Routing, request.Invoked, request.StartsBlock) is { } early)
        {
            if (!hasFallback)
            {
                _logger.LogDebug("Route: local (would escalate: {Reason}, but no fallback is configured)", EscalationPolicy.Name(early));
                return Answered(await LocalAsync(local, attempt, cancellationToken).ConfigureAwait(false));
            }

            return await BothAtOnceAsync(request, early, local, attempt, cancellationToken).ConfigureAwait(false);
        }

        var answer = await LocalAsync(local, attempt, cancellationToken).ConfigureAwait(false);
        var late = EscalationPolicy.AfterLocal(options.Routing, answer.Answer.Text, answer.Answer.Generation.MeanLogprob);
        if (late is null)
        {
            _logger.LogDebug("Route: local (automatic, mean logprob {MeanLogprob:F2} at or above {Threshold})", answer.Answer.Generation.MeanLogprob, options.Routing.MinMeanLogprob);
            return Answered(answer);
        }

        if (!hasFallback)
        {
            _logger.LogDebug("Route: local (would escalate: {Reason}, but no fallback is configured)", EscalationPolicy.Name(late.Value));
            return Answered(answer);
        }

        Escalating(request, late.Value);
        var started = Stopwatch.GetTimestamp();
        var fallback = RunFallbackAsync(request, attempt, cancellationToken);
        var chosen = await ChooseAsync(request, fallback, started, cancellationToken).ConfigureAwait(false);
        return Answered(chosen ?? answer);
    }

    private async Task<RoutedAnswer?> FallbackOnlyAsync(
        RouteRequest request, ITierAttempt attempt, bool hasFallback, CancellationToken cancellationToken)
    {
        if (!hasFallback)
        {
            return null;
        }

        // Without a local model there is nothing to fall back to, so the fallback gets its whole timeout.
        _logger.LogInformation("Route: fallback only (no local model)");
        var outcome = await RunFallbackAsync(request, attempt, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return outcome.Answer is { } answer ? Answered(new RoutedAnswer(answer, RoutingStatistics.FallbackTier)) : null;
    }

    private async Task<RoutedAnswer> BothAtOnceAsync(
        RouteRequest request, EscalationReason reason, ICompletionModel local,
        ITierAttempt attempt, CancellationToken cancellationToken)
    {
        Escalating(request, reason);
        var started = Stopwatch.GetTimestamp();
        using var localCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var fallback = RunFallbackAsync(request, attempt, cancellationToken);
        var localTask = LocalAsync(local, attempt, localCancel.Token);
        RoutedAnswer? chosen;
        try
        {
            chosen = await ChooseAsync(request, fallback, started, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Abandon(localTask);
            throw;
        }

        if (chosen is not null)
        {
            // The local decode is no longer needed: free the CPU for the next keystroke.
            await localCancel.CancelAsync().ConfigureAwait(false);
            Abandon(localTask);
            return Answered(chosen);
        }

        return Answered(await localTask.ConfigureAwait(false));
    }

    /// <summary>The fallback's answer when it arrives within the deadline with some text; null to answer locally.</summary>
    private async Task<RoutedAnswer?> ChooseAsync(RouteRequest request, Task<FallbackOutcome> fallback, long started, CancellationToken cancellationToken)
    {
        var deadline = TimeSpan.FromMilliseconds(request.Options.Routing.DeadlineMs);
        if (!await DeadlinePolicy.FinishesWithinAsync(fallback, deadline, started, cancellationToken).ConfigureAwait(false))
        {
            _statistics.RecordLate();
            _logger.LogInformation("Route: local (fallback missed the {DeadlineMs} ms deadline)", request.Options.Routing.DeadlineMs);
            return null;
        }

        var outcome = await fallback.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (outcome.Answer is { } answer)
        {
            _statistics.RecordUsed();
            _logger.LogInformation("Route: fallback answered in {ElapsedMs} ms", (long)TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
            return new RoutedAnswer(answer, RoutingStatistics.FallbackTier);
        }

        _statistics.RecordFailed();
        _logger.LogInformation("Route: local (fallback failed: {Reason})", outcome.FailureReason);
        return null;
    }

    private static void Abandon(Task task) =>
        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    private void Escalating(RouteRequest request, EscalationReason reason)
    {
        _statistics.RecordEscalation(reason);
        _logger.LogInformation(
            "Route: escalating to {Fallback} ({Reason}), deadline {DeadlineMs} ms",
            FallbackModelProvider.Describe(request.Options.Fallback), EscalationPolicy.Name(reason), request.Options.Routing.DeadlineMs);
    }

    private RoutedAnswer Answered(RoutedAnswer answer)
    {
        _statistics.RecordAnswer(answer.Tier);
        return answer;
    }

    private async Task<RoutedAnswer> LocalAsync(
        ICompletionModel local, ITierAttempt attempt, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        _statistics.RecordCall(RoutingStatistics.LocalTier);
        var answer = await attempt.RunAsync(local, cancellationToken).ConfigureAwait(false);
        _statistics.RecordLatency(RoutingStatistics.LocalTier, TimeProvider.System.GetElapsedTime(started));
        return new RoutedAnswer(answer, RoutingStatistics.LocalTier);
    }

    /// <summary>
    /// Runs the fallback under its own cancellation, linked to the request's: it may outlive the deadline (a late
    /// call still counts for the breaker, within the fallback's timeout), but a superseding request aborts it.
    /// Never throws: every failure becomes an outcome.
    /// </summary>
    private async Task<FallbackOutcome> RunFallbackAsync(
        RouteRequest request, ITierAttempt attempt, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var name = FallbackModelProvider.Describe(request.Options.Fallback);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var model = await _fallback.GetAsync(request.Options, cancellationToken).ConfigureAwait(false);
            if (model is null)
            {
                return Failed(name, "unavailable", "the fallback could not be made from the settings");
            }

            _statistics.RecordCall(RoutingStatistics.FallbackTier);
            var answer = await attempt.RunAsync(model, cancellationToken).ConfigureAwait(false);
            _statistics.RecordLatency(RoutingStatistics.FallbackTier, TimeProvider.System.GetElapsedTime(started));
            _outages.Success(name);
            if (answer.Text.Length == 0)
            {
                // A healthy server with nothing to say: the local answer is used, and it is no outage.
                _statistics.RecordFailure("empty");
                return new FallbackOutcome(null, "empty");
            }

            return new FallbackOutcome(answer, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _logger.LogDebug("Fallback call cancelled (superseded)");
            return new FallbackOutcome(null, "cancelled");
        }
        catch (RemoteModelException ex)
        {
            return Failed(name, ex.Reason, ex.Message);
        }
        catch (Exception ex)
        {
            // Whatever the fallback does, the editor still gets the local answer.
            return Failed(name, ex is ObjectDisposedException ? "disposed" : "error", ex.Message);
        }
    }

    private FallbackOutcome Failed(string name, string reason, string error)
    {
        _statistics.RecordFailure(reason);
        _outages.Failure(name, reason, error);
        return new FallbackOutcome(null, reason);
    }

    private sealed record FallbackOutcome(TierAnswer? Answer, string? FailureReason);
}
