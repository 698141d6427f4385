using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Remote;
using CodeAssist.Server.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Routing;

/// <summary>
/// Chooses the tier for each request. Completions (<see cref="RouteAsync"/>): the local model for automatic requests,
/// the fallback (a larger local model or a remote endpoint) when <see cref="EscalationPolicy"/> says so, and the local
/// answer whenever the fallback fails or misses the deadline (<see cref="DeadlinePolicy"/>). Code actions
/// (<see cref="RouteLargerFirstAsync"/>): the fallback first, with its own deadline, the local model when it fails.
/// Fallback failures never reach the editor as errors. Each policy counts into its own statistics.
/// </summary>
public sealed class ModelRouter
{
    private readonly ILocalTier _local;
    private readonly FallbackModelProvider _fallback;
    private readonly RoutingStatistics _completions;
    private readonly RoutingStatistics _codeActions;
    private readonly ILogger<ModelRouter> _logger;
    private readonly FallbackOutageReporter _outages;
    private readonly TimeProvider _time;

    /// <summary>Creates the router over both tiers.</summary>
    /// <param name="local">The local tier.</param>
    /// <param name="fallback">The fallback tier.</param>
    /// <param name="statistics">Where completions are counted.</param>
    /// <param name="logger">The router's log.</param>
    /// <param name="time">The clock deadlines and latencies are measured with (the system's when not given; tests fake it).</param>
    /// <param name="codeActionStatistics">Where code actions are counted (a fresh one when not given).</param>
    public ModelRouter(
        ILocalTier local,
        FallbackModelProvider fallback,
        RoutingStatistics statistics,
        ILogger<ModelRouter> logger,
        TimeProvider? time = null,
        [FromKeyedServices(RoutingStatistics.CodeActionsKey)] RoutingStatistics? codeActionStatistics = null)
    {
        _time = time ?? TimeProvider.System;
        _local = local;
        _fallback = fallback;
        _completions = statistics;
        _codeActions = codeActionStatistics ?? new RoutingStatistics();
        _logger = logger;
        _outages = new FallbackOutageReporter(logger);
    }

    /// <summary>
    /// Answers a request that prefers the larger tier (a code action the user picked): the fallback, when one is
    /// configured, gets <see cref="RoutingOptions.CodeActionDeadlineMs"/>; when it fails, is late or answers nothing,
    /// the local model answers. The outcome says why each tier that did not answer did not, for the user.
    /// </summary>
    public async Task<RouteOutcome> RouteLargerFirstAsync(RouteRequest request, ITierAttempt attempt, CancellationToken cancellationToken)
    {
        var statistics = _codeActions;
        var failures = new List<string>();
        var options = request.Options;
        if (options.Fallback.Kind != FallbackKind.None)
        {
            var name = FallbackModelProvider.Describe(options.Fallback);
            _logger.LogInformation(
                "Route: {Fallback} first (code action), deadline {DeadlineMs} ms", name, options.Routing.CodeActionDeadlineMs);
            var started = _time.GetTimestamp();
            var fallback = RunFallbackAsync(request, attempt, statistics, cancellationToken);
            if (!await DeadlinePolicy.FinishesWithinAsync(fallback, TimeSpan.FromMilliseconds(options.Routing.CodeActionDeadlineMs), started, _time, cancellationToken).ConfigureAwait(false))
            {
                statistics.RecordLate();
                failures.Add($"the fallback ({name}) did not answer within {options.Routing.CodeActionDeadlineMs} ms");
            }
            else
            {
                var outcome = await fallback.ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (outcome.Answer is { } answer)
                {
                    statistics.RecordUsed();
                    return new RouteOutcome(Answered(statistics, new RoutedAnswer(answer, Tier.Fallback)), failures);
                }

                statistics.RecordFailed();
                failures.Add(outcome.Message ?? $"the fallback ({name}) failed: {outcome.FailureReason}");
            }
        }

        var local = await _local.GetAsync(cancellationToken).ConfigureAwait(false);
        if (local is null)
        {
            failures.Add($"no local model: {_local.LastError ?? "none is loaded"}");
            return new RouteOutcome(null, failures);
        }

        try
        {
            var answer = await LocalAsync(local, attempt, statistics, cancellationToken).ConfigureAwait(false);
            if (answer.Answer.Text.Length > 0)
            {
                return new RouteOutcome(Answered(statistics, answer) with { LocalModel = local.Description }, failures);
            }

            failures.Add(answer.Answer.Rejection is { } why ? $"{local.Description.Id}: {why}" : $"{local.Description.Id} wrote nothing usable");
        }
        catch (ObjectDisposedException)
        {
            failures.Add($"{local.Description.Id} was switched out while it was writing; try again");
        }

        return new RouteOutcome(null, failures);
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
                return Answered(_completions, await LocalAsync(local, attempt, _completions, cancellationToken).ConfigureAwait(false));
            }

