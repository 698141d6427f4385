using System.Buffers.Binary;
using System.Text;
using CodeAssist.Server.Inference.Gguf;

namespace CodeAssist.Tools.Benchmarks;

/// <summary>
/// A copy of a GGUF whose <c>ARCH.context_length</c> is raised, so a model trained on short windows can be timed
/// on long prompts. Same weights, same shape, same cost per token; past the trained length its answers are
/// worse (RoPE does not extrapolate), which a timing does not care about and a quality measurement must.
/// </summary>
internal static class ContextStandIn
{
    private const uint GgufUInt32 = 4;
    private const uint GgufUInt64 = 10;

    /// <summary>The model's trained context length, from its metadata.</summary>
    public static long? TrainedContext(string path)
    {
        var file = GgufReader.Read(path);
        return file.GetInteger($"{file.Architecture}.context_length");
    }

    /// <summary>Writes the copy into <paramref name="folder"/> and returns its path.</summary>
    public static string Create(string path, int contextLength, string folder)
    {
        var file = GgufReader.Read(path);
        var key = Encoding.UTF8.GetBytes($"{file.Architecture}.context_length");
        var bytes = File.ReadAllBytes(path);

        // A metadata key is stored as a u64 length and its bytes, then the value's u32 type and the value.
        var pattern = new byte[8 + key.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(pattern, (ulong)key.Length);
        key.CopyTo(pattern, 8);
        var at = bytes.AsSpan().IndexOf(pattern);
        if (at < 0)
        {
            throw new InvalidDataException($"{path} has no {Encoding.UTF8.GetString(key)}");
        }

        var typeAt = at + pattern.Length;
        var type = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(typeAt));
        switch (type)
        {
            case GgufUInt32:
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(typeAt + 4), (uint)contextLength);
                break;
            case GgufUInt64:
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(typeAt + 4), (ulong)contextLength);
                break;
            default:
                throw new InvalidDataException($"{path}: context_length has GGUF type {type}, expected an unsigned integer");
        }

        Directory.CreateDirectory(folder);
        var copy = Path.Combine(folder, $"{Path.GetFileNameWithoutExtension(path)}-ctx{contextLength}.gguf");
        File.WriteAllBytes(copy, bytes);
        return copy;
    }
}
