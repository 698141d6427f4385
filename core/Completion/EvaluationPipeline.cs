using System.Diagnostics;
using CodeAssist.Server.Configuration;

namespace CodeAssist.Server.Completion;

/// <summary>Which tiers an evaluated completion may use.</summary>
public enum EvaluationTiers
{
    /// <summary>The local model, escalating to the fallback tier as the router decides: what the editor would show.</summary>
    Routed,

    /// <summary>The fallback tier alone, the local model never used: how a remote model is measured.</summary>
    FallbackOnly,
}

/// <summary>
/// Evaluation's entry into the completion pipeline: a prefix and a suffix go through the same prompt, router, tiers and
/// post-processing as the editor's requests, but never through the cache (no cached or typed-through answers, no prompt
/// anchors) nor the debounce, so every point is generated afresh and no point's answer depends on the one before.
/// </summary>
public sealed class EvaluationPipeline(CompletionService completions)
{
    /// <summary>Completes one point as an automatic (as-you-type) request would be, with <paramref name="options"/>.</summary>
    /// <param name="pointId">Names the point in the logs (<c>eval-ID</c>) and keeps points apart in the prompt anchors.</param>
    /// <param name="prefix">The text before the cursor.</param>
    /// <param name="suffix">The text after the cursor.</param>
    /// <param name="options">The settings to complete with.</param>
    /// <param name="tiers">Which tiers may answer.</param>
    /// <param name="cancellationToken">Cancels the completion (propagates as <see cref="OperationCanceledException"/>).</param>
    /// <param name="checks">Run the silence and check stages (off: what the pipeline showed before them).</param>
    public Task<CompletionResult> CompleteAsync(
        string pointId, string prefix, string suffix, CodeAssistOptions options, EvaluationTiers tiers, CancellationToken cancellationToken, bool checks = true) =>
        completions.CompleteTextAsync(
            $"eval-{pointId}",
            new CursorText($"eval://{pointId}", prefix.Length, prefix, suffix),
            invoked: false,
            options with { DebounceMs = 0 },
            Stopwatch.StartNew(),
            new PipelineRun(UseCache: false, LocalTier: tiers == EvaluationTiers.Routed, Checks: checks),
            cancellationToken);
}
