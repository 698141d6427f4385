using System.Diagnostics;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Models;
using CodeAssist.Server.Routing;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CodeAssist.Tests.Routing;

[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ModelRouterTests : IDisposable
{
    private readonly ScriptedModel _local = new("small", "local_answer", -0.2, TimeSpan.FromMilliseconds(20));
    private ScriptedModel _fallback = new("large", "fallback_answer", -0.1, TimeSpan.FromMilliseconds(20));
    private readonly RoutingStatistics _statistics = new();
    private readonly FallbackModelProvider _provider;
    private readonly ModelRouter _router;
    private readonly FixedLocalTier _localTier = new(null);

    public ModelRouterTests()
    {
        _provider = new FallbackModelProvider(NullLoggerFactory.Instance, _ => _fallback);
        _router = new ModelRouter(_localTier, _provider, _statistics, NullLogger<ModelRouter>.Instance);
    }

    public void Dispose() => _provider.Dispose();

    private Task<RoutedAnswer?> RouteAsync(CodeAssistOptions options, bool invoked = false, bool startsBlock = false, ScriptedModel? local = null, CancellationToken cancellationToken = default)
    {
        _localTier.Model = local ?? _local;
        return _router.RouteAsync(new RouteRequest(invoked, startsBlock, options), RoutingTestKit.Attempt, cancellationToken);
    }

    [Fact]
    public async Task AnAutomaticConfidentRequestStaysLocalAndNeverCallsTheFallback()
    {
        var routed = await RouteAsync(RoutingTestKit.Options());
        Assert.Equal(Tier.Local, routed!.Tier);
        Assert.Equal("local_answer", routed.Answer.Text);
        Assert.Equal(0, _fallback.Calls);
        Assert.All(_statistics.Escalations.Values, count => Assert.Equal(0, count));
    }

    [Fact]
    public async Task AnInvokedRequestEscalatesAndRunsBothTiersAtOnce()
    {
        var routed = await RouteAsync(RoutingTestKit.Options(), invoked: true);
        Assert.Equal(Tier.Fallback, routed!.Tier);
        Assert.Equal("fallback_answer", routed.Answer.Text);
        Assert.Equal(1, _local.Calls);
        Assert.Equal(1, _fallback.Calls);
        Assert.Equal(1, _statistics.Escalations["invoked"]);
        Assert.Equal(1, _statistics.FallbackUsed);
    }

    [Fact]
    public async Task ABlockStartEscalates()
    {
        var routed = await RouteAsync(RoutingTestKit.Options(), startsBlock: true);
        Assert.Equal(Tier.Fallback, routed!.Tier);
        Assert.Equal(1, _statistics.Escalations["blockStart"]);
        Assert.Equal(0, _statistics.Escalations["invoked"]);
    }

    [Fact]
    public async Task EscalationOnInvokeCanBeTurnedOff()
    {
        var routed = await RouteAsync(RoutingTestKit.Options(routing: r => r with { EscalateOnInvoke = false }), invoked: true);
        Assert.Equal(Tier.Local, routed!.Tier);
        Assert.Equal(0, _fallback.Calls);
    }

    [Fact]
    public async Task AnUnsureLocalAnswerEscalatesAfterTheLocalOneRan()
    {
        var unsure = new ScriptedModel("small", "local_answer", -2.5, TimeSpan.FromMilliseconds(20));
        var routed = await RouteAsync(RoutingTestKit.Options(routing: r => r with { MinConfidence = Math.Exp(-1.0) }), local: unsure);
        Assert.Equal(Tier.Fallback, routed!.Tier);
        Assert.Equal(1, unsure.Calls);
        Assert.Equal(1, _statistics.Escalations["unsure"]);
    }

    [Fact]
    public async Task AnEmptyLocalAnswerEscalates()
    {
        var empty = new ScriptedModel("small", "", -0.1, TimeSpan.FromMilliseconds(20));
        var routed = await RouteAsync(RoutingTestKit.Options(), local: empty);
        Assert.Equal(Tier.Fallback, routed!.Tier);
        Assert.Equal(1, _statistics.Escalations["emptyLocal"]);
    }

    [Fact]
    public async Task WithNoFallbackConfiguredEveryReasonAnswersLocally()
    {
        var options = RoutingTestKit.Options(FallbackKind.None);
        var empty = new ScriptedModel("small", "", -9, TimeSpan.FromMilliseconds(5));
        Assert.Equal(Tier.Local, (await RouteAsync(options, invoked: true))!.Tier);
        Assert.Equal(Tier.Local, (await RouteAsync(options, startsBlock: true))!.Tier);
        Assert.Equal(Tier.Local, (await RouteAsync(options, local: empty))!.Tier);
        Assert.Equal(0, _fallback.Calls);
        Assert.Equal(0, _statistics.FallbackCalls);
        Assert.All(_statistics.Escalations.Values, count => Assert.Equal(0, count));
    }

    [Fact]
    public async Task WithNoFallbackAnUnsureAutomaticRequestAbstainsAndAnExplicitOneShowsTheAnswer()
    {
        var options = RoutingTestKit.Options(FallbackKind.None, routing: r => r with { MinConfidence = Math.Exp(-1.0), EscalateOnInvoke = false });
        var unsure = new ScriptedModel("small", "local_answer", -2.5, TimeSpan.FromMilliseconds(5));
        var automatic = await RouteAsync(options, local: unsure);
        Assert.Equal(Tier.Local, automatic!.Tier);
        Assert.Equal(string.Empty, automatic.Answer.Text);
        Assert.True(automatic.Answer.Abstained);

        var invoked = await RouteAsync(options, invoked: true, local: unsure);
        Assert.Equal("local_answer", invoked!.Answer.Text);
        Assert.False(invoked.Answer.Abstained);

        var sure = new ScriptedModel("small", "local_answer", -0.5, TimeSpan.FromMilliseconds(5));
        var confident = await RouteAsync(options, local: sure);
        Assert.Equal("local_answer", confident!.Answer.Text);
        Assert.False(confident.Answer.Abstained);
        Assert.Equal(0, _fallback.Calls);
    }

    [Fact]
    public async Task AFallbackSlowerThanTheDeadlineGivesTheLocalAnswerAtTheDeadline()
    {
        var time = new FakeTimeProvider();
        var local = new ScriptedModel("small", "local_answer", -0.2, TimeSpan.FromMilliseconds(20), time);
        _fallback = new ScriptedModel("large", "fallback_answer", -0.1, TimeSpan.FromSeconds(5), time);
        var router = new ModelRouter(new FixedLocalTier(local), _provider, _statistics, NullLogger<ModelRouter>.Instance, time);
        var started = time.GetUtcNow();
        var routing = router.RouteAsync(new RouteRequest(Invoked: true, StartsBlock: false, RoutingTestKit.Options(deadlineMs: 300)), RoutingTestKit.Attempt, CancellationToken.None);
        var routed = await RunOnFakeTimeAsync(time, routing, () => local.Calls == 1 && _fallback.Calls == 1);
        Assert.Equal(Tier.Local, routed!.Tier);
        Assert.Equal("local_answer", routed.Answer.Text);

        // Answered at the deadline on the simulated clock (give or take the 5 ms steps), not after the fallback's 5 s.
        Assert.InRange((time.GetUtcNow() - started).TotalMilliseconds, 300, 350);
        Assert.Equal(1, _statistics.FallbackLate);
        Assert.Equal(0, _statistics.FallbackUsed);
    }

    /// <summary>
    /// Waits (in real time) until <paramref name="started"/> says both tiers are running, then moves <paramref name="time"/>
    /// on in 5 ms steps until <paramref name="work"/> is done (at most a simulated minute).
    /// </summary>
    private static async Task<T> RunOnFakeTimeAsync<T>(FakeTimeProvider time, Task<T> work, Func<bool> started)
    {
        for (var i = 0; i < 500 && !started(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(started(), "the tiers never started");
        for (var step = 0; step < 12_000 && !work.IsCompleted; step++)
        {
            // Let the work reach its next wait before time moves.
            await Task.Delay(1);
            if (!work.IsCompleted)
            {
                time.Advance(TimeSpan.FromMilliseconds(5));
            }
        }

        return await work;
    }

    [Fact]
    public async Task AFallbackFasterThanTheDeadlineIsUsedEvenWhenTheLocalOneIsSlower()
    {
        var time = new FakeTimeProvider();
        var slowLocal = new ScriptedModel("small", "local_answer", -0.1, TimeSpan.FromSeconds(5), time);
        _fallback = new ScriptedModel("large", "fallback_answer", -0.1, TimeSpan.FromMilliseconds(200), time);
        var router = new ModelRouter(new FixedLocalTier(slowLocal), _provider, _statistics, NullLogger<ModelRouter>.Instance, time);
        var started = time.GetUtcNow();
        var routing = router.RouteAsync(new RouteRequest(Invoked: true, StartsBlock: false, RoutingTestKit.Options(deadlineMs: 3000)), RoutingTestKit.Attempt, CancellationToken.None);
        var routed = await RunOnFakeTimeAsync(time, routing, () => slowLocal.Calls == 1 && _fallback.Calls == 1);
        Assert.Equal(Tier.Fallback, routed!.Tier);

        // When the fallback answered on the simulated clock: not at the deadline, not after the local model's 5 s.
        // (The fake clock moves in 5 ms steps while the work runs; a loaded machine lets it run a few steps late.)
        Assert.InRange((time.GetUtcNow() - started).TotalMilliseconds, 200, 1000);

        // The local decode is no longer wanted and is cancelled.
        for (var i = 0; i < 100 && slowLocal.Cancelled == 0; i++)
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, slowLocal.Cancelled);
    }

    [Fact]
    public async Task AnUnsureAutomaticEscalationWhoseFallbackIsLateShowsNothingAsWithoutAFallback()
    {
        _fallback = new ScriptedModel("large", "fallback_answer", -0.1, TimeSpan.FromSeconds(5));
        var unsure = new ScriptedModel("small", "local_answer", -3, TimeSpan.FromMilliseconds(5));
        var routed = await RouteAsync(RoutingTestKit.Options(deadlineMs: 200), local: unsure);
        Assert.Equal(Tier.Local, routed!.Tier);
        Assert.Equal(1, _statistics.FallbackLate);
        Assert.Equal(1, _statistics.Escalations["unsure"]);
        Assert.Equal(string.Empty, routed.Answer.Text);
        Assert.True(routed.Answer.Abstained);
    }

    [Fact]
    public async Task AnUnsureAutomaticEscalationWhoseFallbackFailsShowsNothingAndAConfidentAnswerStays()
    {
        using var provider = new FallbackModelProvider(NullLoggerFactory.Instance, _ => throw new InvalidOperationException("down"));
        var unsure = new ScriptedModel("small", "local_answer", -3, TimeSpan.FromMilliseconds(5));
        var router = new ModelRouter(new FixedLocalTier(unsure), provider, _statistics, NullLogger<ModelRouter>.Instance);
        var options = RoutingTestKit.Options(routing: r => r with { EscalateOnInvoke = false });
        var automatic = await router.RouteAsync(new RouteRequest(false, false, options), RoutingTestKit.Attempt, CancellationToken.None);
        Assert.Equal(Tier.Local, automatic!.Tier);
        Assert.Equal(1, _statistics.FallbackFailed);
        Assert.Equal(string.Empty, automatic.Answer.Text);
        Assert.True(automatic.Answer.Abstained);

        // An explicit request shows the local answer however unsure; a confident one never asked.
        var invoked = await router.RouteAsync(new RouteRequest(true, false, options), RoutingTestKit.Attempt, CancellationToken.None);
        Assert.Equal("local_answer", invoked!.Answer.Text);
        Assert.False(invoked.Answer.Abstained);
        var failed = _statistics.FallbackFailed;
        var sure = new ModelRouter(new FixedLocalTier(_local), provider, _statistics, NullLogger<ModelRouter>.Instance);
        var confident = await sure.RouteAsync(new RouteRequest(false, false, options), RoutingTestKit.Attempt, CancellationToken.None);
        Assert.Equal("local_answer", confident!.Answer.Text);
        Assert.Equal(failed, _statistics.FallbackFailed);
    }

    [Fact]
    public async Task AFailingFallbackGivesTheLocalAnswerAndOneWarningForTheOutage()
    {
        var logs = new RecordingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        using var provider = new FallbackModelProvider(factory, _ => throw new InvalidOperationException("boom"));
        var router = new ModelRouter(new FixedLocalTier(_local), provider, _statistics, factory.CreateLogger<ModelRouter>());
        var request = new RouteRequest(true, false, RoutingTestKit.Options());
        for (var i = 0; i < 3; i++)
        {
            var routed = await router.RouteAsync(request, RoutingTestKit.Attempt, CancellationToken.None);
            Assert.Equal(Tier.Local, routed!.Tier);
        }

        Assert.Equal(3, _statistics.FallbackFailed);
        Assert.Equal(3, _statistics.Failures["unavailable"]);
        // One for the settings that cannot make a fallback, one for the outage; none per request.
        Assert.Equal(2, logs.Warnings.Count);
        Assert.Single(logs.Warnings, w => w.Contains("not usable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ASupersededRequestCancelsBothTiers()
    {
        _fallback = new ScriptedModel("large", "fallback_answer", -0.1, TimeSpan.FromSeconds(10));
        var slowLocal = new ScriptedModel("small", "local_answer", -0.1, TimeSpan.FromSeconds(10));
        using var superseded = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RouteAsync(RoutingTestKit.Options(deadlineMs: 5000), invoked: true, local: slowLocal, cancellationToken: superseded.Token));
        for (var i = 0; i < 100 && (_fallback.Cancelled == 0 || slowLocal.Cancelled == 0); i++)
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, _fallback.Cancelled);
        Assert.Equal(1, slowLocal.Cancelled);
    }

    [Fact]
    public void EscalationPolicyNamesEachReason()
    {
        var routing = new RoutingOptions { MinConfidence = Math.Exp(-1) };
        Assert.Equal(EscalationReason.Invoked, EscalationPolicy.BeforeLocal(routing, invoked: true, startsBlock: true));
        Assert.Equal(EscalationReason.BlockStart, EscalationPolicy.BeforeLocal(routing, invoked: false, startsBlock: true));
        Assert.Null(EscalationPolicy.BeforeLocal(routing, invoked: false, startsBlock: false));
        Assert.Equal(EscalationReason.EmptyLocal, EscalationPolicy.AfterLocal(routing, "", -0.1));
        Assert.Equal(EscalationReason.Unsure, EscalationPolicy.AfterLocal(routing, "x", -1.5));
        Assert.Null(EscalationPolicy.AfterLocal(routing, "x", -0.5));
        Assert.Null(EscalationPolicy.AfterLocal(routing, "x", double.NaN));
    }
}
