namespace CodeAssist.Server.Prompting;

/// <summary>The model families whose fill-in-the-middle formats we know.</summary>
public enum FimFamily
{
    /// <summary>No FIM tokens: the prompt is the prefix alone.</summary>
    None,

    /// <summary>CodeAssist's own models: StarCoder tokens, trained in both orders, SPM preferred.</summary>
    CodeAssist,

    /// <summary>StarCoder / StarCoder2: <c>&lt;fim_prefix&gt;P&lt;fim_suffix&gt;S&lt;fim_middle&gt;</c>.</summary>
    StarCoder,

    /// <summary>Qwen2.5-Coder: <c>&lt;|fim_prefix|&gt;P&lt;|fim_suffix|&gt;S&lt;|fim_middle|&gt;</c>.</summary>
    Qwen,

    /// <summary>CodeGemma: Qwen-like markers with a <c>&lt;|file_separator|&gt;</c> stop.</summary>
    CodeGemma,

    /// <summary>DeepSeek-Coder: <c>&lt;｜fim▁begin｜&gt;P&lt;｜fim▁hole｜&gt;S&lt;｜fim▁end｜&gt;</c>.</summary>
    DeepSeek,

    /// <summary>CodeLlama: <c>&lt;PRE&gt; P &lt;SUF&gt;S &lt;MID&gt;</c>.</summary>
    CodeLlama,

    /// <summary>Codestral: <c>[SUFFIX]S[PREFIX]P</c>.</summary>
    Codestral,

    /// <summary>A model that names its FIM tokens in metadata but matches no known family.</summary>
    Generic,
}

/// <summary>Where the suffix goes: after the prefix (PSM) or before it (SPM, which keeps the KV cache while typing).</summary>
public enum FimOrder
{
    /// <summary>Prefix, suffix, middle.</summary>
    Psm,

    /// <summary>Suffix first, then the prefix, then the middle continues it.</summary>
    Spm,
}

/// <summary>One piece of a prompt: either a control token named by its text, or document text tokenized with special parsing off.</summary>
public readonly record struct PromptPart(string Value, bool IsMarker)
{
    /// <summary>A control token, written as its vocabulary text.</summary>
    public static PromptPart Marker(string token) => new(token, true);

    /// <summary>Plain text; never parsed for special tokens.</summary>
    public static PromptPart Text(string text) => new(text, false);
}

