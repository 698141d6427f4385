using CodeAssist.Server.Inference;

namespace CodeAssist.Server.Routing;

/// <summary>One tier's post-processed answer: the text to insert, what the model generated, and which model it was.</summary>
public sealed record TierAnswer(string Text, ModelCompletion Generation, ModelDescription Model)
{
    /// <summary>Why the checks rejected the tier's candidate (its text is then empty for automatic requests); null when it passed.</summary>
    public string? Rejection { get; init; }
}
