using CodeAssist.Server.Inference;

namespace CodeAssist.Server.Completion;

/// <summary>What the pipeline answers: the text to insert at the cursor (empty for nothing) and how it was made.</summary>
public sealed record CompletionResult(
    string RequestId,
    string Text,
    string Model,
    string Tier,
    string Source,
    double MeanLogprob,
    TimeSpan Latency,
    ModelCompletion? Generation)
{
    /// <summary>An empty answer.</summary>
    public static CompletionResult Nothing(string requestId, string reason, TimeSpan latency) =>
        new(requestId, string.Empty, string.Empty, "none", reason, 0, latency, null);
}
