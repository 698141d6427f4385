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

    private static string Write(GgufWriter writer, string hint)
    {
        var path = TestModelFiles.NewPath(hint);
        writer.WriteToFile(path);
        return path;
    }
}
