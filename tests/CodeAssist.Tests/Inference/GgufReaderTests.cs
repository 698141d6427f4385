using CodeAssist.Server.Inference.Gguf;
using CodeAssist.Tests.Gguf;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Inference;

/// <summary>What <see cref="CodeAssist.Server.Inference.Gguf.GgufReader"/> reports about a file's tensor layout.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public class GgufReaderTests
{
    [Fact]
    public void TheReaderReportsTheDataSectionAndEveryTensorWhereTheWriterPutThem()
    {
        var writer = new GgufWriter().Set("general.name", "layout");
        writer.AddTensor("a", GgufTensorType.F32, [3], [1f, 2f, 3f]);
        writer.AddTensor("b", GgufTensorType.F16, [5, 2], new float[10]);
        var path = TestModelFiles.NewPath("layout");
        var layout = writer.WriteToFile(path);

        var info = GgufReader.Read(path);

        Assert.Equal(layout.DataOffset, info.DataOffset);
        Assert.Equal(["a", "b"], info.Tensors.Select(t => t.Name));
        Assert.Equal([0u, 1u], info.Tensors.Select(t => t.Type));
        Assert.Equal([5L, 2L], info.Tensors[1].Dimensions);
        foreach (var (tensor, written) in info.Tensors.Zip(layout.Tensors))
        {
            Assert.Equal(written.DataOffset, info.DataOffset + tensor.Offset);
            Assert.Equal(written.DataLength, tensor.ByteLength);
        }
    }
}
