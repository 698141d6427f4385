using System.Diagnostics;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Context;
using CodeAssist.Server.Documents;

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
public sealed class EvaluationPipeline(CompletionService completions, DocumentStore documents, WorkspaceContext workspace)
{
    private int _nextVersion;

    /// <summary>
    /// Completes at <paramref name="cursorOffset"/> of <paramref name="text"/> as the open document <paramref name="path"/>
    /// of the workspace (<see cref="WorkspaceFiles.SetFolders"/>): its imports are read first, as they would be while the
    /// user works in the file, and the document is closed after. The open document replaces the file on disk.
    /// </summary>
    public async Task<CompletionResult> CompleteInWorkspaceAsync(
        string pointId, string path, string text, int cursorOffset, CodeAssistOptions options, EvaluationTiers tiers, CancellationToken cancellationToken, bool checks = true)
    {
        var uri = new Uri(Path.GetFullPath(path)).AbsoluteUri;
        documents.Open(uri, "python", Interlocked.Increment(ref _nextVersion), text);
        try
        {
            _ = workspace.SourcesFor(uri, cursorOffset, options.Context);
            await workspace.ImportsReadAsync(uri).ConfigureAwait(false);
            var windowChars = options.ContextSize * 8;
            var prefix = text[Math.Max(0, cursorOffset - windowChars)..cursorOffset];
            var suffix = text[cursorOffset..Math.Min(text.Length, cursorOffset + (windowChars / 3))];
            return await completions.CompleteTextAsync(
                $"eval-{pointId}",
                new CursorText(uri, cursorOffset, prefix, suffix),
                invoked: false,
                options with { DebounceMs = 0 },
                Stopwatch.StartNew(),
                new PipelineRun(UseCache: false, LocalTier: tiers == EvaluationTiers.Routed, Checks: checks),
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            documents.Close(uri);
            workspace.Forget(uri);
        }
    }

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
            new PipelineRun(UseCache: false, LocalTier: tiers == EvaluationTiers.Routed, Checks: checks, Workspace: false),
            cancellationToken);
}
