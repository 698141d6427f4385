using System.Collections.Concurrent;

namespace CodeAssist.Tests.Gguf;

/// <summary>A tiny llama-architecture GGUF model with seeded random weights and a real byte-level BPE vocabulary,
/// small enough to build in milliseconds and load with llama.cpp, so tests never download a model.</summary>
/// <remarks>
/// Vocabulary: ids 0-255 are the byte tokens (id = byte value, in GPT-2's byte-to-unicode spelling), then one token per
/// merge learned from <see cref="PythonCorpus"/> (Python keywords, indentation, "self" and friends become single tokens),
/// then the control tokens: <c>&lt;|endoftext|&gt;</c> (BOS, EOS, EOT and PAD) followed by the FIM tokens.
/// The weights carry no knowledge; generation is deterministic for a seed but meaningless.
/// Use <see cref="Get"/> for a cached instance and <see cref="Path"/> for its file, written once per test run.
/// </remarks>
public sealed class TestModel
{
    public const string EndOfText = "<|endoftext|>";
    public const int NormalTokenType = 1;
    public const int ControlTokenType = 3;

    /// <summary>Pre-tokens that must be single tokens whatever the corpus teaches: the common shapes of Python.</summary>
    public static readonly IReadOnlyList<string> RequiredWords =
    [
        "def", " def", "return", " return", "self", " self", "import", " import", "from", " from", "class", " class",
        " if", " in", " for", " not", " None", " True", " False", "print", " print",
        "   ", "    ", "       ", "        ", "\n", "\n\n", "\n   ", "\n       ", "\n\n\n", "):", " =", "()",
    ];

    private static readonly ConcurrentDictionary<TestModelOptions, Lazy<TestModel>> Models = new();
    private static readonly ConcurrentDictionary<int, Lazy<ByteLevelBpe>> Tokenizers = new();

    private readonly ByteLevelBpe _bpe;
    private readonly Dictionary<string, int> _ids;
    private readonly Lazy<string> _path;

    private TestModel(TestModelOptions options)
    {
        options.Validate();
        Options = options;
        _bpe = Tokenizers.GetOrAdd(
            options.MaxLearnedMerges,
            count => new Lazy<ByteLevelBpe>(() => ByteLevelBpe.Train(PythonCorpus.Text, count, RequiredWords))).Value;

        var tokens = new List<string>();
        var types = new List<int>();
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        void AddToken(string text, int type)
        {
            if (_ids.TryAdd(text, tokens.Count))
            {
                tokens.Add(text);
                types.Add(type);
            }
        }

        for (var b = 0; b < 256; b++)
        {
            AddToken(ByteLevelBpe.ByteToken((byte)b), NormalTokenType);
        }

        foreach (var (left, right) in _bpe.Merges)
        {
            AddToken(left + right, NormalTokenType);
        }

        // Control tokens are spelled as-is (not byte-mapped): llama.cpp matches them against the raw prompt text.
        AddToken(EndOfText, ControlTokenType);
        foreach (var fim in options.Fim?.All() ?? [])
        {
            AddToken(fim, ControlTokenType);
        }

        Tokens = tokens;
        TokenTypes = types;
        Merges = _bpe.Merges.Select(m => m.Left + " " + m.Right).ToList();
        _path = new Lazy<string>(() =>
        {
            var path = TestModelFiles.NewPath(Options.Name);
            CreateWriter().WriteToFile(path);
            return path;
        });
    }

    public TestModelOptions Options { get; }

    /// <summary><c>tokenizer.ggml.tokens</c>: byte-level spelling for normal tokens, literal text for control tokens.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary><c>tokenizer.ggml.token_type</c>: 1 (normal) or 3 (control).</summary>
    public IReadOnlyList<int> TokenTypes { get; }

    /// <summary><c>tokenizer.ggml.merges</c>, "left right" in rank order.</summary>
    public IReadOnlyList<string> Merges { get; }

    public int VocabSize => Tokens.Count;
    public int EndOfTextId => _ids[EndOfText];
    public int? FimPrefixId => IdOf(Options.Fim?.Prefix);
    public int? FimSuffixId => IdOf(Options.Fim?.Suffix);
    public int? FimMiddleId => IdOf(Options.Fim?.Middle);
    public int? FimPadId => IdOf(Options.Fim?.Pad);
    public int? FileSeparatorId => IdOf(Options.Fim?.FileSeparator);
    public int? RepoNameId => IdOf(Options.Fim?.RepoName);

    /// <summary>The file for this model, written on first use into this test run's temporary folder.</summary>
    public string Path => _path.Value;

    /// <summary>The cached model for <paramref name="options"/> (defaults: StarCoder FIM tokens, seed 1234).</summary>
    public static TestModel Get(TestModelOptions? options = null) =>
        Models.GetOrAdd(options ?? new TestModelOptions(), o => new Lazy<TestModel>(() => new TestModel(o))).Value;

    /// <summary>The id of a vocabulary entry, given as stored (byte-level spelling for normal tokens).</summary>
    public int TokenId(string vocabularyText) => _ids[vocabularyText];

    /// <summary>Tokenizes text without special tokens using the same merges and algorithm as llama.cpp's BPE.</summary>
    public IReadOnlyList<int> Tokenize(string text) => _bpe.Encode(text).Select(t => _ids[t]).ToList();

