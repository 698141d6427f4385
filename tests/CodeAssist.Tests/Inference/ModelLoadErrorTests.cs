using CodeAssist.Server.Inference;
using CodeAssist.Tests.Gguf;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace CodeAssist.Tests.Inference;

[Trait(TestCategory.Name, TestCategory.Model)]
public class ModelLoadErrorTests
{
    private static ModelLoadException LoadFails(string path) =>
        Assert.Throws<ModelLoadException>(() => LocalModel.Load(path, new LocalModelOptions { ContextSize = 256, Threads = 1 }, NullLogger.Instance).Dispose());

    [Fact]
    public void AMissingFileIsAClearError() =>
        Assert.Contains("not found", LoadFails("/nonexistent/model.gguf").Message);

    [Fact]
    public void AFolderIsAClearError() =>
        Assert.Contains("folder", LoadFails(Path.GetTempPath()).Message);

    [Fact]
    public void ATextFileIsNotAGguf() =>
        Assert.Contains("not a GGUF", LoadFails(TestModelFiles.Write("def f():\n    pass\n"u8.ToArray(), "text")).Message);

    [Theory]
    [InlineData(10)]
    [InlineData(100)]
    [InlineData(5000)]
    public void ATruncatedFileIsAClearError(int keepBytes)
    {
        var bytes = File.ReadAllBytes(TestModel.Get().Path);
        var message = LoadFails(TestModelFiles.Write(bytes[..keepBytes], "truncated")).Message;
        Assert.Contains("truncated", message);
    }

    [Fact]
    public void AFileMissingItsLastTensorBytesIsAClearError()
    {
        var bytes = File.ReadAllBytes(TestModel.Get().Path);
        Assert.Contains("truncated", LoadFails(TestModelFiles.Write(bytes[..^1], "short")).Message);
    }

    // llama.cpp aborts the process on these; the header check must refuse them first.
    [Fact]
    public void ZeroBlocksIsRefusedBeforeLlamaCppSeesIt()
    {
        var writer = TestModel.Get().CreateWriter();
        writer.Set("llama.block_count", 0u);
        Assert.Contains("block_count", LoadFails(Write(writer, "blocks")).Message);
    }

    [Fact]
    public void ATokenListThatIsNotStringsIsRefusedBeforeLlamaCppSeesIt()
    {
        var writer = TestModel.Get().CreateWriter();
        writer.Set("tokenizer.ggml.tokens", Enumerable.Range(0, TestModel.Get().VocabSize));
        Assert.Contains("tokenizer.ggml.tokens", LoadFails(Write(writer, "tokens")).Message);
    }

    [Fact]
    public void AnAlignmentOfTheWrongTypeIsRefusedBeforeLlamaCppSeesIt()
    {
        var writer = TestModel.Get().CreateWriter();
        writer.Set(GgufWriter.AlignmentKey, 32);
        Assert.Contains("alignment", LoadFails(Write(writer, "alignment")).Message);
    }

    [Fact]
    public void AnUnknownArchitectureFailsInLlamaCppAndIsReportedClearly()
    {
        var writer = TestModel.Get().CreateWriter();
        writer.Set("general.architecture", "no-such-arch");
        var message = LoadFails(Write(writer, "arch")).Message;
        Assert.Contains("could not be loaded", message);
    }

    // The hardening issue's reproductions: each of these aborted the process inside llama.cpp (SIGABRT).
    [Fact]
    public void ATokenStringThatRepeatsIsRefusedBeforeLlamaCppSeesIt()
    {
        var model = TestModel.Get();
        var tokens = model.Tokens.ToList();
        tokens[^1] = tokens[^2];
        var writer = model.CreateWriter();
        writer.Set("tokenizer.ggml.tokens", tokens);
        Assert.Contains("repeats the string of an earlier token", LoadFails(Write(writer, "duplicate")).Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(-1e-5f)]
    public void AnEpsilonThatIsNotAFiniteNonNegativeNumberIsRefusedBeforeTheFirstDecode(float epsilon)
    {
        var writer = TestModel.Get().CreateWriter();
        writer.Set("llama.attention.layer_norm_rms_epsilon", epsilon);
        Assert.Contains("layer_norm_rms_epsilon", LoadFails(Write(writer, "eps")).Message);
    }

    [Fact]
    public void ANonFiniteFloatAnywhereInTheHyperParametersIsRefused()
    {
        var writer = TestModel.Get().CreateWriter();
        writer.Set("llama.rope.freq_base", double.NegativeInfinity);
        Assert.Contains("llama.rope.freq_base", LoadFails(Write(writer, "rope")).Message);
    }

    [Theory]
    [InlineData("llama.attention.head_count")]
    [InlineData("llama.embedding_length")]
    [InlineData("llama.context_length")]
    public void AZeroCountIsRefused(string key)
    {
        var writer = TestModel.Get().CreateWriter();
        writer.Set(key, 0u);
        Assert.Contains(key, LoadFails(Write(writer, "count")).Message);
    }

    [Fact]
    public async Task AFifoIsRefusedWithoutOpeningIt()
    {
        var path = TestModelFiles.NewPath("fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]))
        {
            mkfifo.WaitForExit();
        }

        // Opening a FIFO blocks until a writer comes; the check must answer at once.
        var refused = await Task.Run(() => LoadFails(path)).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains("FIFO", refused.Message);
    }

    [Theory]
    [InlineData("/dev/null", "character device")]
    [InlineData("/dev/zero", "character device")]
    [InlineData("/dev/stdin", ", not a GGUF file")]
    public void ADeviceIsRefused(string path, string kind) =>
        Assert.Contains(kind, LoadFails(path).Message);

    [Fact]
    public void ALoopOfSymbolicLinksIsAClearError()
    {
        var a = TestModelFiles.NewPath("loop-a");
        var b = TestModelFiles.NewPath("loop-b");
        File.CreateSymbolicLink(a, b);
        File.CreateSymbolicLink(b, a);
        Assert.Contains("loop of symbolic links", LoadFails(a).Message);
    }

    [Fact]
    public void ALinkToTheModelLoads()
    {
        var link = TestModelFiles.NewPath("link");
        File.CreateSymbolicLink(link, TestModel.Get().Path);
        LocalModel.Load(link, new LocalModelOptions { ContextSize = 256, Threads = 1 }, NullLogger.Instance).Dispose();
    }

    private static string Write(GgufWriter writer, string hint)
    {
        var path = TestModelFiles.NewPath(hint);
        writer.WriteToFile(path);
        return path;
    }
}
