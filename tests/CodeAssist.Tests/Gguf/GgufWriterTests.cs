using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using CodeAssist.Tests.Testing;
using LLama;
using LLama.Common;
using LLama.Exceptions;
using LLama.Native;

namespace CodeAssist.Tests.Gguf;

[Trait(TestCategory.Name, TestCategory.Model)]
public class GgufWriterTests
{
    [Fact]
    public void Header_is_magic_version_3_and_counts_little_endian()
    {
        var writer = new GgufWriter().Set("a", 1u).Set("b", "x");
        writer.AddTensor("t", GgufTensorType.F32, [2], [1f, 2f]);

        var bytes = writer.ToArray(out var layout);

        Assert.Equal("GGUF"u8.ToArray(), bytes[..4]);
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(1ul, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(2ul, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(16)));
        Assert.Equal(24, layout.MetadataOffset);
        Assert.Equal(bytes.Length, layout.Length);
    }

    [Fact]
    public void Every_value_type_is_encoded_as_the_spec_says()
    {
        static byte[] Encoded(GgufValue value)
        {
            var bytes = new GgufWriter().Set("k", value).ToArray(out var layout);
            // key: uint64 length 1, "k"; then the uint32 type and the value up to the tensor-info section.
            var start = (int)layout.MetadataOffset + 8 + 1;
            return bytes[start..(int)layout.TensorInfosOffset];
        }

        static byte[] Bytes(params int[] values) => values.Select(v => (byte)v).ToArray();

        Assert.Equal(Bytes(0, 0, 0, 0, 0xFE), Encoded(GgufValue.UInt8(0xFE)));
        Assert.Equal(Bytes(1, 0, 0, 0, 0xFF), Encoded(GgufValue.Int8(-1)));
        Assert.Equal(Bytes(2, 0, 0, 0, 0x34, 0x12), Encoded(GgufValue.UInt16(0x1234)));
        Assert.Equal(Bytes(3, 0, 0, 0, 0xFE, 0xFF), Encoded(GgufValue.Int16(-2)));
        Assert.Equal(Bytes(4, 0, 0, 0, 0x78, 0x56, 0x34, 0x12), Encoded(GgufValue.UInt32(0x12345678)));
        Assert.Equal(Bytes(5, 0, 0, 0, 0xFD, 0xFF, 0xFF, 0xFF), Encoded(GgufValue.Int32(-3)));
        Assert.Equal(Bytes(6, 0, 0, 0, 0x00, 0x00, 0x80, 0x3F), Encoded(GgufValue.Float32(1f)));
        Assert.Equal(Bytes(7, 0, 0, 0, 1), Encoded(GgufValue.Bool(true)));
        Assert.Equal(Bytes(8, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0xC3, 0xA9), Encoded(GgufValue.String("é")));
        Assert.Equal(Bytes(10, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x80), Encoded(GgufValue.UInt64(0x8000000000000001)));
        Assert.Equal(Bytes(11, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF), Encoded(GgufValue.Int64(-1)));
        Assert.Equal(Bytes(12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F), Encoded(GgufValue.Float64(1.0)));
        Assert.Equal(
            Bytes(9, 0, 0, 0, 5, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0xF8, 0xFF, 0xFF, 0xFF),
            Encoded(GgufValue.Array([7, -8])));
        Assert.Equal(
            Bytes(9, 0, 0, 0, 8, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, (byte)'a', 0, 0, 0, 0, 0, 0, 0, 0),
            Encoded(GgufValue.Array(["a", ""])));
        Assert.Equal(
            Bytes(9, 0, 0, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0xC0),
            Encoded(GgufValue.Array([-2f])));
    }

