using System.Text;

namespace CodeAssist.Tests.Gguf;

/// <summary>Writes GGUF (version 3, little-endian) files: header, typed metadata, tensor infos and aligned tensor data.</summary>
/// <remarks>
/// Layout written (all integers little-endian): "GGUF", uint32 version, uint64 tensor count, uint64 key/value count;
/// each key/value as string key, uint32 type, value (arrays: uint32 element type, uint64 count, elements; strings:
/// uint64 byte length, UTF-8 bytes, no terminator); each tensor info as string name, uint32 n_dims, uint64 ne[n_dims]
/// (ne[0] is the innermost, contiguous dimension), uint32 ggml type, uint64 offset relative to the data section;
/// zero padding up to the alignment; then every tensor's data, each starting on an aligned offset.
/// The alignment is <c>general.alignment</c> (uint32) when that key is set, otherwise 32.
/// Nothing here validates semantics: a test may write keys llama.cpp rejects, or edit the bytes afterwards.
/// </remarks>
public sealed class GgufWriter
{
    public const uint DefaultAlignment = 32;
    public const string AlignmentKey = "general.alignment";

    private static readonly byte[] Magic = "GGUF"u8.ToArray();
    private readonly List<KeyValuePair<string, GgufValue>> _metadata = [];
    private readonly List<GgufTensor> _tensors = [];

    /// <summary>The version number written after the magic; the spec's current version is 3.</summary>
    public uint Version { get; set; } = 3;

    /// <summary>Metadata in the order it will be written.</summary>
    public IReadOnlyList<KeyValuePair<string, GgufValue>> Metadata => _metadata;

    /// <summary>Tensors in the order they will be written.</summary>
    public IReadOnlyList<GgufTensor> Tensors => _tensors;

    /// <summary>The alignment of the data section and of each tensor: <c>general.alignment</c> if set as uint32, else 32.</summary>
    public uint Alignment =>
        TryGet(AlignmentKey, out var value) && value.Type == GgufValueType.UInt32 && (uint)value.Value > 0
            ? (uint)value.Value
            : DefaultAlignment;

    /// <summary>Adds a key, or replaces its value in place if it is already present.</summary>
    public GgufWriter Set(string key, GgufValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        var index = _metadata.FindIndex(kv => kv.Key == key);
        if (index >= 0)
        {
            _metadata[index] = new(key, value);
        }
        else
        {
            _metadata.Add(new(key, value));
        }

        return this;
    }

    public GgufWriter Set(string key, byte value) => Set(key, GgufValue.UInt8(value));
    public GgufWriter Set(string key, sbyte value) => Set(key, GgufValue.Int8(value));
    public GgufWriter Set(string key, ushort value) => Set(key, GgufValue.UInt16(value));
    public GgufWriter Set(string key, short value) => Set(key, GgufValue.Int16(value));
    public GgufWriter Set(string key, uint value) => Set(key, GgufValue.UInt32(value));
    public GgufWriter Set(string key, int value) => Set(key, GgufValue.Int32(value));
    public GgufWriter Set(string key, float value) => Set(key, GgufValue.Float32(value));
    public GgufWriter Set(string key, bool value) => Set(key, GgufValue.Bool(value));
    public GgufWriter Set(string key, string value) => Set(key, GgufValue.String(value));
    public GgufWriter Set(string key, ulong value) => Set(key, GgufValue.UInt64(value));
    public GgufWriter Set(string key, long value) => Set(key, GgufValue.Int64(value));
    public GgufWriter Set(string key, double value) => Set(key, GgufValue.Float64(value));
    public GgufWriter Set(string key, IEnumerable<string> values) => Set(key, GgufValue.Array(values));
    public GgufWriter Set(string key, IEnumerable<int> values) => Set(key, GgufValue.Array(values));
    public GgufWriter Set(string key, IEnumerable<float> values) => Set(key, GgufValue.Array(values));

    /// <summary>Sets <c>general.alignment</c>, which moves the data section and every tensor to multiples of it.</summary>
    public GgufWriter SetAlignment(uint alignment)
    {
        ArgumentOutOfRangeException.ThrowIfZero(alignment);
        return Set(AlignmentKey, alignment);
    }

