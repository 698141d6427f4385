namespace CodeAssist.Tests.Gguf;

/// <summary>How one model family spells its fill-in-the-middle control tokens; null means the family has no such token.</summary>
/// <param name="Prefix">Begins the code before the cursor (GGUF <c>tokenizer.ggml.fim_pre_token_id</c>).</param>
/// <param name="Suffix">Begins the code after the cursor (<c>fim_suf_token_id</c>).</param>
/// <param name="Middle">Asks for the middle (<c>fim_mid_token_id</c>).</param>
/// <param name="Pad">Padding (<c>fim_pad_token_id</c>).</param>
/// <param name="FileSeparator">Separates files in repository-level prompts (<c>fim_sep_token_id</c>).</param>
/// <param name="RepoName">Precedes a repository name (<c>fim_rep_token_id</c>).</param>
public sealed record FimTokenSet(
    string Prefix,
    string Suffix,
    string Middle,
    string? Pad = null,
    string? FileSeparator = null,
    string? RepoName = null)
{
    /// <summary>StarCoder / StarCoder2 / SantaCoder / Granite spelling.</summary>
    public static FimTokenSet StarCoder { get; } =
        new("<fim_prefix>", "<fim_suffix>", "<fim_middle>", "<fim_pad>", "<file_sep>");

    /// <summary>Qwen2.5-Coder spelling.</summary>
    public static FimTokenSet Qwen { get; } =
        new("<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|fim_pad|>", "<|file_sep|>", "<|repo_name|>");

    /// <summary>CodeLlama spelling (its end-of-infill token <c>&lt;EOT&gt;</c> is not part of the set).</summary>
    public static FimTokenSet CodeLlama { get; } = new("<PRE>", "<SUF>", "<MID>");

    /// <summary>DeepSeek-Coder spelling: begin/hole/end stand for prefix/suffix/middle.</summary>
    public static FimTokenSet DeepSeek { get; } = new("<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>");

    /// <summary>The tokens that exist, in vocabulary order.</summary>
    public IEnumerable<string> All() =>
        new[] { Prefix, Suffix, Middle, Pad, FileSeparator, RepoName }.OfType<string>();
}
