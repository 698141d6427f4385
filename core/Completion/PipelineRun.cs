namespace CodeAssist.Server.Completion;

/// <summary>Which stages and tiers one run through the pipeline after the document uses.</summary>
/// <param name="UseCache">Answer from the cache and typed-through, remember the answer and the prompt's anchor.</param>
/// <param name="LocalTier">Offer the local model to the router; without it the router answers from the fallback tier alone.</param>
/// <param name="Checks">Silence in comments and strings, and the check stage (<see cref="CandidateCheck"/>); evaluation turns them off to measure what they change.</param>
/// <param name="Workspace">The context stage's workspace sources (<see cref="Context.WorkspaceContext"/>): the document is in the store.</param>
internal readonly record struct PipelineRun(bool UseCache, bool LocalTier, bool Checks = true, bool Workspace = true)
{
    /// <summary>An editor's request: every stage, both tiers.</summary>
    public static PipelineRun Editor { get; } = new(UseCache: true, LocalTier: true);
}
