using CodeAssist.Server.Completion;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Context;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Remote;
using CodeAssist.Server.Models;
using CodeAssist.Server.Protocol;
using CodeAssist.Server.Routing;
using Microsoft.Extensions.DependencyInjection;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp.Handlers;

/// <summary>codeAssist/stats: the pipeline's and the router's counters (documented in README).</summary>
public sealed class StatsHandler(
    ServerLifecycle lifecycle,
    CompletionStatistics completions,
    RoutingStatistics routing,
    [FromKeyedServices(RoutingStatistics.CodeActionsKey)] RoutingStatistics codeActions,
    FallbackModelProvider fallback,
    SettingsStore settings,
    InferenceStatistics inference,
    ModelManager models,
    WorkspaceFiles workspaceFiles,
    WorkspaceContext workspace)
{
    /// <summary>Answers with a snapshot of the counters; like every request, only between initialize and shutdown.</summary>
    [JsonRpcMethod(CodeAssistMethods.Stats)]
    public StatsResult Stats()
    {
        lifecycle.ThrowIfNotServing();
        return new StatsResult
        {
            Requests = completions.Requests,
            CacheHits = completions.CacheHits,
            TypedThrough = completions.TypedThrough,
            Accepted = completions.Accepted,
            Cancelled = completions.Cancelled,
            Silenced = completions.Silenced,
            Rejected = completions.Rejected,
            Abstained = completions.Abstained,
            Derived = completions.Derived,
            MissingImports = completions.MissingImports,
            Candidates = completions.Candidates,
            RejectedBy = completions.RejectedBy,
            Tiers = PerTier(routing),
            Suggestions = PerModel(completions.Suggestions),
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
            CodeActions = new CodeActionStats
            {
                Tiers = PerTier(codeActions),
                Used = codeActions.FallbackUsed,
                Late = codeActions.FallbackLate,
                Failed = codeActions.FallbackFailed,
                Failures = codeActions.Failures,
            },
            Workspace = new WorkspaceStats
            {
                Files = workspaceFiles.FileCount,
                ModulesRead = workspaceFiles.ModulesRead,
                CachedChars = workspaceFiles.CachedChars,
                DocumentsWithImports = workspace.DocumentsWithImports,
                CopyHits = inference.CopyHits,
                Snippets = inference.Snippets,
                IndexedFiles = inference.Index?.Files ?? 0,
                IndexedTokens = inference.Index?.Tokens ?? 0,
                IndexBytes = inference.Index?.Bytes ?? 0,
                IndexBuildMs = inference.Index?.BuildTime.TotalMilliseconds ?? 0,
            },
        };
    }

    private static Dictionary<string, TierStats> PerTier(RoutingStatistics statistics) => new(StringComparer.Ordinal)
    {
        [Tiers.Name(Tier.Local)] = Figures(statistics, Tier.Local, statistics.LocalCalls, statistics.LocalAnswers),
        [Tiers.Name(Tier.Fallback)] = Figures(statistics, Tier.Fallback, statistics.FallbackCalls, statistics.FallbackAnswers),
    };

    private static Dictionary<string, IReadOnlyDictionary<string, SuggestionStats>> PerModel(IReadOnlyDictionary<SuggestionOrigin, SuggestionCounts> counts)
    {
        var perTier = new Dictionary<string, IReadOnlyDictionary<string, SuggestionStats>>(StringComparer.Ordinal);
        foreach (var tier in Enum.GetValues<Tier>())
        {
            perTier[Tiers.Name(tier)] = counts
                .Where(pair => pair.Key.Tier == tier)
                .ToDictionary(pair => pair.Key.Model, pair => new SuggestionStats { Shown = pair.Value.Shown, Accepted = pair.Value.Accepted }, StringComparer.Ordinal);
        }

        return perTier;
    }

    private static TierStats Figures(RoutingStatistics statistics, Tier tier, long calls, long answers)
    {
        var latency = statistics.Latency(tier);
        return new TierStats { Calls = calls, Answers = answers, P50Ms = latency?.P50, P95Ms = latency?.P95 };
    }
}
