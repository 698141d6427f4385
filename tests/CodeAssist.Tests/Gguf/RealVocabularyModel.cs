namespace CodeAssist.Tests.Gguf;

/// <summary>
/// A small random-weight GGUF in a real family's architecture (Qwen2.5-Coder: <c>qwen2</c> with its q/k/v biases;
/// CodeLlama: <c>llama</c>) carrying that family's real vocabulary (<see cref="RealVocabulary"/>), written once per test
/// run (about 40 MB for Qwen's 151,936 tokens: F16, 64 dimensions).
/// </summary>
/// <remarks>
/// The weights are random except for a short program, so that tests can tell whether generation stops: each token's
/// embedding carries a large component along one of a few orthogonal directions, and the output rows of the tokens to
/// come next point along them. After most tokens that makes <see cref="DefaultNext"/> the argmax; after a path's
/// <see cref="StopPath.Word"/> comes its <see cref="StopPath.Then"/>, and after that its <see cref="StopPath.Stop"/>.
/// Where the output is constrained (token healing), a path's word outranks the other tokens that agree with it.
/// Nothing else is programmed: which token is chosen among others is up to the random weights.
/// </remarks>
public sealed class RealVocabularyModel
{
    private const int Embedding = 64;
    private const int Blocks = 2;
    private const int Heads = 4;
    private const int KvHeads = 2;
    private const int FeedForward = 128;
    private const float Lift = 100f;
    private const float RowScale = 4f;

    private static readonly Lazy<RealVocabularyModel> Qwen = new(() => new RealVocabularyModel(
        RealVocabulary.Qwen25Coder,
        "qwen2",
        "qwen2.5-coder-vocabulary-test",
        "Ġpass",
        [
            new("Ġalpha", "1", "<|endoftext|>"),
            new("Ġbeta", "2", "<|file_sep|>"),
            new("Ġgamma", "3", "<|fim_pad|>"),
            new("Ġdelta", "4", "<|repo_name|>"),
            new("Ġepsilon", "5", "<|im_end|>"),
        ]));

    private static readonly Lazy<RealVocabularyModel> Llama = new(() => new RealVocabularyModel(
        RealVocabulary.CodeLlama,
        "llama",
        "codellama-vocabulary-test",
        "▁pass",
        [
            new("▁alpha", "1", "▁<EOT>"),
            new("▁beta", "2", "</s>"),
        ]));

    private readonly Lazy<string> _path;

    private RealVocabularyModel(RealVocabulary vocabulary, string architecture, string name, string defaultNext, IReadOnlyList<StopPath> paths)
    {
        Vocabulary = vocabulary;
        Architecture = architecture;
        Name = name;
        DefaultNext = defaultNext;
        Paths = paths;
        _path = new Lazy<string>(() =>
        {
            var path = TestModelFiles.NewPath(name);
            CreateWriter().WriteToFile(path);
            return path;
        });
    }

    /// <summary>A Qwen2.5-Coder-shaped model.</summary>
    public static RealVocabularyModel Qwen25Coder => Qwen.Value;

    /// <summary>A CodeLlama-shaped model.</summary>
    public static RealVocabularyModel CodeLlama => Llama.Value;

    public RealVocabulary Vocabulary { get; }

    public string Architecture { get; }

    /// <summary>Written as <c>general.name</c>.</summary>
    public string Name { get; }

    /// <summary>The vocabulary entry that follows any token no path names.</summary>
    public string DefaultNext { get; }

    /// <summary>The programmed paths to each stop token.</summary>
    public IReadOnlyList<StopPath> Paths { get; }

    /// <summary>The file, written on first use into this test run's temporary folder.</summary>
    public string Path => _path.Value;

