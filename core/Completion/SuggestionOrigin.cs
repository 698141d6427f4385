using CodeAssist.Server.Routing;

namespace CodeAssist.Server.Completion;

/// <summary>Which tier and which model (its <see cref="Inference.ModelDescription.Id"/>) wrote a suggestion.</summary>
public readonly record struct SuggestionOrigin(Tier Tier, string Model);
