using CodeAssist.Server.Inference;

namespace CodeAssist.Server.Routing;

/// <summary>One tier's post-processed answer: the text to insert, what the model generated, and which model it was.</summary>
public sealed record TierAnswer(string Text, ModelCompletion Generation, ModelDescription Model)
{
    /// <summary>Why the checks rejected the tier's candidate (its text is then empty for automatic requests); null when it passed.</summary>
    public string? Rejection { get; init; }

    /// <summary>
    /// Whether the answer is the valid start of a candidate the checks rejected, no candidate having passed whole: shown
    /// when no fallback exists (and the start is sure enough), else the fallback is asked (reason <c>rejected</c>).
    /// </summary>
    public bool Derived { get; init; }

    /// <summary>Whether the router withheld the answer: an automatic request the local tier was unsure of, with no fallback to ask.</summary>
    public bool Abstained { get; init; }

    /// <summary>How many candidates the model proposed (1 for models that make one).</summary>
    public int Candidates { get; init; } = 1;

    /// <summary>The other candidates that passed the checks, best first, each different from the answer and from one another (code actions offer them).</summary>
    public IReadOnlyList<string> Alternatives { get; init; } = [];

    /// <summary>The check that rejected each rejected candidate ("syntax", "names", …), one entry per candidate.</summary>
    public IReadOnlyList<string> RejectedBy { get; init; } = [];
}
