namespace CodeAssist.Tests.Gguf;

/// <summary>The shape of a <see cref="TestModel"/>; equal options give byte-identical files.</summary>
public sealed record TestModelOptions
{
    /// <summary>Seed of the weight generator; the vocabulary does not depend on it.</summary>
    public int Seed { get; init; } = 1234;

    /// <summary>Written as <c>general.name</c>.</summary>
    public string Name { get; init; } = "codeassist-tiny-test";

    public int EmbeddingLength { get; init; } = 64;
    public int BlockCount { get; init; } = 2;
    public int HeadCount { get; init; } = 4;

    /// <summary>Fewer KV heads than heads gives grouped-query attention, as most current models use.</summary>
    public int HeadCountKv { get; init; } = 2;

    public int FeedForwardLength { get; init; } = 128;
    public int ContextLength { get; init; } = 512;
    public float RopeFreqBase { get; init; } = 10000f;
    public float RmsNormEpsilon { get; init; } = 1e-5f;

    /// <summary>At most this many merges are learned from <see cref="PythonCorpus"/> (learning stops earlier, at about
    /// 210, once no pair occurs twice); merges that make <see cref="TestModel.RequiredWords"/> single tokens come after.</summary>
    public int MaxLearnedMerges { get; init; } = 300;

    /// <summary>The FIM control tokens to put in the vocabulary; null for a model with no FIM support at all
    /// (no such tokens and no <c>fim_*</c> metadata), which must get a prefix-only prompt.</summary>
    public FimTokenSet? Fim { get; init; } = FimTokenSet.StarCoder;

    /// <summary>Whether to write <c>tokenizer.ggml.fim_*_token_id</c>. Without it the tokens are still in the vocabulary
    /// (llama.cpp also recognises well-known spellings by their text).</summary>
    public bool WriteFimTokenIds { get; init; } = true;

    /// <summary>Written as <c>tokenizer.ggml.pre</c>. "smollm" is GPT-2's split (plus one digit per piece) with no
    /// clean-up of spaces on detokenization, so text round-trips exactly; "gpt-2" would turn " '" into "'".</summary>
    public string PreTokenizer { get; init; } = "smollm";

    /// <summary>Multiplies the output projection; larger values give peaked next-token distributions.</summary>
    public float OutputScale { get; init; } = 1f;

    /// <summary>Omit <c>output.weight</c> so llama.cpp ties the output projection to <c>token_embd.weight</c>.</summary>
    public bool TiedEmbeddings { get; init; }

    /// <summary>Storage type of the matrices (norm weights stay F32, as converters write them).</summary>
    public GgufTensorType WeightType { get; init; } = GgufTensorType.F32;

    internal void Validate()
    {
        if (EmbeddingLength <= 0 || HeadCount <= 0 || HeadCountKv <= 0 || BlockCount <= 0 || FeedForwardLength <= 0)
        {
            throw new ArgumentException("Sizes must be positive.");
        }

        if (EmbeddingLength % HeadCount != 0 || (EmbeddingLength / HeadCount) % 2 != 0)
        {
            throw new ArgumentException("EmbeddingLength must split into HeadCount heads of even size (RoPE rotates pairs).");
        }

        if (HeadCount % HeadCountKv != 0)
        {
            throw new ArgumentException("HeadCount must be a multiple of HeadCountKv.");
        }
    }
}
