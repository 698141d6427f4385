using CodeAssist.Server.Completion;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Remote;
using CodeAssist.Server.Models;
using CodeAssist.Server.Protocol;
using CodeAssist.Server.Routing;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp.Handlers;

/// <summary>codeAssist/stats: the pipeline's and the router's counters (documented in README).</summary>
public sealed class StatsHandler(
    CompletionStatistics completions, RoutingStatistics routing, FallbackModelProvider fallback, SettingsStore settings, InferenceStatistics inference, ModelManager models)
{
    /// <summary>Answers with a snapshot of the counters.</summary>
    [JsonRpcMethod(CodeAssistMethods.Stats)]
    public StatsResult Stats()
    {
        return new StatsResult
        {
            Requests = completions.Requests,
            CacheHits = completions.CacheHits,
            TypedThrough = completions.TypedThrough,
            Accepted = completions.Accepted,
            Cancelled = completions.Cancelled,
            Tiers = new Dictionary<string, TierStats>(StringComparer.Ordinal)
            {
                [RoutingStatistics.LocalTier] = Tier(RoutingStatistics.LocalTier, routing.LocalCalls, routing.LocalAnswers),
                [RoutingStatistics.FallbackTier] = Tier(RoutingStatistics.FallbackTier, routing.FallbackCalls, routing.FallbackAnswers),
            },
            Escalations = routing.Escalations,
            Fallback = new FallbackStats
            {
                Kind = FallbackOptions.KindName(settings.Current.Fallback.Kind),
                Used = routing.FallbackUsed,
                Late = routing.FallbackLate,
                Failed = routing.FallbackFailed,
                Failures = routing.Failures,
                Breaker = fallback.BreakerState switch
                {
                    RemoteBreakerState.Closed => "closed",
                    RemoteBreakerState.Open => "open",
                    RemoteBreakerState.HalfOpen => "halfOpen",
                    _ => "none",
                },
            },
            Inference = new InferenceStats
            {
                DecodesStarted = inference.DecodesStarted,
                DecodesCancelled = inference.DecodesCancelled,
                PromptTokens = inference.PromptTokens,
                PromptTokensEvaluated = inference.PromptTokensEvaluated,
                ReusedTokens = inference.ReusedTokens,
                GeneratedTokens = inference.GeneratedTokens,
                Pending = models.Current?.PendingRequests ?? 0,
                MaxPending = inference.MaxPending,
            },
        };
    }

    private TierStats Tier(string tier, long calls, long answers)
    {
        var latency = routing.Latency(tier);
        return new TierStats { Calls = calls, Answers = answers, P50Ms = latency?.P50, P95Ms = latency?.P95 };
    }
}
