namespace CodeAssist.Server.Inference;

/// <summary>Why a generation ended: one definition for the local and remote tiers, the post-processing and the logs.</summary>
public enum StopReason
{
    /// <summary>The reason is not known (a server that did not say).</summary>
    Unknown,

    /// <summary>The token budget ran out: the text may be cut mid-statement.</summary>
    Length,

    /// <summary>The model ended the text itself (an end-of-text or end-of-middle token; a server's "stop" or "eos").</summary>
    EndToken,

    /// <summary>A stop string was reached.</summary>
    StopSequence,

    /// <summary>The request's own stop condition said the text was long enough (a line or block end).</summary>
    StopCondition,

    /// <summary>The next token was less likely than the confidence cut-off allows.</summary>
    LowConfidence,

    /// <summary>No token could continue the text (token healing found none).</summary>
    NoToken,

    /// <summary>The model's context window filled up.</summary>
    ContextFull,
}

/// <summary>The names of <see cref="StopReason"/> in logs, and the reasons servers give.</summary>
public static class StopReasons
{
    /// <summary>The name in logs: length, end-token, stop-sequence, stop-condition, low-confidence, no-token, context-full, unknown.</summary>
    public static string Name(StopReason reason) => reason switch
    {
        StopReason.Length => "length",
        StopReason.EndToken => "end-token",
        StopReason.StopSequence => "stop-sequence",
        StopReason.StopCondition => "stop-condition",
        StopReason.LowConfidence => "low-confidence",
        StopReason.NoToken => "no-token",
        StopReason.ContextFull => "context-full",
        _ => "unknown",
    };

    /// <summary>
    /// A server's finish reason: OpenAI-compatible and Ollama say "stop" or "length"; llama.cpp's server says "eos",
    /// "limit" or "word" (a stop string).
    /// </summary>
    public static StopReason FromServer(string? reason) => reason switch
    {
        "length" or "limit" => StopReason.Length,
        "stop" or "eos" => StopReason.EndToken,
        "word" => StopReason.StopSequence,
        _ => StopReason.Unknown,
    };
}
