using System.Buffers.Binary;
using System.Text.Json;
using CodeAssist.Tests.Gguf;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Fuzz;

/// <summary>
/// Inputs the fuzz suite found that took the server down (a native abort or SIGFPE in llama.cpp) or made a loaded model
/// answer every completion with an error, before model files were probed in a child process. Each is the exact input,
/// through the real process: selecting it is refused (-32803, the probe saw the child die or fail) or it loads and
/// completes with a result; either way the server lives and exits with 0.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class FuzzFindingsTests
{
    // gguf, seeds 20261206, 1, 4, 5, 6: with mmap, ggml asserts that every tensor's data is 32-byte aligned
    // (ggml-backend.cpp: "buffer pointer must be aligned"); a power-of-two general.alignment below 32 passes GgufReader.
    [Theory]
    [InlineData(1u)]
    [InlineData(8u)]
    public Task AnAlignmentBelow32IsRefusedAndTheServerLives(uint alignment) =>
        WriteSelectAndCompleteAsync(TestModel.Get().CreateWriter().Set(GgufWriter.AlignmentKey, alignment), "alignment");

    // gguf, seed 4: gguf.cpp asserts "get_type() != GGUF_TYPE_STRING" when token_type holds strings.
    [Fact]
    public Task TokenTypesThatAreStringsAreRefusedAndTheServerLives() =>
        WriteSelectAndCompleteAsync(TestModel.Get().CreateWriter().Set("tokenizer.ggml.token_type", TestModel.Get().TokenTypes.Select(t => t.ToString(System.Globalization.CultureInfo.InvariantCulture))), "token-type");

    // gguf, seed 3: llama.cpp loads it, then llama-vocab.cpp asserts "type != LLAMA_VOCAB_TYPE_NONE" when the selection first tokenizes.
    [Fact]
    public Task TokenizerModelNoneIsRefusedAndTheServerLives() =>
        WriteSelectAndCompleteAsync(TestModel.Get().CreateWriter().Set("tokenizer.ggml.model", "none"), "tokenizer-none");

    // gguf, seeds 8 and 9: tokenizer.ggml.model "llama" (SentencePiece) over a byte-level BPE vocabulary; llama.cpp looks up
    // a byte token that is not there, std::out_of_range ("_Map_base::at") is not caught, and terminate aborts.
    [Fact]
    public Task ASentencePieceTokenizerOverABpeVocabularyIsRefusedAndTheServerLives() =>
        WriteSelectAndCompleteAsync(TestModel.Get().CreateWriter().Set("tokenizer.ggml.model", "llama"), "tokenizer-llama");

    // gguf, seed 7: a hyper-parameter llama.cpp reads as "a number or an array of numbers", given as an array of strings;
    // llama-model-loader.cpp asserts "std::is_same<T, std::string>".
    [Fact]
    public Task AHyperParameterThatIsAnArrayOfStringsIsRefusedAndTheServerLives() =>
        WriteSelectAndCompleteAsync(TestModel.Get().CreateWriter().Set("llama.feed_forward_length", GgufValue.Array(new[] { "a", "b" })), "feed-forward-strings");

    // gguf, seed 20261206 (input 82): a tensor dimension of 0. gguf.cpp divides by each dimension to check the element
    // count for overflow, and the process dies of SIGFPE (exit 136) before llama.cpp logs a line.
    [Fact]
    public Task ATensorDimensionOfZeroIsRefusedAndTheServerLives()
    {
        var bytes = TestModel.Get().CreateWriter().ToArray(out var layout);
        var tensor = layout.Tensors.Single(t => t.Name == "token_embd.weight");

        // The info record: name (u64 length, bytes), u32 dimension count, u64 ne[0], u64 ne[1], …
        var nameLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)tensor.InfoOffset));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan((int)tensor.InfoOffset + 8 + nameLength + 4 + 8), 0);
        return SelectAndCompleteAsync(TestModelFiles.Write(bytes, "zero-dimension"));
    }

    // gguf, seed 4: the model loads, and every completion answers -32000 "llama.cpp decode failed: InvalidInputBatch"
    // with a .NET stack trace, where an unusable model should give an empty result or be refused.
    [Fact]
    public Task TokenizerModelRwkvIsRefusedOrCompletesWithAResult() =>
        WriteSelectAndCompleteAsync(TestModel.Get().CreateWriter().Set("tokenizer.ggml.model", "rwkv"), "tokenizer-rwkv");

    private static Task WriteSelectAndCompleteAsync(GgufWriter writer, string hint)
    {
        var path = TestModelFiles.NewPath(hint);
        writer.WriteToFile(path);
        return SelectAndCompleteAsync(path);
    }

    /// <summary>Selects the file through the real process: refused with -32803, or loaded and completing; alive either way.</summary>
    private static async Task SelectAndCompleteAsync(string path)
    {
        var models = Directory.CreateTempSubdirectory("codeassist-fuzz-models-");
        try
        {
            await SelectAndCompleteWithModelsFolderAsync(path, models.FullName);
        }
        finally
        {
            models.Delete(recursive: true);
        }
    }

    private static async Task SelectAndCompleteWithModelsFolderAsync(string path, string models)
    {
        await using var server = await FuzzServer.StartAsync(models);
        var answer = await server.RequestAsync("workspace/executeCommand",
            JsonText.Fill("""{"command":"codeAssist.selectModel","arguments":[{"tier":"local","id":@0}]}""", JsonSerializer.Serialize(path)),
            TimeSpan.FromSeconds(60));
        if (answer.TryGetProperty("error", out var error))
        {
            Assert.Equal(-32803, error.GetProperty("code").GetInt32());
        }

        var completion = await server.CompleteFreshAsync(TimeSpan.FromSeconds(60));
        Assert.True(completion.TryGetProperty("result", out _), completion.GetRawText());
        Assert.True(server.IsAlive);
        Assert.Equal(0, await server.ShutdownAsync());
        Assert.Null(server.StdoutViolation);
    }
}
