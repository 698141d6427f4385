using System.Globalization;
using System.Text;

namespace CodeAssist.Server.Inference.Gguf;

/// <summary>What a GGUF file's header declares: version, scalar metadata and tensor layout.</summary>
/// <param name="DataOffset">Absolute offset of the tensor data section (tensor offsets are relative to it).</param>
/// <param name="Tensors">The tensor-info records, in file order.</param>
public sealed record GgufFileInfo(
    string Path,
    uint Version,
    long FileSize,
    IReadOnlyDictionary<string, object> Metadata,
    IReadOnlyDictionary<string, int> ArrayLengths,
    int TensorCount,
    long DataOffset,
    IReadOnlyList<GgufTensorInfo> Tensors)
{
    /// <summary>A metadata value as a string, or null when absent or not a string.</summary>
    public string? GetString(string key) => Metadata.TryGetValue(key, out var v) ? v as string : null;

    /// <summary>A metadata value as a long, or null when absent or not an integer.</summary>
    public long? GetInteger(string key) => Metadata.TryGetValue(key, out var v) ? v switch
    {
        byte b => b,
        sbyte sb => sb,
        ushort us => us,
        short s => s,
        uint ui => ui,
        int i => i,
        ulong ul => (long)ul,
        long l => l,
        _ => null,
    } : null;

    /// <summary>The architecture the file declares (general.architecture).</summary>
    public string Architecture => GetString("general.architecture") ?? "unknown";

    /// <summary>The array values the reader was asked to keep (see <see cref="GgufReader.Read(string, IReadOnlyCollection{string})"/>); empty otherwise.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<object>> Arrays { get; init; } = new Dictionary<string, IReadOnlyList<object>>();
}

/// <summary>One tensor-info record of a GGUF file.</summary>
/// <param name="Name">Tensor name, e.g. <c>blk.0.attn_q.weight</c>.</param>
/// <param name="Type">The ggml type id (0 = F32, 1 = F16, 8 = Q8_0, ...).</param>
/// <param name="Dimensions">Sizes, innermost first (ggml's ne).</param>
/// <param name="Offset">Offset of its data from <see cref="GgufFileInfo.DataOffset"/>.</param>
/// <param name="ByteLength">Bytes of data, or null for a type this reader does not know the size of.</param>
public sealed record GgufTensorInfo(string Name, uint Type, IReadOnlyList<long> Dimensions, long Offset, long? ByteLength);

/// <summary>
/// Reads and validates a GGUF header before llama.cpp sees the file. llama.cpp trusts tensor
/// offsets and sizes, so a truncated download could fault natively and take the whole server down;
/// checking them here turns that into a clear error.
/// </summary>
public static class GgufReader
{
    private const uint Magic = 0x46554747; // "GGUF" little-endian
    private const int MaxStringBytes = 64 * 1024 * 1024;
    private const uint StringType = 8;
    private const string TokensKey = "tokenizer.ggml.tokens";

    /// <summary>Reads the header of <paramref name="path"/>; throws <see cref="ModelLoadException"/> when it is not a complete GGUF file.</summary>
    public static GgufFileInfo Read(string path) => Read(path, []);

