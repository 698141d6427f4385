namespace CodeAssist.Server.Prompting;

/// <summary>What the detector needs to know about a model: its control tokens and a few metadata values.</summary>
public interface IModelTokenInventory
{
    /// <summary>True when the vocabulary has a control/special token with exactly this text.</summary>
    bool HasSpecialToken(string text);

    /// <summary>The text of a token id named by metadata (e.g. tokenizer.ggml.fim_pre_token_id), or null.</summary>
    string? SpecialTokenFromMetadata(string key);

    /// <summary>A string metadata value, or null.</summary>
    string? MetadataString(string key);
}

/// <summary>Picks the FIM template of a model from its vocabulary and GGUF metadata.</summary>
public static class FimTemplateDetector
{
    /// <summary>The metadata key with which CodeAssist's own models declare their preferred FIM order.</summary>
    public const string FimOrderKey = "codeassist.fim_order";

    /// <summary>
    /// The marker spellings <see cref="Detect"/> looks for. When a file names no FIM ids, llama.cpp finds the FIM tokens
    /// by these texts and makes one typed as normal a control token at load ("control-looking token … its type will be
    /// overridden"), so a reader of the header alone must count them as special too.
    /// </summary>
    public static readonly IReadOnlySet<string> MarkerSpellings = new HashSet<string>(StringComparer.Ordinal)
    {
        "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|file_separator|>",
        "<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>",
        "<PRE>", "<SUF>", "<MID>", "▁<PRE>", "▁<SUF>", "▁<MID>",
        "[SUFFIX]", "[PREFIX]",
        "<fim_prefix>", "<fim_suffix>", "<fim_middle>",
    };

    /// <summary>Detects the template; a model with no usable FIM tokens gets the prefix-only template.</summary>
    public static FimTemplate Detect(IModelTokenInventory model, FimOrder? preferredOrder = null)
    {
        bool Has(params string[] tokens) => tokens.All(model.HasSpecialToken);

        if (Has("<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"))
        {
            return FimTemplate.ForFamily(Has("<|file_separator|>") ? FimFamily.CodeGemma : FimFamily.Qwen);
        }

        if (Has("<｜fim▁begin｜>", "<｜fim▁hole｜>", "<｜fim▁end｜>"))
        {
            return FimTemplate.ForFamily(FimFamily.DeepSeek);
        }

        if (Has("<PRE>", "<SUF>", "<MID>"))
        {
            return FimTemplate.ForFamily(FimFamily.CodeLlama);
        }

        // CodeLlama's own files spell them as SentencePiece pieces, the space before each marker part of its token.
        if (Has("▁<PRE>", "▁<SUF>", "▁<MID>"))
        {
            return FimTemplate.CodeLlamaSentencePiece;
        }

        if (Has("[SUFFIX]", "[PREFIX]"))
        {
            return FimTemplate.ForFamily(FimFamily.Codestral);
        }

        if (Has("<fim_prefix>", "<fim_suffix>", "<fim_middle>"))
        {
            var declared = model.MetadataString(FimOrderKey)?.Trim().ToLowerInvariant();
            var ours = declared is not null || (model.MetadataString("general.name") ?? "").StartsWith("codeassist", StringComparison.OrdinalIgnoreCase);
            var order = preferredOrder ?? declared switch
            {
                "psm" => FimOrder.Psm,
                "spm" => FimOrder.Spm,
                _ => (FimOrder?)null,
            };
            return FimTemplate.ForFamily(ours ? FimFamily.CodeAssist : FimFamily.StarCoder, order);
        }

        var pre = model.SpecialTokenFromMetadata("tokenizer.ggml.fim_pre_token_id");
        var suf = model.SpecialTokenFromMetadata("tokenizer.ggml.fim_suf_token_id");
        var mid = model.SpecialTokenFromMetadata("tokenizer.ggml.fim_mid_token_id");
        if (pre is not null && suf is not null && mid is not null)
        {
            var stops = new[] { "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eos_token_id", "tokenizer.ggml.fim_pad_token_id" }
                .Select(model.SpecialTokenFromMetadata).OfType<string>().Concat([pre, suf, mid]).Distinct().ToArray();
            return new FimTemplate(FimFamily.Generic, preferredOrder ?? FimOrder.Psm, pre, suf, mid, stops);
        }

        return FimTemplate.PrefixOnly;
    }
}