/// <summary>A model family's FIM format: how to lay out prefix and suffix, and which tokens end the middle.</summary>
public sealed record FimTemplate(
    FimFamily Family,
    FimOrder Order,
    string? PrefixMarker,
    string? SuffixMarker,
    string? MiddleMarker,
    IReadOnlyList<string> StopMarkers)
{
    /// <summary>The template for a model without FIM: the prefix alone.</summary>
    public static readonly FimTemplate PrefixOnly = new(FimFamily.None, FimOrder.Psm, null, null, null, []);

    /// <summary>
    /// CodeLlama as its GGUFs spell it: <c>▁&lt;PRE&gt;</c>, <c>▁&lt;SUF&gt;</c>, <c>▁&lt;MID&gt;</c>, <c>▁&lt;EOT&gt;</c>
    /// (ids 32007–32010), each with the space before it (Meta's and Hugging Face's tokenizers put BOS, PRE, the prefix
    /// after SentencePiece's leading space, SUF, the suffix without one, MID).
    /// </summary>
    public static readonly FimTemplate CodeLlamaSentencePiece = new(FimFamily.CodeLlama, FimOrder.Psm, "▁<PRE>", "▁<SUF>", "▁<MID>", ["▁<EOT>", "</s>"]);

    /// <summary>True when the template can place the suffix.</summary>
    public bool SupportsFim => Family != FimFamily.None;

    /// <summary>Lays out the prompt for the text before and after the cursor.</summary>
    public IReadOnlyList<PromptPart> Build(string prefix, string suffix)
    {
        switch (Family)
        {
            case FimFamily.None:
                return [PromptPart.Text(prefix)];
            case FimFamily.CodeLlama when PrefixMarker!.StartsWith('▁'):
                // "<PRE> {pre} <SUF>{suf} <MID>" where the spaces before SUF and MID belong to their tokens.
                return
                [
                    PromptPart.Marker(PrefixMarker), PromptPart.Text(" " + prefix),
                    PromptPart.Marker(SuffixMarker!), PromptPart.Text(suffix),
                    PromptPart.Marker(MiddleMarker!),
                ];
            case FimFamily.CodeLlama:
                return
                [
                    PromptPart.Marker(PrefixMarker!), PromptPart.Text(" " + prefix + " "),
                    PromptPart.Marker(SuffixMarker!), PromptPart.Text(suffix + " "),
                    PromptPart.Marker(MiddleMarker!),
                ];
            case FimFamily.Codestral:
                return
                [
                    PromptPart.Marker(SuffixMarker!), PromptPart.Text(suffix),
                    PromptPart.Marker(PrefixMarker!), PromptPart.Text(prefix),
                ];
        }

        if (Order == FimOrder.Spm)
        {
            return
            [
                PromptPart.Marker(PrefixMarker!), PromptPart.Marker(SuffixMarker!), PromptPart.Text(suffix),
                PromptPart.Marker(MiddleMarker!), PromptPart.Text(prefix),
            ];
        }

        return
        [
            PromptPart.Marker(PrefixMarker!), PromptPart.Text(prefix),
            PromptPart.Marker(SuffixMarker!), PromptPart.Text(suffix),
            PromptPart.Marker(MiddleMarker!),
        ];
    }

    /// <summary>
    /// The prompt as one string with markers written out (for servers that take raw prompts). The server tokenizes it
    /// with special tokens on, so the family's control texts (markers and stop tokens) are stripped from the document
    /// text first: a file that spells <c>&lt;|fim_middle|&gt;</c> cannot end the prompt early.
    /// </summary>
    public string Render(string prefix, string suffix) => FimPrompt.Render(this, prefix, suffix, snippets: null, repositoryFormat: false);

    /// <summary><paramref name="text"/> without any of the family's control texts, its repository format's included (again until none is left: removing one may join another).</summary>
    public string WithoutControlTexts(string text)
    {
        string?[] markers = [PrefixMarker, SuffixMarker, MiddleMarker, RepoMarkers?.RepoName, RepoMarkers?.FileSeparator];
        var controls = markers.OfType<string>().Concat(StopMarkers).Where(c => c.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var changed = true;
        while (changed)
        {
            changed = false;
            foreach (var control in controls)
            {
                if (text.Contains(control, StringComparison.Ordinal))
                {
                    text = text.Replace(control, string.Empty, StringComparison.Ordinal);
                    changed = true;
                }
            }
        }

        return text;
    }

    /// <summary>
    /// The control tokens of the family's repository format (the repository's name, then each file after a separator),
    /// or null for families trained without one: Qwen2.5-Coder's <c>&lt;|repo_name|&gt;</c> and <c>&lt;|file_sep|&gt;</c>,
    /// StarCoder2's <c>&lt;repo_name&gt;</c> and <c>&lt;file_sep&gt;</c>.
    /// </summary>
    public (string RepoName, string FileSeparator)? RepoMarkers => Family switch
    {
        FimFamily.Qwen => ("<|repo_name|>", "<|file_sep|>"),
        FimFamily.StarCoder => ("<repo_name>", "<file_sep>"),
        _ => null,
    };

    /// <summary>The known templates, keyed by family.</summary>
    public static FimTemplate ForFamily(FimFamily family, FimOrder? order = null) => family switch
    {
        FimFamily.None => PrefixOnly,
        FimFamily.CodeAssist => new(family, order ?? FimOrder.Spm, "<fim_prefix>", "<fim_suffix>", "<fim_middle>",
            ["<|endoftext|>", "<fim_pad>", "<file_sep>", "<fim_prefix>", "<fim_suffix>", "<fim_middle>"]),
        FimFamily.StarCoder => new(family, order ?? FimOrder.Psm, "<fim_prefix>", "<fim_suffix>", "<fim_middle>",
            ["<|endoftext|>", "<fim_pad>", "<file_sep>", "<fim_prefix>", "<fim_suffix>", "<fim_middle>"]),
        FimFamily.Qwen => new(family, FimOrder.Psm, "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>",
            ["<|endoftext|>", "<|fim_pad|>", "<|file_sep|>", "<|repo_name|>", "<|im_end|>", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"]),
        FimFamily.CodeGemma => new(family, FimOrder.Psm, "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>",
            ["<|file_separator|>", "<eos>", "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"]),
        FimFamily.DeepSeek => new(family, FimOrder.Psm, "<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>",
            ["<｜end▁of▁sentence｜>", "<|EOT|>", "<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>"]),
        FimFamily.CodeLlama => new(family, FimOrder.Psm, "<PRE>", "<SUF>", "<MID>", ["<EOT>", "</s>"]),
        FimFamily.Codestral => new(family, FimOrder.Spm, "[PREFIX]", "[SUFFIX]", null, ["</s>", "[PREFIX]", "[SUFFIX]"]),
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "a generic template is built from the model's own tokens"),
    };

    /// <summary>Parses a family name as written in settings ("qwen", "starcoder", …); null when unknown.</summary>
    public static FimFamily? ParseFamily(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "none" or "prefix" => FimFamily.None,
        "codeassist" => FimFamily.CodeAssist,
        "starcoder" or "starcoder2" => FimFamily.StarCoder,
        "qwen" or "qwen2.5-coder" or "qwen25" => FimFamily.Qwen,
        "codegemma" or "gemma" => FimFamily.CodeGemma,
        "deepseek" or "deepseek-coder" => FimFamily.DeepSeek,
        "codellama" or "llama" => FimFamily.CodeLlama,
        "codestral" or "mistral" => FimFamily.Codestral,
        _ => null,
    };
}