            return await BothAtOnceAsync(request, early, local, attempt, cancellationToken).ConfigureAwait(false);
        }

        var answer = await LocalAsync(local, attempt, _completions, cancellationToken).ConfigureAwait(false);
        var confidence = Math.Exp(answer.Answer.Generation.StartLogprob);
        var late = EscalationPolicy.AfterLocal(options.Routing, answer.Answer.Text, answer.Answer.Generation.StartLogprob, answer.Answer.Rejection is not null || (answer.Answer.Derived && hasFallback));
        if (late is null)
        {
            _logger.LogDebug("Route: local (automatic, confidence {Confidence:F2} at or above {Threshold})", confidence, options.Routing.MinConfidence);
            return Answered(_completions, answer);
        }

        if (!hasFallback)
        {
            _logger.LogDebug("Route: local (would escalate: {Reason}, but no fallback is configured)", EscalationPolicy.Name(late.Value));
            return Answered(_completions, Unaided(request, answer));
        }

        Escalating(request, late.Value);
        var started = _time.GetTimestamp();
        var fallback = RunFallbackAsync(request, attempt, _completions, cancellationToken);
        var chosen = await ChooseAsync(request, fallback, started, cancellationToken).ConfigureAwait(false);

        // The fallback was late or failed: the local answer stands as it would without one, so an unsure guess is not
        // shown just because asking did not work.
        return Answered(_completions, chosen ?? Unaided(request, answer));
    }

    /// <summary>
    /// A local answer with nobody to ask: an automatic request the local tier is unsure of (or whose candidates the
    /// checks all rejected) shows nothing rather than a guess; an explicit one shows the answer.
    /// </summary>
    private RoutedAnswer Unaided(RouteRequest request, RoutedAnswer answer)
    {
        var routing = request.Options.Routing;
        var late = EscalationPolicy.AfterLocal(routing, answer.Answer.Text, answer.Answer.Generation.StartLogprob, answer.Answer.Rejection is not null);
        if (request.Invoked || late is not (EscalationReason.Unsure or EscalationReason.Rejected) || answer.Answer.Text.Length == 0)
        {
            return answer;
        }

        _logger.LogDebug(
            "Route: abstain ({Reason}: confidence {Confidence:F2}, threshold {Threshold}; no fallback answered)",
            EscalationPolicy.Name(late.Value), Math.Exp(answer.Answer.Generation.StartLogprob), routing.MinConfidence);
        return answer with { Answer = answer.Answer with { Text = string.Empty, Abstained = true } };
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
        var outcome = await RunFallbackAsync(request, attempt, _completions, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return outcome.Answer is { } answer ? Answered(_completions, new RoutedAnswer(answer, Tier.Fallback)) : null;
    }

    private async Task<RoutedAnswer> BothAtOnceAsync(
        RouteRequest request, EscalationReason reason, ICompletionModel local,
        ITierAttempt attempt, CancellationToken cancellationToken)
    {
        Escalating(request, reason);
        var started = _time.GetTimestamp();
        using var localCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var fallback = RunFallbackAsync(request, attempt, _completions, cancellationToken);
        var localTask = LocalAsync(local, attempt, _completions, localCancel.Token);
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
            return Answered(_completions, chosen);
        }

        return Answered(_completions, await localTask.ConfigureAwait(false));
    }

    /// <summary>The fallback's answer when it arrives within the deadline with some text; null to answer locally.</summary>
    private async Task<RoutedAnswer?> ChooseAsync(RouteRequest request, Task<FallbackOutcome> fallback, long started, CancellationToken cancellationToken)
    {
        var deadline = TimeSpan.FromMilliseconds(request.Options.Routing.DeadlineMs);
        if (!await DeadlinePolicy.FinishesWithinAsync(fallback, deadline, started, _time, cancellationToken).ConfigureAwait(false))
        {
            _completions.RecordLate();
            _logger.LogInformation("Route: local (fallback missed the {DeadlineMs} ms deadline)", request.Options.Routing.DeadlineMs);
            return null;
        }

        var outcome = await fallback.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (outcome.Answer is { } answer)
        {
            _completions.RecordUsed();
            _logger.LogInformation("Route: fallback answered in {ElapsedMs} ms", (long)_time.GetElapsedTime(started).TotalMilliseconds);
            return new RoutedAnswer(answer, Tier.Fallback);
        }

        _completions.RecordFailed();
        _logger.LogInformation("Route: local (fallback failed: {Reason})", outcome.FailureReason);
        return null;
    }

    private static void Abandon(Task task) =>
        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    private void Escalating(RouteRequest request, EscalationReason reason)
    {
        _completions.RecordEscalation(reason);
        _logger.LogInformation(
            "Route: escalating to {Fallback} ({Reason}), deadline {DeadlineMs} ms",
            FallbackModelProvider.Describe(request.Options.Fallback), EscalationPolicy.Name(reason), request.Options.Routing.DeadlineMs);
    }

    private static RoutedAnswer Answered(RoutingStatistics statistics, RoutedAnswer answer)
    {
        statistics.RecordAnswer(answer.Tier);
        return answer;
    }

    private async Task<RoutedAnswer> LocalAsync(
        ICompletionModel local, ITierAttempt attempt, RoutingStatistics statistics, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        statistics.RecordCall(Tier.Local);
        var answer = await attempt.RunAsync(local, cancellationToken).ConfigureAwait(false);
        statistics.RecordLatency(Tier.Local, _time.GetElapsedTime(started));
        return new RoutedAnswer(answer, Tier.Local);
    }

    /// <summary>
    /// Runs the fallback under its own cancellation, linked to the request's: it may outlive the deadline (a late
    /// call still counts for the breaker, within the fallback's timeout), but a superseding request aborts it.
    /// Never throws: every failure becomes an outcome.
    /// </summary>
    private async Task<FallbackOutcome> RunFallbackAsync(
        RouteRequest request, ITierAttempt attempt, RoutingStatistics statistics, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var name = FallbackModelProvider.Describe(request.Options.Fallback);
        var started = _time.GetTimestamp();
        try
        {
            var model = await _fallback.GetAsync(request.Options, cancellationToken).ConfigureAwait(false);
            if (model is null)
            {
                return Failed(statistics, name, "unavailable", "the fallback could not be made from the settings",
                    $"the fallback ({name}) is not usable: {_fallback.LastError ?? "see the log"}");
            }

            statistics.RecordCall(Tier.Fallback);
            var answer = await attempt.RunAsync(model, cancellationToken).ConfigureAwait(false);
            statistics.RecordLatency(Tier.Fallback, _time.GetElapsedTime(started));
            _outages.Success(name);
            if (answer.Text.Length == 0)
            {
                // A healthy server with nothing to say, or only what the checks rejected: the local answer is used, and
                // it is no outage.
                var reason = answer.Rejection is null ? "empty" : "rejected";
                statistics.RecordFailure(reason);
                return new FallbackOutcome(null, reason, answer.Rejection is { } why ? $"{model.Description.Id}: {why}" : $"{model.Description.Id} wrote nothing usable");
            }

            return new FallbackOutcome(answer, null, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _logger.LogDebug("Fallback call cancelled (superseded)");
            return new FallbackOutcome(null, "cancelled", null);
        }
        catch (RemoteModelException ex)
        {
            return Failed(statistics, name, ex.Reason, ex.Message, $"{name} failed: {ex.Message}");
        }
        catch (Exception ex)
        {
            // Whatever the fallback does, the editor still gets the local answer.
            var disposed = ex is ObjectDisposedException;
            return Failed(statistics, name, disposed ? "disposed" : "error", ex.Message,
                disposed ? $"{name} was switched out while it was writing; try again" : $"{name} failed: {ex.Message}");
        }
    }

    private FallbackOutcome Failed(RoutingStatistics statistics, string name, string reason, string error, string message)
    {
        statistics.RecordFailure(reason);
        _outages.Failure(name, reason, error);
        return new FallbackOutcome(null, reason, message);
    }

    /// <summary>What the fallback did: its answer, or the failure's reason (for the statistics) and message (for the user).</summary>
    private sealed record FallbackOutcome(TierAnswer? Answer, string? FailureReason, string? Message);
}
