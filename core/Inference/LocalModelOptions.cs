using CodeAssist.Server.Prompting;

namespace CodeAssist.Server.Inference;

/// <summary>How to load and run a local GGUF model.</summary>
public sealed record LocalModelOptions
{
    /// <summary>Tokens the context holds (prompt plus generation).</summary>
    public int ContextSize { get; init; } = 2048;

    /// <summary>
    /// Most candidates one request may ask for (<see cref="CompletionRequest.Candidates"/>): above 1 the context gets a
    /// unified KV cache with that many sequences and <c>(Candidates − 1) × MaxTokens</c> cells beyond <see cref="ContextSize"/>.
    /// </summary>
    public int Candidates { get; init; } = 1;

    /// <summary>Cells each branch gets at least, whatever <see cref="MaxTokens"/> says: room for the samples of a code action.</summary>
    public const int MinBranchCells = 128;

    /// <summary>Most tokens one candidate generates (sizes the cells of the branches, at least <see cref="MinBranchCells"/> each).</summary>
    public int MaxTokens { get; init; } = 64;

    /// <summary>CPU threads for decoding; null means half the logical processors, at least one.</summary>
    public int? Threads { get; init; }

    /// <summary>Forces a FIM order for families that support both (our own models, StarCoder).</summary>
    public FimOrder? FimOrder { get; init; }

    /// <summary>Keep the KV cache between requests (off only for benchmarks that measure its value).</summary>
    public bool ReuseKvCache { get; init; } = true;

    /// <summary>Where the model counts its work (shared across model swaps); null: not counted.</summary>
    public InferenceStatistics? Statistics { get; init; }

    /// <summary>What the model's self-test answered in the child process that checked the file (<see cref="ModelPreflight"/>); null: none ran.</summary>
    public SelfTestResult? SelfTest { get; init; }

    /// <summary>The thread count used when none is configured.</summary>
    public static int DefaultThreads => Math.Max(1, Environment.ProcessorCount / 2);
}
