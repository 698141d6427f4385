namespace CodeAssist.Server.Protocol;

/// <summary>The result of <c>codeAssist/stats</c>: what the completion pipeline and the router did since the server started.</summary>
public sealed record StatsResult
{
    /// <summary>Completion requests received.</summary>
    public required long Requests { get; init; }

    /// <summary>Requests answered from the cache.</summary>
    public required long CacheHits { get; init; }

    /// <summary>Requests answered by typing through the shown suggestion.</summary>
    public required long TypedThrough { get; init; }

    /// <summary>Suggestions accepted.</summary>
    public required long Accepted { get; init; }

    /// <summary>Requests cancelled or superseded.</summary>
    public required long Cancelled { get; init; }

    /// <summary>Automatic requests in a comment or string: nothing shown, no model asked.</summary>
    public required long Silenced { get; init; }

    /// <summary>Answers the checks rejected (not Python where they would go): nothing shown, or the fallback asked.</summary>
    public required long Rejected { get; init; }

    /// <summary>Automatic requests the local tier was unsure of (the model gave the suggestion's start less than <c>routing.minConfidence</c>) with no fallback to ask: nothing shown.</summary>
    public required long Abstained { get; init; }

    /// <summary>Answers that were the valid start of a candidate the checks rejected, no candidate having passed whole.</summary>
    public required long Derived { get; init; }

    /// <summary>Answers that were an import the document lacks, from the workspace's modules (no model asked).</summary>
    public required long MissingImports { get; init; }

    /// <summary>Candidates the models proposed (the local model proposes up to <c>candidates</c> per request).</summary>
    public required long Candidates { get; init; }

    /// <summary>Candidates the checks rejected, by check: syntax, names, repetition (a cut-off line that loops).</summary>
    public required IReadOnlyDictionary<string, long> RejectedBy { get; init; }

    /// <summary>Per tier ("local", "fallback"): calls, answers and latency.</summary>
    public required IReadOnlyDictionary<string, TierStats> Tiers { get; init; }

    /// <summary>
    /// Per tier ("local", "fallback", both always present) and model id: suggestions shown and accepted. Cached and
    /// typed-through answers count for the model that wrote them; an accepted command counts here only when its request
    /// id is one of the last 256 shown (every one counts in <see cref="Accepted"/>).
    /// </summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, SuggestionStats>> Suggestions { get; init; }

    /// <summary>Escalations by reason: invoked, blockStart, unsure, emptyLocal.</summary>
    public required IReadOnlyDictionary<string, long> Escalations { get; init; }

    /// <summary>The fallback tier's outcomes.</summary>
    public required FallbackStats Fallback { get; init; }

    /// <summary>The local models' decoding work (all models loaded since start).</summary>
    public required InferenceStats Inference { get; init; }

    /// <summary>Code actions, routed on their own policy (the fallback first): counted apart from completions.</summary>
    public required CodeActionStats CodeActions { get; init; }

    /// <summary>The workspace context: what is indexed and what the copy model took from it.</summary>
    public required WorkspaceStats Workspace { get; init; }
}

/// <summary>The workspace part of codeAssist/stats.</summary>
public sealed record WorkspaceStats
{
    /// <summary>Python files listed in the workspace folders.</summary>
    public required int Files { get; init; }

    /// <summary>Modules read (and cached) because a document imports from them.</summary>
    public required int ModulesRead { get; init; }

    /// <summary>Characters of module text behind the cached surfaces.</summary>
    public required long CachedChars { get; init; }

    /// <summary>Open documents whose imports have been read.</summary>
    public required int DocumentsWithImports { get; init; }

    /// <summary>Per copy source (file, imports, edits, workspace): tokens the copy model took from it where the model alone chose another.</summary>
    public required IReadOnlyDictionary<string, long> CopyHits { get; init; }

    /// <summary>Snippets of imported definitions put in front of prompts, local and fallback, completions and code actions (<c>context.promptSnippets</c>).</summary>
    public required long Snippets { get; init; }