    private GgufWriter CreateWriter()
    {
        var writer = new GgufWriter();
        var arch = Architecture;
        writer.Set("general.architecture", arch);
        writer.Set("general.name", Name);
        writer.Set("general.file_type", 1u);
        writer.Set($"{arch}.vocab_size", (uint)Vocabulary.VocabSize);
        writer.Set($"{arch}.context_length", 1024u);
        writer.Set($"{arch}.embedding_length", (uint)Embedding);
        writer.Set($"{arch}.block_count", (uint)Blocks);
        writer.Set($"{arch}.feed_forward_length", (uint)FeedForward);
        writer.Set($"{arch}.attention.head_count", (uint)Heads);
        writer.Set($"{arch}.attention.head_count_kv", (uint)KvHeads);
        writer.Set($"{arch}.rope.dimension_count", (uint)(Embedding / Heads));
        writer.Set($"{arch}.rope.freq_base", 1_000_000f);
        writer.Set($"{arch}.attention.layer_norm_rms_epsilon", arch == "qwen2" ? 1e-6f : 1e-5f);
        Vocabulary.WriteTo(writer);
        AddWeights(writer);
        return writer;
    }

    private void AddWeights(GgufWriter writer)
    {
        long vocab = Vocabulary.VocabSize;
        const long kvDim = Embedding / Heads * KvHeads;
        var random = new TestModel.SplitMix64(0x5EED);

        // Direction 0 leads to the default token; path i's word leads along 2i+1 to its next token, which leads along
        // 2i+2 to its stop token.
        var direction = new int[vocab];
        var rows = new Dictionary<int, (int Direction, float Scale)> { [Vocabulary.Id(DefaultNext)] = (0, 1f) };
        for (var i = 0; i < Paths.Count; i++)
        {
            var (word, then, stop) = (Vocabulary.Id(Paths[i].Word), Vocabulary.Id(Paths[i].Then), Vocabulary.Id(Paths[i].Stop));
            direction[word] = (2 * i) + 1;
            direction[then] = (2 * i) + 2;
            rows[then] = ((2 * i) + 1, 1f);
            rows[stop] = ((2 * i) + 2, 1f);
            rows[word] = (0, 0.5f);
        }

        var embeddings = random.Uniform(Embedding * vocab, 1f);
        for (long t = 0; t < vocab; t++)
        {
            embeddings[(t * Embedding) + direction[t]] += Lift;
        }

        writer.AddTensor("token_embd.weight", GgufTensorType.F16, [Embedding, vocab], embeddings);

        void Matrix(string name, long inputs, long outputs) =>
            writer.AddTensor(name, GgufTensorType.F16, [inputs, outputs], random.Uniform(inputs * outputs, 1f / MathF.Sqrt(inputs)));
        void Vector(string name, long length, float standardDeviation) =>
            writer.AddTensor(name, GgufTensorType.F32, [length], random.Uniform(length, standardDeviation));
        void Norm(string name) =>
            writer.AddTensor(name, GgufTensorType.F32, [Embedding], Enumerable.Repeat(1f, Embedding).ToArray());

        for (var layer = 0; layer < Blocks; layer++)
        {
            var prefix = $"blk.{layer}.";
            Norm(prefix + "attn_norm.weight");
            Matrix(prefix + "attn_q.weight", Embedding, Embedding);
            Matrix(prefix + "attn_k.weight", Embedding, kvDim);
            Matrix(prefix + "attn_v.weight", Embedding, kvDim);
            if (Architecture == "qwen2")
            {
                Vector(prefix + "attn_q.bias", Embedding, 0.1f);
                Vector(prefix + "attn_k.bias", kvDim, 0.1f);
                Vector(prefix + "attn_v.bias", kvDim, 0.1f);
            }

            Matrix(prefix + "attn_output.weight", Embedding, Embedding);
            Norm(prefix + "ffn_norm.weight");
            Matrix(prefix + "ffn_gate.weight", Embedding, FeedForward);
            Matrix(prefix + "ffn_up.weight", Embedding, FeedForward);
            Matrix(prefix + "ffn_down.weight", FeedForward, Embedding);
        }

        Norm("output_norm.weight");
        var output = random.Uniform(Embedding * vocab, 1f / MathF.Sqrt(Embedding));
        foreach (var (token, (along, scale)) in rows)
        {
            Array.Clear(output, token * Embedding, Embedding);
            output[(token * Embedding) + along] = RowScale * scale;
        }

        writer.AddTensor("output.weight", GgufTensorType.F16, [Embedding, vocab], output);
    }

    /// <summary>A programmed path: after <paramref name="Word"/> comes <paramref name="Then"/>, then <paramref name="Stop"/>.</summary>
    public sealed record StopPath(string Word, string Then, string Stop);
}
