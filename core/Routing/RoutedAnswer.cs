using CodeAssist.Server.Inference;

namespace CodeAssist.Server.Routing;

/// <summary>The answer the router chose and the tier that made it.</summary>
public sealed record RoutedAnswer(TierAnswer Answer, Tier Tier)
{
    /// <summary>The local model the router offered (null when there was none): the cache keys answers by it, whichever tier made them.</summary>
    public ModelDescription? LocalModel { get; init; }
}

/// <summary>What <see cref="ModelRouter.RouteLargerFirstAsync"/> got: the answer (null when no tier answered) and why each tier that did not answer did not.</summary>
public sealed record RouteOutcome(RoutedAnswer? Answer, IReadOnlyList<string> Failures);