    /// <summary>Reads the header of <paramref name="path"/>, keeping the values of the arrays named in <paramref name="keepArrays"/> (e.g. the vocabulary).</summary>
    public static GgufFileInfo Read(string path, IReadOnlyCollection<string> keepArrays)
    {
        // Before opening: a FIFO would block the open, a device cannot be mapped by llama.cpp.
        switch (FileKind.WhyNotRegular(path))
        {
            case null:
                break;
            case "not found":
                throw new ModelLoadException($"model file not found: {path}");
            case var why:
                throw new ModelLoadException($"model path is {why}, not a GGUF file: {path}");
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return Read(stream, path, keepArrays);
        }
        catch (EndOfStreamException)
        {
            throw new ModelLoadException($"model file is truncated (the GGUF header ends early): {path}");
        }
        catch (IOException ex)
        {
            throw new ModelLoadException($"model file cannot be read: {path}: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ModelLoadException($"model file cannot be read: {path}: {ex.Message}");
        }
    }

    private static GgufFileInfo Read(Stream stream, string path, IReadOnlyCollection<string> keepArrays)
    {
        var fileSize = stream.Length;
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        if (fileSize < 24 || reader.ReadUInt32() != Magic)
        {
            throw new ModelLoadException($"not a GGUF model file (bad magic): {path}");
        }

        var version = reader.ReadUInt32();
        if (version is < 2 or > 3)
        {
            throw new ModelLoadException($"unsupported GGUF version {version} (expected 2 or 3): {path}");
        }

        var tensorCount = reader.ReadUInt64();
        var kvCount = reader.ReadUInt64();
        if (tensorCount > 1_000_000 || kvCount > 1_000_000)
        {
            throw new ModelLoadException($"model file is corrupt (implausible counts: {tensorCount} tensors, {kvCount} keys): {path}");
        }

        var metadata = new Dictionary<string, object>(StringComparer.Ordinal);
        var arrayLengths = new Dictionary<string, int>(StringComparer.Ordinal);
        var arrayTypes = new Dictionary<string, uint>(StringComparer.Ordinal);
        var kept = new Dictionary<string, IReadOnlyList<object>>(StringComparer.Ordinal);
        for (ulong i = 0; i < kvCount; i++)
        {
            var key = ReadString(reader, path);
            var type = reader.ReadUInt32();
            if (type == 9)
            {
                var elementType = reader.ReadUInt32();
                var length = reader.ReadUInt64();
                if (length > int.MaxValue)
                {
                    throw new ModelLoadException($"model file is corrupt (array '{key}' too long): {path}");
                }

                arrayLengths[key] = (int)length;
                arrayTypes[key] = elementType;
                var values = keepArrays.Contains(key) ? new List<object>((int)Math.Min(length, 1 << 20)) : null;
                var tokens = key == TokensKey && elementType == StringType ? new HashSet<string>(StringComparer.Ordinal) : null;
                for (ulong j = 0; j < length; j++)
                {
                    var value = ReadValue(reader, elementType, path);
                    values?.Add(value);
                    if (tokens is not null && !tokens.Add((string)value))
                    {
                        // llama.cpp asserts that every token string is unique (id_to_token and token_to_id the same size).
                        throw new ModelLoadException($"model file is corrupt (token {j} repeats the string of an earlier token): {path}");
                    }

                    if (value is float or double && !double.IsFinite(Convert.ToDouble(value, CultureInfo.InvariantCulture)))
                    {
                        throw new ModelLoadException($"model file is corrupt (array '{key}' holds {value}): {path}");
                    }
                }

                if (values is not null)
                {
                    kept[key] = values;
                }
            }
            else
            {
                metadata[key] = ReadValue(reader, type, path);
            }
        }

        RejectWhatCrashesLlamaCpp(metadata, arrayTypes, path);
        var alignment = metadata.TryGetValue("general.alignment", out var a) && a is uint align && align > 0 ? align : 32u;
        ulong dataEnd = 0;
        var tensors = new List<GgufTensorInfo>();
        for (ulong i = 0; i < tensorCount; i++)
        {
            var name = ReadString(reader, path);
            var dims = reader.ReadUInt32();
            if (dims > 4)
            {
                throw new ModelLoadException($"model file is corrupt (tensor '{name}' has {dims} dimensions): {path}");
            }

            ulong elements = 1;
            var shape = new long[dims];
            for (var d = 0; d < dims; d++)
            {
                var size = reader.ReadUInt64();
                shape[d] = (long)Math.Min(size, long.MaxValue);
                elements *= size;
            }

            var type = reader.ReadUInt32();
            var offset = reader.ReadUInt64();
            var byteLength = TensorBytes(type, elements);
            if (byteLength is { } bytes)
            {
                dataEnd = Math.Max(dataEnd, offset + bytes);
            }

            tensors.Add(new GgufTensorInfo(name, type, shape, (long)Math.Min(offset, long.MaxValue), byteLength is { } b ? (long)Math.Min(b, long.MaxValue) : null));
        }

        var dataStart = (ulong)stream.Position;
        dataStart = (dataStart + alignment - 1) / alignment * alignment;
        if (tensorCount > 0 && dataStart + dataEnd > (ulong)fileSize)
        {
            throw new ModelLoadException(
                $"model file is truncated: tensors need {dataStart + dataEnd} bytes but the file has {fileSize}: {path}");
        }

        return new GgufFileInfo(path, version, fileSize, metadata, arrayLengths, (int)tensorCount, (long)dataStart, tensors) { Arrays = kept };
    }

    // llama.cpp asserts (aborting the whole process) on these instead of failing the load, so they are
    // refused here. Found by loading corrupted files in a child process.
    private static void RejectWhatCrashesLlamaCpp(Dictionary<string, object> metadata, Dictionary<string, uint> arrayTypes, string path)
    {
        if (metadata.TryGetValue("general.alignment", out var alignment) && (alignment is not uint value || value == 0 || (value & (value - 1)) != 0))
        {
            throw new ModelLoadException($"model file is corrupt (general.alignment must be a power-of-two uint32): {path}");
        }

        foreach (var key in new[] { "tokenizer.ggml.tokens", "tokenizer.ggml.merges" })
        {
            if (arrayTypes.TryGetValue(key, out var type) && type != 8)
            {
                throw new ModelLoadException($"model file is corrupt ({key} must be an array of strings): {path}");
            }
        }

        if (metadata.TryGetValue("general.architecture", out var architecture) && architecture is string arch
            && metadata.TryGetValue($"{arch}.block_count", out var blocks))
        {
            var count = ToLong(blocks) ?? -1;
            if (count is < 1 or > 512)
            {
                throw new ModelLoadException($"model file is corrupt ({arch}.block_count is {blocks}): {path}");
            }
        }

        foreach (var (key, scalar) in metadata)
        {
            var number = scalar switch { float f => f, double d => d, _ => (double?)null };
            if (number is { } x && !double.IsFinite(x))
            {
                throw new ModelLoadException($"model file is corrupt ({key} is {x.ToString(CultureInfo.InvariantCulture)}): {path}");
            }

            // llama.cpp asserts eps >= 0 in the first decode, after the model loaded as ready.
            if (number < 0 && key.Contains("epsilon", StringComparison.Ordinal))
            {
                throw new ModelLoadException($"model file is corrupt ({key} is negative): {path}");
            }
        }

        if (metadata.TryGetValue("general.architecture", out var archValue) && archValue is string architectureName)
        {
            foreach (var field in new[] { "embedding_length", "attention.head_count", "context_length" })
            {
                if (metadata.TryGetValue($"{architectureName}.{field}", out var count) && ToLong(count) is < 1 or > 1L << 24)
                {
                    throw new ModelLoadException($"model file is corrupt ({architectureName}.{field} is {count}): {path}");
                }
            }
        }

        if (metadata.Values.OfType<string>().Any(v => v.Length == 0))
        {
            // LLamaSharp 0.30.0 throws ArgumentNullException while reading an empty metadata string.
            throw new ModelLoadException($"model file has an empty metadata string, which LLamaSharp 0.30.0 cannot read: {path}");
        }
    }

    private static long? ToLong(object value) => value switch
    {
        uint u => u,
        int i => i,
        ulong ul => (long)Math.Min(ul, long.MaxValue),
        long l => l,
        ushort us => us,
        short sh => sh,
        byte b => b,
        sbyte sb => sb,
        _ => null,
    };

    private static string ReadString(BinaryReader reader, string path)
    {
        var length = reader.ReadUInt64();
        if (length > MaxStringBytes)
        {
            throw new ModelLoadException($"model file is corrupt (a string of {length} bytes): {path}");
        }

        var bytes = reader.ReadBytes((int)length);
        if (bytes.Length != (int)length)
        {
            throw new EndOfStreamException();
        }

        return Encoding.UTF8.GetString(bytes);
    }

    private static object ReadValue(BinaryReader reader, uint type, string path) => type switch
    {
        0 => reader.ReadByte(),
        1 => reader.ReadSByte(),
        2 => reader.ReadUInt16(),
        3 => reader.ReadInt16(),
        4 => reader.ReadUInt32(),
        5 => reader.ReadInt32(),
        6 => reader.ReadSingle(),
        7 => reader.ReadByte() != 0,
        8 => ReadString(reader, path),
        10 => reader.ReadUInt64(),
        11 => reader.ReadInt64(),
        12 => reader.ReadDouble(),
        _ => throw new ModelLoadException($"model file is corrupt (unknown metadata type {type}): {path}"),
    };

    // Bytes per block and elements per block of the ggml tensor types; null for types we don't know,
    // which are then not size-checked rather than rejected.
    private static ulong? TensorBytes(uint type, ulong elements)
    {
        (ulong bytes, ulong block)? layout = type switch
        {
            0 => (4, 1),
            1 => (2, 1),
            2 => (18, 32),
            3 => (20, 32),
            6 => (22, 32),
            7 => (24, 32),
            8 => (34, 32),
            9 => (36, 32),
            10 => (84, 256),
            11 => (110, 256),
            12 => (144, 256),
            13 => (176, 256),
            14 => (210, 256),
            15 => (292, 256),
            16 => (66, 256),
            17 => (74, 256),
            18 => (98, 256),
            19 => (50, 256),
            20 => (18, 32),
            21 => (110, 256),
            22 => (82, 256),
            23 => (136, 256),
            24 => (1, 1),
            25 => (2, 1),
            26 => (4, 1),
            27 => (8, 1),
            28 => (8, 1),
            29 => (56, 256),
            30 => (2, 1),
            _ => null,
        };
        return layout is { } l ? (elements + l.block - 1) / l.block * l.bytes : null;
    }
}