    public bool TryGet(string key, out GgufValue value)
    {
        var index = _metadata.FindIndex(kv => kv.Key == key);
        value = index >= 0 ? _metadata[index].Value : null!;
        return index >= 0;
    }

    public bool Remove(string key) => _metadata.RemoveAll(kv => kv.Key == key) > 0;

    /// <summary>Adds a tensor. <paramref name="ne"/> lists dimensions innermost first, as ggml does: a weight that maps
    /// n_in to n_out features is [n_in, n_out]. <paramref name="data"/> is row-major in that order and is converted to
    /// <paramref name="type"/> on write.</summary>
    public GgufWriter AddTensor(string name, GgufTensorType type, IReadOnlyList<long> ne, float[] data)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (ne.Count is < 1 or > 4)
        {
            throw new ArgumentException("ggml tensors have 1 to 4 dimensions.", nameof(ne));
        }

        var count = ne.Aggregate(1L, (product, n) => product * n);
        if (count != data.Length)
        {
            throw new ArgumentException($"Tensor {name} has {count} elements by its dimensions but {data.Length} values.", nameof(data));
        }

        if (_tensors.Exists(t => t.Name == name))
        {
            throw new ArgumentException($"Tensor {name} is already added.", nameof(name));
        }

        _tensors.Add(new GgufTensor(name, type, [.. ne], data));
        return this;
    }

    /// <summary>Applies <paramref name="edit"/> and returns this writer, for one-expression variants.</summary>
    public GgufWriter With(Action<GgufWriter> edit)
    {
        edit(this);
        return this;
    }

    public bool RemoveTensor(string name) => _tensors.RemoveAll(t => t.Name == name) > 0;

    /// <summary>Writes the whole file and reports where its parts landed.</summary>
    public GgufLayout WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var alignment = Alignment;
        // Offsets are tracked here rather than read from the stream so any writable stream (even non-seekable) works.
        using var output = new CountingWriter(stream);

        output.Write(Magic);
        output.Write(Version);
        output.Write((ulong)_tensors.Count);
        output.Write((ulong)_metadata.Count);

        var metadataOffset = output.Position;
        foreach (var (key, value) in _metadata)
        {
            output.WriteString(key);
            output.Write((uint)value.Type);
            WriteValue(output, value);
        }

        var tensorInfosOffset = output.Position;
        var relativeOffset = 0L;
        var placed = new List<(GgufTensor Tensor, long InfoOffset, long RelativeOffset)>(_tensors.Count);
        foreach (var tensor in _tensors)
        {
            placed.Add((tensor, output.Position, relativeOffset));
            output.WriteString(tensor.Name);
            output.Write((uint)tensor.Ne.Length);
            foreach (var n in tensor.Ne)
            {
                output.Write((ulong)n);
            }

            output.Write((uint)tensor.Type);
            output.Write((ulong)relativeOffset);
            relativeOffset = AlignUp(relativeOffset + tensor.ByteLength, alignment);
        }

        output.PadTo(AlignUp(output.Position, alignment));
        var dataOffset = output.Position;
        var layouts = new List<GgufTensorLayout>(_tensors.Count);
        foreach (var (tensor, infoOffset, offset) in placed)
        {
            output.PadTo(dataOffset + offset);
            layouts.Add(new GgufTensorLayout(tensor.Name, infoOffset, output.Position, tensor.ByteLength));
            WriteTensorData(output, tensor);
        }

        output.PadTo(dataOffset + relativeOffset);
        return new GgufLayout(metadataOffset, tensorInfosOffset, dataOffset, output.Position, layouts);
    }

    public byte[] ToArray() => ToArray(out _);

    public byte[] ToArray(out GgufLayout layout)
    {
        using var memory = new MemoryStream();
        layout = WriteTo(memory);
        return memory.ToArray();
    }

    /// <summary>Writes to <paramref name="path"/> (via a temporary file and a rename, so a reader never sees half a file).</summary>
    public GgufLayout WriteToFile(string path)
    {
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        GgufLayout layout;
        using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        {
            layout = WriteTo(file);
        }

        File.Move(temporary, path, overwrite: true);
        return layout;
    }

    private static long AlignUp(long value, uint alignment) => (value + alignment - 1) / alignment * alignment;

    private static void WriteValue(CountingWriter output, GgufValue value)
    {
        switch (value.Type)
        {
            case GgufValueType.UInt8: output.Write((byte)value.Value); break;
            case GgufValueType.Int8: output.Write((sbyte)value.Value); break;
            case GgufValueType.UInt16: output.Write((ushort)value.Value); break;
            case GgufValueType.Int16: output.Write((short)value.Value); break;
            case GgufValueType.UInt32: output.Write((uint)value.Value); break;
            case GgufValueType.Int32: output.Write((int)value.Value); break;
            case GgufValueType.Float32: output.Write((float)value.Value); break;
            case GgufValueType.Bool: output.Write((bool)value.Value ? (byte)1 : (byte)0); break;
            case GgufValueType.String: output.WriteString((string)value.Value); break;
            case GgufValueType.UInt64: output.Write((ulong)value.Value); break;
            case GgufValueType.Int64: output.Write((long)value.Value); break;
            case GgufValueType.Float64: output.Write((double)value.Value); break;
            case GgufValueType.Array:
                output.Write((uint)value.ElementType!.Value);
                output.Write((ulong)value.Items.Count);
                foreach (var item in value.Items)
                {
                    if (item.Type == GgufValueType.Array)
                    {
                        // Nested arrays carry their own element type and count; scalars carry nothing but the value.
                        output.Write((uint)item.Type);
                    }

                    WriteValue(output, item);
                }

                break;
            default:
                throw new InvalidOperationException($"Unknown GGUF value type {value.Type}.");
        }
    }

    private static void WriteTensorData(CountingWriter output, GgufTensor tensor)
    {
        switch (tensor.Type)
        {
            case GgufTensorType.F32:
                foreach (var x in tensor.Data)
                {
                    output.Write(x);
                }

                break;
            case GgufTensorType.F16:
                foreach (var x in tensor.Data)
                {
                    output.Write(BitConverter.HalfToUInt16Bits((Half)x));
                }

                break;
            default:
                throw new InvalidOperationException($"Unsupported tensor type {tensor.Type}.");
        }
    }

    private sealed class CountingWriter(Stream stream) : IDisposable
    {
        private readonly BinaryWriter _writer = new(stream, Encoding.UTF8, leaveOpen: true);

        public long Position { get; private set; }

        public void Write(ReadOnlySpan<byte> bytes) { _writer.Write(bytes); Position += bytes.Length; }
        public void Write(byte value) { _writer.Write(value); Position += 1; }
        public void Write(sbyte value) { _writer.Write(value); Position += 1; }
        public void Write(ushort value) { _writer.Write(value); Position += 2; }
        public void Write(short value) { _writer.Write(value); Position += 2; }
        public void Write(uint value) { _writer.Write(value); Position += 4; }
        public void Write(int value) { _writer.Write(value); Position += 4; }
        public void Write(float value) { _writer.Write(value); Position += 4; }
        public void Write(ulong value) { _writer.Write(value); Position += 8; }
        public void Write(long value) { _writer.Write(value); Position += 8; }
        public void Write(double value) { _writer.Write(value); Position += 8; }

        public void WriteString(string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            Write((ulong)bytes.Length);
            Write(bytes);
        }

        public void PadTo(long position)
        {
            while (Position < position)
            {
                Write((byte)0);
            }
        }

        public void Dispose() => _writer.Dispose();
    }
}

/// <summary>A tensor queued in a <see cref="GgufWriter"/>: name, type, dimensions (innermost first) and values.</summary>
public sealed record GgufTensor(string Name, GgufTensorType Type, long[] Ne, float[] Data)
{
    /// <summary>Bytes of data on disk, without alignment padding.</summary>
    public long ByteLength => Data.LongLength * (Type == GgufTensorType.F16 ? 2 : 4);
}