    [Theory]
    [InlineData(32u)]
    [InlineData(64u)]
    [InlineData(1u)]
    public void Data_section_and_every_tensor_start_on_the_alignment(uint alignment)
    {
        var writer = new GgufWriter().SetAlignment(alignment).Set("general.name", "odd length name");
        writer.AddTensor("a", GgufTensorType.F32, [3], [1f, 2f, 3f]);
        writer.AddTensor("b", GgufTensorType.F16, [5], [1f, 2f, 3f, 4f, 5f]);
        writer.AddTensor("c", GgufTensorType.F32, [2, 2], [1f, 2f, 3f, 4f]);

        var bytes = writer.ToArray(out var layout);

        Assert.Equal(alignment, writer.Alignment);
        Assert.Equal(0, layout.DataOffset % alignment);
        Assert.All(layout.Tensors, t => Assert.Equal(0, t.DataOffset % alignment));
        Assert.Equal(0, (layout.Length - layout.DataOffset) % alignment);
        Assert.Equal([12L, 10L, 16L], layout.Tensors.Select(t => t.DataLength));
        // The stored offset (last field of each info record) is relative to the data section.
        foreach (var tensor in layout.Tensors)
        {
            var nameLength = Encoding.UTF8.GetByteCount(tensor.Name);
            var nDims = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)tensor.InfoOffset + 8 + nameLength));
            var offsetField = (int)tensor.InfoOffset + 8 + nameLength + 4 + 8 * (int)nDims + 4;
            Assert.Equal((ulong)(tensor.DataOffset - layout.DataOffset), BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offsetField)));
        }

        Assert.Equal(0x3C00, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan((int)layout.Tensors[1].DataOffset))); // F16 1.0
        Assert.Equal(3f, BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan((int)layout.Tensors[2].DataOffset + 8)));
    }

    [Fact]
    public void Setting_a_key_again_replaces_it_in_place()
    {
        var writer = new GgufWriter().Set("a", 1u).Set("b", 2u).Set("a", "now a string");

        Assert.Equal(["a", "b"], writer.Metadata.Select(kv => kv.Key));
        Assert.Equal(GgufValueType.String, writer.Metadata[0].Value.Type);
    }

    [Fact]
    public void A_test_model_is_the_same_bytes_for_the_same_seed_and_different_for_another()
    {
        var first = TestModel.Get().CreateWriter().ToArray();
        var again = TestModel.Get(new TestModelOptions()).CreateWriter().ToArray();
        var otherSeed = TestModel.Get(new TestModelOptions { Seed = 99 }).CreateWriter().ToArray();

        Assert.Equal(first, again);
        Assert.Equal(first.Length, otherSeed.Length);
        Assert.NotEqual(first, otherSeed);
    }

    [Fact]
    public void Test_model_vocabulary_is_bytes_then_merges_then_control_tokens()
    {
        var model = TestModel.Get();

        Assert.Equal("Ġ", model.Tokens[' ']);
        Assert.Equal("Ċ", model.Tokens['\n']);
        Assert.Equal("a", model.Tokens['a']);
        Assert.InRange(model.Merges.Count, 200, 400);
        Assert.All(model.Merges, merge => Assert.Contains(merge.Replace(" ", ""), model.Tokens));
        Assert.Equal(
            ["<|endoftext|>", "<fim_prefix>", "<fim_suffix>", "<fim_middle>", "<fim_pad>", "<file_sep>"],
            model.Tokens.TakeLast(6));
        Assert.All(model.TokenTypes.TakeLast(6), type => Assert.Equal(TestModel.ControlTokenType, type));
        Assert.All(model.TokenTypes.SkipLast(6), type => Assert.Equal(TestModel.NormalTokenType, type));
        Assert.All(TestModel.RequiredWords, word => Assert.Single(model.Tokenize(word)));
    }

    [Fact]
    public void The_test_model_loads_memory_mapped_with_the_shape_it_was_written_with()
    {
        var model = TestModel.Get();

        using var weights = LlamaHarness.Load(model.Path);

        Assert.Equal(64, weights.EmbeddingSize);
        Assert.Equal(512, weights.ContextSize);
        Assert.Equal(2, weights.NativeHandle.LayerCount);
        Assert.Equal(4, weights.NativeHandle.HeadCount);
        Assert.Equal(2, weights.NativeHandle.KVHeadCount);
        Assert.Equal(model.VocabSize, weights.Vocab.Count);
        Assert.Equal(LLamaVocabType.BytePairEncoding, weights.Vocab.Type);
        Assert.True(NativeLibraryConfig.LLama.LibraryHasLoaded);
        Assert.True(Directory.Exists(Path.Combine(AppContext.BaseDirectory, "runtimes")), "LLamaSharp.Backend.Cpu copies its native libraries under runtimes/");
    }

    [Fact]
    public void Every_scalar_metadata_key_reads_back_through_LLamaSharp_and_arrays_are_not_listed()
    {
        var writer = TestModel.Get().CreateWriter()
            .Set("test.u8", (byte)200)
            .Set("test.i8", (sbyte)-100)
            .Set("test.u16", (ushort)65000)
            .Set("test.i16", (short)-30000)
            .Set("test.u32", 4_000_000_000u)
            .Set("test.i32", -2_000_000_000)
            .Set("test.f32", 0.25f)
            .Set("test.bool.true", true)
            .Set("test.bool.false", false)
            .Set("test.str", "héllo wörld ✓ \"quoted\"\ttab\nnewline")
            .Set("test.u64", ulong.MaxValue)
            .Set("test.i64", long.MinValue)
            .Set("test.f64", -1234.5)
            .Set("test.arr.str", ["x", "y"])
            .Set("test.arr.int", [1, 2, 3])
            .Set("test.arr.float", [0.5f]);
        var path = TestModelFiles.NewPath("all-types");
        writer.WriteToFile(path);

        using var weights = LlamaHarness.Load(path);

        foreach (var (key, value) in writer.Metadata)
        {
            if (value.Type == GgufValueType.Array)
            {
                // llama.cpp's metadata map skips arrays; tokens, types and merges are checked through the vocabulary.
                Assert.False(weights.Metadata.ContainsKey(key), key);
                continue;
            }

            Assert.True(weights.Metadata.TryGetValue(key, out var text), $"{key} missing from Metadata");
            switch (value.Type)
            {
                case GgufValueType.Float32 or GgufValueType.Float64:
                    // llama.cpp renders floats with "%f": six decimals, so 1e-5 reads back as "0.000010".
                    Assert.Equal(Convert.ToDouble(value.Value, CultureInfo.InvariantCulture), double.Parse(text, CultureInfo.InvariantCulture), 6);
                    break;
                case GgufValueType.Bool:
                    Assert.Equal((bool)value.Value ? "true" : "false", text);
                    break;
                default:
                    Assert.Equal(Convert.ToString(value.Value, CultureInfo.InvariantCulture), text);
                    break;
            }
        }

        Assert.Equal(writer.Metadata.Count(kv => kv.Value.Type != GgufValueType.Array), weights.Metadata.Count);
        Assert.Equal("0.000010", weights.Metadata["llama.attention.layer_norm_rms_epsilon"]);
    }

    [Fact]
    public void The_vocabulary_reports_the_special_and_fim_tokens()
    {
        var model = TestModel.Get();
        using var weights = LlamaHarness.Load(model.Path);
        var vocab = weights.Vocab;

        Assert.Equal(model.EndOfTextId, (int?)vocab.BOS);
        Assert.Equal(model.EndOfTextId, (int?)vocab.EOS);
        Assert.Equal(model.EndOfTextId, (int?)vocab.EOT);
        Assert.Equal(model.EndOfTextId, (int?)vocab.Pad);
        Assert.False(vocab.ShouldAddBOS);
        Assert.False(vocab.ShouldAddEOS);
        Assert.Equal(model.FimPrefixId, (int?)vocab.InfillPrefix);
        Assert.Equal(model.FimSuffixId, (int?)vocab.InfillSuffix);
        Assert.Equal(model.FimMiddleId, (int?)vocab.InfillMiddle);
        Assert.Equal(model.FimPadId, (int?)vocab.InfillPad);
        Assert.Equal(model.FileSeparatorId, (int?)vocab.InfillSep);
        Assert.Null(vocab.InfillRep);
        Assert.Equal('\n', (int?)vocab.Newline);
        Assert.Equal("<fim_prefix>", vocab.LLamaTokenToString(model.FimPrefixId, isSpecialToken: true));
        // Rendered without special tokens, a control token is nothing (LLamaSharp returns null, not "").
        Assert.Null(vocab.LLamaTokenToString(model.FimPrefixId, isSpecialToken: false));

        LLamaToken prefix = model.FimPrefixId!.Value;
        Assert.True(prefix.IsControl(vocab));
        Assert.False(prefix.IsEndOfGeneration(vocab));
        // llama.cpp treats FIM pad and file separator as end of generation, besides EOS/EOT.
        Assert.True(((LLamaToken)model.EndOfTextId).IsEndOfGeneration(vocab));
        Assert.True(((LLamaToken)model.FimPadId!.Value).IsEndOfGeneration(vocab));
        Assert.True(((LLamaToken)model.FileSeparatorId!.Value).IsEndOfGeneration(vocab));
        Assert.False(((LLamaToken)model.TokenId("Ġreturn")).IsEndOfGeneration(vocab));
    }

    [Fact]
    public void A_model_without_fim_tokens_reports_none()
    {
        var model = TestModel.Get(new TestModelOptions { Fim = null });
        var writer = model.CreateWriter();
        using var weights = LlamaHarness.Load(model.Path);

        Assert.DoesNotContain(writer.Metadata, kv => kv.Key.Contains("fim", StringComparison.Ordinal));
        Assert.Equal(model.VocabSize, weights.Vocab.Count);
        Assert.Equal(model.EndOfTextId, weights.Vocab.Count - 1);
        Assert.Null(weights.Vocab.InfillPrefix);
        Assert.Null(weights.Vocab.InfillSuffix);
        Assert.Null(weights.Vocab.InfillMiddle);
        Assert.Equal(model.EndOfTextId, (int?)weights.Vocab.EOT);
    }

    public static TheoryData<string, bool> FimFamilies => new()
    {
        { nameof(FimTokenSet.StarCoder), true },
        { nameof(FimTokenSet.StarCoder), false },
        { nameof(FimTokenSet.Qwen), true },
        { nameof(FimTokenSet.Qwen), false },
        { nameof(FimTokenSet.CodeLlama), true },
        { nameof(FimTokenSet.CodeLlama), false },
        { nameof(FimTokenSet.DeepSeek), true },
        { nameof(FimTokenSet.DeepSeek), false },
    };

    [Theory]
    [MemberData(nameof(FimFamilies))]
    public void Fim_tokens_of_each_family_are_found_with_ids_in_metadata_or_by_their_spelling(string family, bool writeIds)
    {
        var fim = (FimTokenSet)typeof(FimTokenSet).GetProperty(family)!.GetValue(null)!;
        var model = TestModel.Get(new TestModelOptions { Fim = fim, WriteFimTokenIds = writeIds });
        using var weights = LlamaHarness.Load(model.Path);

        Assert.Equal(model.FimPrefixId, (int?)weights.Vocab.InfillPrefix);
        Assert.Equal(model.FimSuffixId, (int?)weights.Vocab.InfillSuffix);
        Assert.Equal(model.FimMiddleId, (int?)weights.Vocab.InfillMiddle);
        Assert.Equal(fim.Prefix, weights.Vocab.LLamaTokenToString(weights.Vocab.InfillPrefix, isSpecialToken: true));
        Assert.Equal(
            [model.FimPrefixId!.Value],
            weights.Tokenize(fim.Prefix, add_bos: false, special: true, Encoding.UTF8).Select(t => (int)t));
    }

    [Fact]
    public void An_empty_string_metadata_value_makes_LLamaWeights_LoadFromFile_throw_ArgumentNullException()
    {
        // LLamaSharp 0.30.0 bug: ReadMetadata decodes an empty value from a null pointer. llama.cpp itself loads the
        // file; only the LLamaWeights wrapper fails. Real GGUFs can carry empty strings, so the server must say so
        // clearly (or load through SafeLlamaModelHandle). When this test fails, LLamaSharp has fixed it.
        var path = TestModelFiles.NewPath("empty-string");
        TestModel.Get().CreateWriter().Set("general.license", "").WriteToFile(path);

        Assert.Throws<ArgumentNullException>(() => LlamaHarness.Load(path).Dispose());
        using var handle = SafeLlamaModelHandle.LoadFromFile(path, LLamaModelParams.Default());
        Assert.Equal(0, handle.MetadataValueByKey("general.license")?.Length);
    }

    public static TheoryData<string> PythonSnippets =>
    [
        "def foo(x):\n    return x",
        "a = 'test'",
        "import os\nfrom typing import List\n\n\nclass A:\n    def __init__(self):\n        self.x = [1, 2, 3]\n",
        "  leading spaces and trailing  ",
        "print( x , y )\n\t\ttabs\r\nwindows line",
        "s = \"héllo wörld 🐍 日本\"",
        "x = {'a': 1}  # comment 12345",
    ];

    [Theory]
    [MemberData(nameof(PythonSnippets))]
    public void Python_text_tokenizes_as_our_reference_and_detokenizes_exactly(string text)
    {
        var model = TestModel.Get();
        using var weights = LlamaHarness.Load(model.Path);

        var tokens = weights.Tokenize(text, add_bos: false, special: false, Encoding.UTF8);
        var decoder = new StreamingTokenDecoder(Encoding.UTF8, weights);
        decoder.AddRange(tokens);

        Assert.Equal(model.Tokenize(text), tokens.Select(t => (int)t));
        Assert.Equal(text, decoder.Read());
    }

    [Theory]
    [InlineData("smollm")]
    [InlineData("gpt-2")]
    [InlineData("starcoder")]
    [InlineData("qwen2")]
    public void Streaming_detokenization_is_exact_even_for_pre_tokenizers_that_clean_up_spaces(string preTokenizer)
    {
        // Clean-up (" ," to ",", " 's" to "'s", " ?" to "?") is applied only by llama_detokenize, which LLamaSharp keeps
        // internal; StreamingTokenDecoder (and the obsolete LLamaContext.DeTokenize) join token pieces and change nothing.
        const string Text = "x = f( a , b ) ; it 's ?";
        var path = TestModelFiles.NewPath("pre-" + preTokenizer);
        TestModel.Get().CreateWriter().Set("tokenizer.ggml.pre", preTokenizer).WriteToFile(path);
        using var weights = LlamaHarness.Load(path);
        using var context = weights.CreateContext(LlamaHarness.Parameters(path));

        var tokens = context.Tokenize(Text, addBos: false, special: false);
        var decoder = new StreamingTokenDecoder(context);
        decoder.AddRange(tokens);

        Assert.Equal(Text, decoder.Read());
    }

    [Fact]
    public void Common_python_pieces_are_single_tokens_in_llama_cpp()
    {
        var model = TestModel.Get();
        using var weights = LlamaHarness.Load(model.Path);

        Assert.All(TestModel.RequiredWords, word =>
            Assert.Single(weights.Tokenize(word, add_bos: false, special: false, Encoding.UTF8)));
        var code = weights.Tokenize("def foo(x):\n    return x", add_bos: false, special: false, Encoding.UTF8);
        Assert.Equal(
            ["def", "Ġf", "o", "o", "(", "x", "):", "ĊĠĠĠ", "Ġreturn", "Ġ", "x"],
            code.Select(t => model.Tokens[(int)t]));
    }

    [Fact]
    public void Control_token_text_becomes_the_token_only_when_special_parsing_is_on()
    {
        var model = TestModel.Get();
        using var weights = LlamaHarness.Load(model.Path);
        const string Text = "<fim_prefix>def f():<fim_suffix>";

        var plain = weights.Tokenize(Text, add_bos: false, special: false, Encoding.UTF8).Select(t => (int)t).ToList();
        var special = weights.Tokenize(Text, add_bos: false, special: true, Encoding.UTF8).Select(t => (int)t).ToList();

        Assert.DoesNotContain(model.FimPrefixId!.Value, plain);
        Assert.DoesNotContain(model.FimSuffixId!.Value, plain);
        Assert.Equal(model.Tokenize(Text), plain);
        Assert.Equal(model.FimPrefixId, special[0]);
        Assert.Equal(model.FimSuffixId, special[^1]);
        Assert.Equal(model.Tokenize("def f():"), special[1..^1]);
    }

    [Fact]
    public void Greedy_generation_runs_and_is_deterministic()
    {
        var model = TestModel.Get();
        using var weights = LlamaHarness.Load(model.Path);

        var first = LlamaHarness.GreedyGenerate(weights, "def add(a, b):\n    return", 8);
        var second = LlamaHarness.GreedyGenerate(weights, "def add(a, b):\n    return", 8);

        Assert.Equal(8, first.Count);
        Assert.Equal(first, second);
        Assert.All(first, id => Assert.InRange(id, 0, model.VocabSize - 1));
    }

    [Fact]
    public void Removing_kv_cells_after_a_shared_prefix_then_decoding_the_rest_matches_a_fresh_decode()
    {
        var model = TestModel.Get();
        using var weights = LlamaHarness.Load(model.Path);
        var shared = weights.Tokenize("def add(a, b):\n", false, false, Encoding.UTF8);
        var oldTail = weights.Tokenize("    pass", false, false, Encoding.UTF8);
        var newTail = weights.Tokenize("    return a + b", false, false, Encoding.UTF8);

        using var reused = weights.CreateContext(LlamaHarness.Parameters(model.Path));
        LlamaHarness.Decode(reused, [.. shared, .. oldTail], 0);
        reused.NativeHandle.MemorySequenceRemove(LLamaSeqId.Zero, shared.Length, -1);
        Assert.Equal(shared.Length - 1, reused.NativeHandle.MemorySequenceMaxPosition(LLamaSeqId.Zero).Value);
        var reusedLogits = LlamaHarness.Decode(reused, newTail, shared.Length);

        using var fresh = weights.CreateContext(LlamaHarness.Parameters(model.Path));
        var freshLogits = LlamaHarness.Decode(fresh, [.. shared, .. newTail], 0);

        Assert.Equal(freshLogits.Length, reusedLogits.Length);
        for (var i = 0; i < freshLogits.Length; i++)
        {
            Assert.Equal(freshLogits[i], reusedLogits[i], 3);
        }
    }

    [Fact]
    public void An_abort_callback_that_returns_true_stops_decode_with_ComputeAborted()
    {
        var model = TestModel.Get();
        using var weights = LlamaHarness.Load(model.Path);
        using var context = weights.CreateContext(LlamaHarness.Parameters(model.Path));
        var calls = 0;
        AbortCallback abort = _ => { Interlocked.Increment(ref calls); return true; };
        var batch = new LLamaBatch();
        batch.AddRange(weights.Tokenize("def f():", false, false, Encoding.UTF8), 0, LLamaSeqId.Zero, true);

        NativeApi.llama_set_abort_callback(context.NativeHandle, System.Runtime.InteropServices.Marshal.GetFunctionPointerForDelegate(abort), IntPtr.Zero);
        var aborted = context.Decode(batch);
        NativeApi.llama_set_abort_callback(context.NativeHandle, IntPtr.Zero, IntPtr.Zero);
        GC.KeepAlive(abort);
        var retried = context.Decode(batch);

        Assert.Equal(DecodeResult.ComputeAborted, aborted);
        Assert.True(calls > 0);
        Assert.Equal(DecodeResult.Ok, retried);
    }

    public static TheoryData<string> ModelVariants => ["f16", "tied-embeddings", "alignment-64", "mha", "gguf-v2", "peaked"];

    [Theory]
    [MemberData(nameof(ModelVariants))]
    public void Model_variants_load_and_decode(string variant)
    {
        var path = variant switch
        {
            "f16" => TestModel.Get(new TestModelOptions { WeightType = GgufTensorType.F16 }).Path,
            "tied-embeddings" => TestModel.Get(new TestModelOptions { TiedEmbeddings = true }).Path,
            "mha" => TestModel.Get(new TestModelOptions { HeadCountKv = 4 }).Path,
            "peaked" => TestModel.Get(new TestModelOptions { OutputScale = 8f }).Path,
            "alignment-64" => Write(TestModel.Get().CreateWriter().SetAlignment(64), variant),
            "gguf-v2" => Write(TestModel.Get().CreateWriter().With(w => w.Version = 2), variant),
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };
        using var weights = LlamaHarness.Load(path);

        var generated = LlamaHarness.GreedyGenerate(weights, "import os\n", 4);

        Assert.Equal(4, generated.Count);
    }

    public static TheoryData<string, string> SafeCorruptions => new()
    {
        { "wrong-magic", "invalid magic characters: 'GGUX'" },
        { "empty-file", "failed to read magic" },
        { "text-file", "invalid magic characters" },
        { "truncated-header", "failed to read header" },
        { "truncated-metadata", "failed to read key-value pairs" },
        { "truncated-tensor-infos", "failed to read tensor info" },
        { "truncated-at-data", "data is not within the file bounds" },
        { "truncated-last-byte", "data is not within the file bounds" },
        { "version-1", "failed to read header" },
        { "version-4", "failed to read header" },
        { "huge-key-length", "failed to read key-value pairs" },
        { "unknown-value-type", "failed to read key-value pairs" },
        { "unknown-tensor-type", "failed to read tensor info" },
        { "alignment-not-power-of-2", "alignment 3 is not a power of 2" },
        { "unknown-architecture", "unknown model architecture: 'notanarch'" },
        { "missing-hyperparameter", "key not found in model: llama.embedding_length" },
        { "hyperparameter-wrong-type", "key llama.block_count has wrong type str but expected type u32" },
        { "missing-tensor", "missing tensor 'output_norm.weight'" },
        { "extra-tensor", "wrong number of tensors" },
        { "wrong-tensor-shape", "tensor 'blk.0.attn_q.weight' has wrong shape" },
        { "unknown-pre-tokenizer", "unknown pre-tokenizer type: 'nosuchpre'" },
        { "token-types-too-short", "Index out of array bounds for toktypes" },
    };

    [Theory]
    [MemberData(nameof(SafeCorruptions))]
    public void A_corrupt_file_fails_to_load_with_LoadWeightsFailedException_and_the_reason_in_the_native_log(string corruption, string reason)
    {
        var path = TestModelFiles.Write(Corrupt(corruption), corruption);
        using var log = LlamaLogCapture.Begin();

        var error = Assert.Throws<LoadWeightsFailedException>(() => LlamaHarness.Load(path).Dispose());

        Assert.Equal(path, error.ModelPath);
        Assert.Contains(reason, log.Text, StringComparison.Ordinal);
    }

    private static byte[] Corrupt(string corruption)
    {
        var model = TestModel.Get();
        byte[] Edited(Action<GgufWriter> edit) => model.CreateWriter().With(edit).ToArray();
        var bytes = model.CreateWriter().ToArray(out var layout);
        switch (corruption)
        {
            case "wrong-magic": bytes[3] = (byte)'X'; return bytes;
            case "empty-file": return [];
            case "text-file": return "this is not a model\n"u8.ToArray();
            case "truncated-header": return bytes[..10];
            case "truncated-metadata": return bytes[..(int)((layout.MetadataOffset + layout.TensorInfosOffset) / 2)];
            case "truncated-tensor-infos": return bytes[..(int)((layout.TensorInfosOffset + layout.DataOffset) / 2)];
            case "truncated-at-data": return bytes[..(int)layout.DataOffset];
            case "truncated-last-byte": return bytes[..^1];
            case "version-1": BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 1); return bytes;
            case "version-4": BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 4); return bytes;
            case "huge-key-length": BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan((int)layout.MetadataOffset), 1UL << 62); return bytes;
            case "unknown-value-type":
                // The first key is "general.architecture" (20 bytes); its type follows the key.
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)layout.MetadataOffset + 8 + 20), 99);
                return bytes;
            case "unknown-tensor-type":
                var first = layout.Tensors[0]; // token_embd.weight, 2 dims
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)first.InfoOffset + 8 + first.Name.Length + 4 + 16), 99);
                return bytes;
            case "alignment-not-power-of-2": return Edited(w => w.Set(GgufWriter.AlignmentKey, 3u));
            case "unknown-architecture": return Edited(w => w.Set("general.architecture", "notanarch"));
            case "missing-hyperparameter": return Edited(w => w.Remove("llama.embedding_length"));
            case "hyperparameter-wrong-type": return Edited(w => w.Set("llama.block_count", "two"));
            case "missing-tensor": return Edited(w => w.RemoveTensor("output_norm.weight"));
            case "extra-tensor": return Edited(w => w.AddTensor("extra.weight", GgufTensorType.F32, [4], new float[4]));
            case "wrong-tensor-shape":
                return Edited(w =>
                {
                    w.RemoveTensor("blk.0.attn_q.weight");
                    w.AddTensor("blk.0.attn_q.weight", GgufTensorType.F32, [64, 32], new float[64 * 32]);
                });
            case "unknown-pre-tokenizer": return Edited(w => w.Set("tokenizer.ggml.pre", "nosuchpre"));
            case "token-types-too-short": return Edited(w => w.Set("tokenizer.ggml.token_type", [1, 1, 1]));
            default: throw new ArgumentOutOfRangeException(nameof(corruption));
        }
    }

    private static string Write(GgufWriter writer, string hint)
    {
        var path = TestModelFiles.NewPath(hint);
        writer.WriteToFile(path);
        return path;
    }

    [System.Runtime.InteropServices.UnmanagedFunctionPointer(System.Runtime.InteropServices.CallingConvention.Cdecl)]
    [return: System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.U1)]
    private delegate bool AbortCallback(IntPtr userData);
}