    /// <summary>Files in the copy model's index of the workspace (0 before it is built).</summary>
    public required int IndexedFiles { get; init; }

    /// <summary>Tokens in that index.</summary>
    public required long IndexedTokens { get; init; }

    /// <summary>Bytes that index holds.</summary>
    public required long IndexBytes { get; init; }

    /// <summary>Milliseconds the last build of the index took (in the background).</summary>
    public required double IndexBuildMs { get; init; }
}

/// <summary>What the router did for code actions: per tier calls, answers and latency, and how the fallback fared.</summary>
public sealed record CodeActionStats
{
    /// <summary>Per tier ("local", "fallback"): calls, answers and latency.</summary>
    public required IReadOnlyDictionary<string, TierStats> Tiers { get; init; }

    /// <summary>Code actions the fallback wrote within <c>routing.codeActionDeadlineMs</c>.</summary>
    public required long Used { get; init; }

    /// <summary>Code actions written locally because the fallback missed the deadline.</summary>
    public required long Late { get; init; }

    /// <summary>Code actions written locally because the fallback failed or wrote nothing usable.</summary>
    public required long Failed { get; init; }

    /// <summary>Fallback failures by reason, as in <see cref="FallbackStats.Failures"/>.</summary>
    public required IReadOnlyDictionary<string, long> Failures { get; init; }
}

/// <summary>What the local models decoded: generations started, prompt tokens evaluated and reused, queue depth.</summary>
public sealed record InferenceStats
{
    /// <summary>Generations that started decoding.</summary>
    public required long DecodesStarted { get; init; }

    /// <summary>Generations cancelled or superseded after they started.</summary>
    public required long DecodesCancelled { get; init; }

    /// <summary>Prompt tokens of the generations that started.</summary>
    public required long PromptTokens { get; init; }

    /// <summary>Prompt tokens decoded (not found in the KV cache).</summary>
    public required long PromptTokensEvaluated { get; init; }

    /// <summary>Prompt tokens reused from the KV cache.</summary>
    public required long ReusedTokens { get; init; }

    /// <summary>Tokens generated.</summary>
    public required long GeneratedTokens { get; init; }

    /// <summary>Requests waiting or running on the local model's worker now.</summary>
    public required int Pending { get; init; }

    /// <summary>The most requests ever waiting or running on one worker at once.</summary>
    public required int MaxPending { get; init; }
}

/// <summary>One tier's figures; latency percentiles are over successful calls (null before the first).</summary>
public sealed record TierStats
{
    public required long Calls { get; init; }

    public required long Answers { get; init; }

    public double? P50Ms { get; init; }

    public double? P95Ms { get; init; }
}

/// <summary>One model's suggestions in one tier: how many the editor was shown, how many of those were accepted.</summary>
public sealed record SuggestionStats
{
    /// <summary>Non-empty suggestions returned to the editor.</summary>
    public required long Shown { get; init; }

    /// <summary>Of those, the ones whose accepted command arrived (at most once each).</summary>
    public required long Accepted { get; init; }
}

/// <summary>What happened to escalations, and the state of the fallback.</summary>
public sealed record FallbackStats
{
    /// <summary>The configured kind: none, local, openai, llamacpp, ollama.</summary>
    public required string Kind { get; init; }

    /// <summary>Fallback answers that arrived within the deadline and were shown.</summary>
    public required long Used { get; init; }

    /// <summary>Escalations answered locally because the fallback missed the deadline.</summary>
    public required long Late { get; init; }

    /// <summary>Escalations answered locally because the fallback failed or answered nothing before the deadline.</summary>
    public required long Failed { get; init; }

    /// <summary>Fallback failures by reason (timeout, connection, http-NNN, bad-reply, too-large, breaker-open, empty, …), late ones included.</summary>
    public required IReadOnlyDictionary<string, long> Failures { get; init; }

    /// <summary>The remote breaker: closed, open, halfOpen; none for a local or no fallback.</summary>
    public required string Breaker { get; init; }
}