    /// <summary>A fresh writer holding this model's metadata and weights; edit it to make a variant, then write it.</summary>
    public GgufWriter CreateWriter()
    {
        var o = Options;
        var writer = new GgufWriter();
        writer.Set("general.architecture", "llama");
        writer.Set("general.name", o.Name);
        writer.Set("general.file_type", o.WeightType == GgufTensorType.F16 ? 1u : 0u);
        writer.Set("llama.vocab_size", (uint)VocabSize);
        writer.Set("llama.context_length", (uint)o.ContextLength);
        writer.Set("llama.embedding_length", (uint)o.EmbeddingLength);
        writer.Set("llama.block_count", (uint)o.BlockCount);
        writer.Set("llama.feed_forward_length", (uint)o.FeedForwardLength);
        writer.Set("llama.attention.head_count", (uint)o.HeadCount);
        writer.Set("llama.attention.head_count_kv", (uint)o.HeadCountKv);
        writer.Set("llama.rope.dimension_count", (uint)(o.EmbeddingLength / o.HeadCount));
        writer.Set("llama.rope.freq_base", o.RopeFreqBase);
        writer.Set("llama.attention.layer_norm_rms_epsilon", o.RmsNormEpsilon);

        writer.Set("tokenizer.ggml.model", "gpt2");
        writer.Set("tokenizer.ggml.pre", o.PreTokenizer);
        writer.Set("tokenizer.ggml.tokens", Tokens);
        writer.Set("tokenizer.ggml.token_type", TokenTypes);
        writer.Set("tokenizer.ggml.merges", Merges);
        writer.Set("tokenizer.ggml.bos_token_id", (uint)EndOfTextId);
        writer.Set("tokenizer.ggml.eos_token_id", (uint)EndOfTextId);
        writer.Set("tokenizer.ggml.eot_token_id", (uint)EndOfTextId);
        writer.Set("tokenizer.ggml.padding_token_id", (uint)EndOfTextId);
        writer.Set("tokenizer.ggml.add_bos_token", false);
        writer.Set("tokenizer.ggml.add_eos_token", false);
        if (o.WriteFimTokenIds)
        {
            SetIdIfPresent(writer, "tokenizer.ggml.fim_pre_token_id", FimPrefixId);
            SetIdIfPresent(writer, "tokenizer.ggml.fim_suf_token_id", FimSuffixId);
            SetIdIfPresent(writer, "tokenizer.ggml.fim_mid_token_id", FimMiddleId);
            SetIdIfPresent(writer, "tokenizer.ggml.fim_pad_token_id", FimPadId);
            SetIdIfPresent(writer, "tokenizer.ggml.fim_sep_token_id", FileSeparatorId);
            SetIdIfPresent(writer, "tokenizer.ggml.fim_rep_token_id", RepoNameId);
        }

        AddWeights(writer);
        return writer;
    }

    private void AddWeights(GgufWriter writer)
    {
        var o = Options;
        long embd = o.EmbeddingLength;
        long headDim = embd / o.HeadCount;
        long kvDim = headDim * o.HeadCountKv;
        long ff = o.FeedForwardLength;
        long vocab = VocabSize;
        var random = new SplitMix64((ulong)o.Seed);

        // Standard deviation 1/sqrt(fan_in) keeps activations near unit size through the random layers.
        void Matrix(string name, long inputs, long outputs, float scale = 1f) =>
            writer.AddTensor(name, o.WeightType, [inputs, outputs], random.Uniform(inputs * outputs, scale / MathF.Sqrt(inputs)));
        void Norm(string name) =>
            writer.AddTensor(name, GgufTensorType.F32, [embd], Enumerable.Repeat(1f, (int)embd).ToArray());

        writer.AddTensor("token_embd.weight", o.WeightType, [embd, vocab], random.Uniform(embd * vocab, 1f));
        for (var layer = 0; layer < o.BlockCount; layer++)
        {
            var prefix = $"blk.{layer}.";
            Norm(prefix + "attn_norm.weight");
            Matrix(prefix + "attn_q.weight", embd, embd);
            Matrix(prefix + "attn_k.weight", embd, kvDim);
            Matrix(prefix + "attn_v.weight", embd, kvDim);
            Matrix(prefix + "attn_output.weight", embd, embd);
            Norm(prefix + "ffn_norm.weight");
            Matrix(prefix + "ffn_gate.weight", embd, ff);
            Matrix(prefix + "ffn_up.weight", embd, ff);
            Matrix(prefix + "ffn_down.weight", ff, embd);
        }

        Norm("output_norm.weight");
        if (!o.TiedEmbeddings)
        {
            Matrix("output.weight", embd, vocab, o.OutputScale);
        }
    }

    private static void SetIdIfPresent(GgufWriter writer, string key, int? id)
    {
        if (id is { } value)
        {
            writer.Set(key, (uint)value);
        }
    }

    private int? IdOf(string? text) => text is null ? null : _ids[text];

    /// <summary>SplitMix64: a tiny generator whose output is fixed by its definition, unlike System.Random's.</summary>
    internal sealed class SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        /// <summary>Values uniform in [-a, a) with a = sqrt(3) * standardDeviation.</summary>
        public float[] Uniform(long count, float standardDeviation)
        {
            var halfWidth = MathF.Sqrt(3f) * standardDeviation;
            var values = new float[count];
            for (var i = 0; i < values.Length; i++)
            {
                var unit = (Next() >> 40) * (1f / (1 << 24)); // 24 random bits in [0, 1)
                values[i] = (2f * unit - 1f) * halfWidth;
            }

            return values;
        }

        private ulong Next()
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
