using System.Buffers.Binary;
using CodeAssist.Server.Inference.Gguf;

namespace CodeAssist.Tools.Evaluation;

/// <summary>
/// A copy of a GGUF model with its weights replaced by seeded noise (F16 tensors uniform in ±0.02, F32 norm weights 1):
/// the same shape, tokenizer and metadata, and nothing learned. With the context copy model mixed in, it measures
/// what copying alone achieves (<c>baseline:copy</c>); alone, what a model that learned nothing scores.
/// </summary>
public static class RandomWeights
{
    /// <summary>The seed the evaluation and the tests use.</summary>
    public const int DefaultSeed = 20240601;

    private const float Scale = 0.02f;

    /// <summary>Writes the copy to <paramref name="destination"/>.</summary>
    /// <exception cref="InvalidDataException">The model has tensors other than F16 and F32.</exception>
    public static void Write(string source, string destination, int seed = DefaultSeed)
    {
        var info = GgufReader.Read(source);
        var bytes = File.ReadAllBytes(source);
        var random = new Random(seed);
        foreach (var tensor in info.Tensors)
        {
            if (tensor.ByteLength is not { } length)
            {
                throw new InvalidDataException($"{tensor.Name}: ggml type {tensor.Type} has no known size");
            }

            var data = bytes.AsSpan(checked((int)(info.DataOffset + tensor.Offset)), checked((int)length));
            switch (tensor.Type)
            {
                case 1:
                    for (var i = 0; i < data.Length; i += 2)
                    {
                        BinaryPrimitives.WriteHalfLittleEndian(data[i..], (Half)(((random.NextSingle() * 2f) - 1f) * Scale));
                    }

                    break;
                case 0:
                    for (var i = 0; i < data.Length; i += 4)
                    {
                        BinaryPrimitives.WriteSingleLittleEndian(data[i..], 1f);
                    }

                    break;
                default:
                    throw new InvalidDataException($"{tensor.Name} has ggml type {tensor.Type}; only F16 and F32 models can be randomized");
            }
        }

        File.WriteAllBytes(destination, bytes);
    }
}
