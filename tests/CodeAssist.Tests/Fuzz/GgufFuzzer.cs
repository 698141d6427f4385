using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CodeAssist.Server.Inference.Gguf;
using CodeAssist.Tests.Gguf;
using CodeAssist.Tests.Models;

namespace CodeAssist.Tests.Fuzz;

/// <summary>
/// GGUF mutations, loaded by the real process through <c>codeAssist.selectModel</c>: semantic ones written with
/// <see cref="GgufWriter"/> from the synthetic test model (repeated token strings, NaN, infinite, negative and zero
/// hyper-parameters, values of the wrong type, token ids out of range, broken merges and token types, missing keys,
/// unknown architectures, removed or reshaped tensors, NaN weights, odd alignments and versions) and byte-level ones on
/// both the test model and the shipped tiny model (flipped header bytes, truncation anywhere, huge array and section
/// counts, broken tensor records). Each must be answered — -32803 with the reason, or loaded — and a model that loads
/// must complete; the server must live through all of it. An input that kills it is kept in the findings folder.
/// </summary>
internal static class GgufFuzzer
{
    private static readonly string[] Kinds =
    [
        "duplicate-token", "float-hparam", "int-hparam", "wrong-type", "token-id", "token-type", "merges", "remove-key",
        "architecture", "tensor-shape", "tensor-nan", "alignment", "version",
        "flip-header", "truncate", "huge-count", "tensor-info", "flip-data",
    ];

    public static async Task RunAsync(FuzzContext context, FamilyReport report, int count)
    {
        var random = context.RandomFor("gguf");
        var folder = Directory.CreateTempSubdirectory("codeassist-fuzz-gguf-").FullName;
        try
        {
            var model = TestModel.Get();
            var testBytes = model.CreateWriter().ToArray(out var testLayout);
            var tinyBytes = await File.ReadAllBytesAsync(RepositoryPaths.TinyModel);
            var tinyDataOffset = GgufReader.Read(RepositoryPaths.TinyModel).DataOffset;
            for (var i = 0; i < count; i++)
            {
                report.Inputs++;
                var kind = Kinds[random.Next(Kinds.Length)];
                var onTiny = random.Next(2) == 0;
                var (bytes, what) = kind switch
                {
                    "flip-header" => FlipHeader(onTiny ? tinyBytes : testBytes, onTiny ? tinyDataOffset : testLayout.DataOffset, random),
                    "truncate" => Truncate(onTiny ? tinyBytes : testBytes, onTiny ? tinyDataOffset : testLayout.DataOffset, random),
                    "huge-count" => HugeCount(onTiny ? tinyBytes : testBytes, random),
                    "tensor-info" => TensorInfo(testBytes, testLayout, random),
                    "flip-data" => FlipData(onTiny ? tinyBytes : testBytes, onTiny ? tinyDataOffset : testLayout.DataOffset, random),
                    _ => Semantic(kind, model, random),
                };
                var source = kind is "flip-header" or "truncate" or "huge-count" or "flip-data" && onTiny ? "tiny" : "test model";
                var path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{i:D2}-{kind}.gguf"));
                await File.WriteAllBytesAsync(path, bytes);
                await TryModelAsync(context, report, path, $"gguf input {i} ({source}, {kind}: {what})");
                if ((i + 1) % 10 == 0 || i == count - 1)
                {
                    await context.CheckpointAsync(report, $"gguf input {i} (seed {context.Seed})");
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Selects the file for the local tier; a loaded model must complete, and then the tiny model is selected again.</summary>
    public static async Task TryModelAsync(FuzzContext context, FamilyReport report, string path, string input)
    {
        var server = await context.ServerAsync();
        try
        {
            var answer = await SelectAsync(server, path);
            if (answer.TryGetProperty("error", out var error))
            {
                var code = error.GetProperty("code").GetInt32();
                if (code != -32803)
                {
                    report.Failures.Add($"{input}: answered {code} instead of -32803 (a model that cannot be loaded): {error.GetRawText()}");
                }

                return;
            }

            // It loaded: it is the local model now, and must answer a completion (empty is fine).
            report.Notes.Add($"{input}: loaded");
            var completion = await server.CompleteFreshAsync(TimeSpan.FromSeconds(120));
            if (!completion.TryGetProperty("result", out _))
            {
                report.Failures.Add($"{input}: loaded, but a completion answered an error: {completion.GetRawText()}");
            }

            var back = await SelectAsync(server, RepositoryPaths.TinyModel);
            if (!back.TryGetProperty("result", out _))
            {
                report.Failures.Add($"{input}: the tiny model could not be selected again: {back.GetRawText()}");
            }
        }
        catch (Exception ex) when (ex is TimeoutException or IOException)
        {
            if (server.IsAlive)
            {
                report.Failures.Add($"{input}: {ex.Message}");
            }
        }

        if (!server.IsAlive)
        {
            var kept = Keep(context, path, input);
            await context.RecoverAsync(report, $"{input}, kept as {kept}");
        }
    }

    private static Task<JsonElement> SelectAsync(FuzzServer server, string path) =>
        server.RequestAsync("workspace/executeCommand",
            JsonText.Fill("""{"command":"codeAssist.selectModel","arguments":[{"tier":"local","id":@0}]}""", JsonSerializer.Serialize(path)),
            TimeSpan.FromSeconds(120));

    /// <summary>Copies an input that killed the server where it outlives the run; returns the copy's path.</summary>
    private static string Keep(FuzzContext context, string path, string input)
    {
        Directory.CreateDirectory(context.FindingsFolder);
        var kept = Path.Combine(context.FindingsFolder, Path.GetFileName(path));
        File.Copy(path, kept, overwrite: true);
        File.WriteAllText(kept + ".txt", input + "\n");
        return kept;
    }

    private static (byte[], string) Semantic(string kind, TestModel model, Random random)
    {
        var writer = model.CreateWriter();
        var what = Mutate(kind, writer, model, random);
        return (writer.ToArray(), what);
    }

    private static string Mutate(string kind, GgufWriter writer, TestModel model, Random random)
    {
        string[] intKeys = ["llama.context_length", "llama.embedding_length", "llama.block_count", "llama.feed_forward_length", "llama.attention.head_count", "llama.attention.head_count_kv", "llama.rope.dimension_count", "llama.vocab_size"];
        string[] idKeys = ["tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.padding_token_id", "tokenizer.ggml.fim_pre_token_id", "tokenizer.ggml.fim_mid_token_id", "tokenizer.ggml.fim_suf_token_id"];
        switch (kind)
        {
            case "duplicate-token":
                {
                    var tokens = model.Tokens.ToList();
                    var j = 1 + random.Next(tokens.Count - 1);
                    var i = random.Next(j);
                    tokens[j] = tokens[i];
                    writer.Set("tokenizer.ggml.tokens", tokens);
                    return $"token {j} = token {i}";
                }

            case "float-hparam":
                {
                    var key = random.Next(2) == 0 ? "llama.rope.freq_base" : "llama.attention.layer_norm_rms_epsilon";
                    float[] values = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -1e-5f, 0f, -0f, 3.4e38f, 1e-45f];
                    var value = values[random.Next(values.Length)];
                    writer.Set(key, value);
                    return $"{key} = {value.ToString(CultureInfo.InvariantCulture)}";
                }

            case "int-hparam":
                {
                    var key = intKeys[random.Next(intKeys.Length)];
                    uint[] values = [0, 1, 3, 7, 100_000, 1u << 31, uint.MaxValue];
                    if (random.Next(4) == 0)
                    {
                        writer.Set(key, -1);
                        return $"{key} = int32 -1";
                    }

                    var value = values[random.Next(values.Length)];
                    writer.Set(key, value);
                    return $"{key} = {value}";
                }

            case "wrong-type":
                {
                    var key = writer.Metadata[random.Next(writer.Metadata.Count)].Key;
                    GgufValue[] values =
                    [
                        GgufValue.String("x"), GgufValue.Float32(1.5f), GgufValue.Bool(true), GgufValue.Int32(-1), GgufValue.UInt64(ulong.MaxValue),
                    GgufValue.UInt8(200), GgufValue.Float64(double.MaxValue), GgufValue.Array(new[] { 1, 2, 3 }), GgufValue.Array(new[] { "a", "b" }),
                    GgufValue.Array(GgufValueType.Bool, []),
                ];
                    var value = values[random.Next(values.Length)];
                    writer.Set(key, value);
                    return $"{key} = {value.Type} {value}";
                }

            case "token-id":
                {
                    var key = idKeys[random.Next(idKeys.Length)];
                    long[] values = [model.VocabSize, model.VocabSize + 1, uint.MaxValue, -1, int.MaxValue];
                    var value = values[random.Next(values.Length)];
                    if (value < 0)
                    {
                        writer.Set(key, (int)value);
                    }
                    else
                    {
                        writer.Set(key, (uint)value);
                    }

                    return $"{key} = {value}";
                }

            case "token-type":
                {
                    var types = model.TokenTypes.ToList();
                    switch (random.Next(4))
                    {
                        case 0:
                            types.RemoveRange(types.Count / 2, types.Count - (types.Count / 2));
                            writer.Set("tokenizer.ggml.token_type", types);
                            return "token_type half as long as the vocabulary";
                        case 1:
                            types.AddRange(Enumerable.Repeat(1, 100));
                            writer.Set("tokenizer.ggml.token_type", types);
                            return "token_type longer than the vocabulary";
                        case 2:
                            var at = random.Next(types.Count);
                            types[at] = random.Next(2) == 0 ? 99 : -1;
                            writer.Set("tokenizer.ggml.token_type", types);
                            return $"token_type[{at}] = {types[at]}";
                        default:
                            writer.Set("tokenizer.ggml.token_type", model.TokenTypes.Select(t => t.ToString(CultureInfo.InvariantCulture)));
                            return "token_type as strings";
                    }
                }

            case "merges":
                {
                    var merges = model.Merges.ToList();
                    switch (random.Next(4))
                    {
                        case 0:
                            writer.Set("tokenizer.ggml.merges", Array.Empty<string>());
                            return "no merges";
                        case 1:
                            merges[random.Next(merges.Count)] = random.Next(2) == 0 ? "" : "x y z";
                            writer.Set("tokenizer.ggml.merges", merges);
                            return "a merge that is not two tokens";
                        case 2:
                            merges.Add("zzzz qqqq");
                            writer.Set("tokenizer.ggml.merges", merges);
                            return "a merge of unknown tokens";
                        default:
                            merges.AddRange(merges.Take(20));
                            writer.Set("tokenizer.ggml.merges", merges);
                            return "merges repeated";
                    }
                }

            case "remove-key":
                {
                    var key = writer.Metadata[random.Next(writer.Metadata.Count)].Key;
                    writer.Remove(key);
                    return $"{key} removed";
                }

            case "architecture":
                {
                    string[] architectures = ["gpt2", "bert", "qwen2", "starcoder2", "no-such-arch", "llama\u0000x"];
                    string[] tokenizers = ["llama", "bert", "none", "unknown", "t5", "rwkv"];
                    if (random.Next(2) == 0)
                    {
                        var value = architectures[random.Next(architectures.Length)];
                        writer.Set("general.architecture", value);
                        return $"architecture '{value}'";
                    }

                    var tokenizer = tokenizers[random.Next(tokenizers.Length)];
                    writer.Set("tokenizer.ggml.model", tokenizer);
                    return $"tokenizer model '{tokenizer}'";
                }

            case "tensor-shape":
                {
                    var tensor = writer.Tensors[random.Next(writer.Tensors.Count)];
                    writer.RemoveTensor(tensor.Name);
                    if (random.Next(2) == 0 || tensor.Ne.Length < 2)
                    {
                        return $"tensor {tensor.Name} removed";
                    }

                    writer.AddTensor(tensor.Name, tensor.Type, [tensor.Ne[1], tensor.Ne[0]], tensor.Data);
                    return $"tensor {tensor.Name} transposed";
                }

            case "tensor-nan":
                {
                    var tensor = writer.Tensors[random.Next(writer.Tensors.Count)];
                    float[] values = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue];
                    var value = values[random.Next(values.Length)];
                    var every = random.Next(2) == 0;
                    for (var i = 0; i < tensor.Data.Length; i++)
                    {
                        if (every || random.Next(10) == 0)
                        {
                            tensor.Data[i] = value;
                        }
                    }

                    return $"tensor {tensor.Name} {(every ? "all" : "partly")} {value.ToString(CultureInfo.InvariantCulture)}";
                }

            case "alignment":
                {
                    // Not beyond a few KiB: the writer pads every tensor to the alignment.
                    uint[] values = [0, 1, 3, 8, 64, 4096];
                    var value = values[random.Next(values.Length)];
                    writer.Set(GgufWriter.AlignmentKey, value);
                    return $"alignment {value}";
                }

            default:
                {
                    uint[] versions = [0, 1, 2, 4, uint.MaxValue];
                    writer.Version = versions[random.Next(versions.Length)];
                    return $"version {writer.Version}";
                }
        }
    }

    private static (byte[], string) FlipHeader(byte[] original, long dataOffset, Random random)
    {
        var bytes = original.ToArray();
        var flips = 1 + random.Next(8);
        var at = new List<long>();
        for (var k = 0; k < flips; k++)
        {
            var offset = random.NextInt64(dataOffset);
            bytes[offset] = (byte)random.Next(256);
            at.Add(offset);
        }

        return (bytes, $"bytes at {string.Join(",", at)} set at random");
    }

    private static (byte[], string) Truncate(byte[] original, long dataOffset, Random random)
    {
        var keep = random.Next(2) == 0 ? random.NextInt64(dataOffset) : dataOffset + random.NextInt64(original.Length - dataOffset);
        return (original[..(int)keep], $"truncated to {keep} of {original.Length} bytes");
    }

    private static (byte[], string) HugeCount(byte[] original, Random random)
    {
        var bytes = original.ToArray();
        ulong[] values = [uint.MaxValue + 1UL, int.MaxValue, 1UL << 40, ulong.MaxValue, 1_000_001];
        var value = values[random.Next(values.Length)];
        switch (random.Next(3))
        {
            case 0:
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), value);
                return (bytes, $"tensor count {value}");
            case 1:
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(16), value);
                return (bytes, $"key count {value}");
            default:
                var at = ArrayCountOffset(bytes, "tokenizer.ggml.tokens");
                var old = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));
                var count = random.Next(2) == 0 ? value : old + 1;
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), count);
                return (bytes, $"tokenizer.ggml.tokens count {count} (was {old})");
        }
    }

    /// <summary>The offset of an array key's element count: the key (length-prefixed), its type 9, the element type, then the count.</summary>
    private static int ArrayCountOffset(byte[] bytes, string key)
    {
        var name = Encoding.UTF8.GetBytes(key);
        for (var at = 8; at + name.Length + 16 <= bytes.Length; at++)
        {
            if (bytes.AsSpan(at, name.Length).SequenceEqual(name)
                && BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at - 8)) == (ulong)name.Length
                && BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + name.Length)) == 9)
            {
                return at + name.Length + 8;
            }
        }

        throw new InvalidOperationException($"{key} not found");
    }

    private static (byte[], string) TensorInfo(byte[] original, GgufLayout layout, Random random)
    {
        var bytes = original.ToArray();
        var tensor = layout.Tensors[random.Next(layout.Tensors.Count)];
        var nameLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)tensor.InfoOffset));
        var dimsAt = (int)tensor.InfoOffset + 8 + nameLength;
        var dims = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(dimsAt));
        var typeAt = dimsAt + 4 + (8 * dims);
        var offsetAt = typeAt + 4;
        switch (random.Next(4))
        {
            case 0:
                uint[] counts = [0, 3, 5, uint.MaxValue];
                var newDims = counts[random.Next(counts.Length)];
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(dimsAt), newDims);
                return (bytes, $"{tensor.Name}: {newDims} dimensions");
            case 1:
                ulong[] sizes = [0, 1, 1UL << 32, 1UL << 62, ulong.MaxValue];
                var size = sizes[random.Next(sizes.Length)];
                var which = random.Next(dims);
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(dimsAt + 4 + (8 * which)), size);
                return (bytes, $"{tensor.Name}: ne[{which}] = {size}");
            case 2:
                uint[] types = [1, 2, 8, 31, 39, 99, uint.MaxValue];
                var type = types[random.Next(types.Length)];
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(typeAt), type);
                return (bytes, $"{tensor.Name}: type {type}");
            default:
                var old = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(offsetAt));
                ulong[] offsets = [old + 1, old + 32, 0, 1UL << 40, ulong.MaxValue - 7, ulong.MaxValue - (ulong)tensor.DataLength + 1];
                var offset = offsets[random.Next(offsets.Length)];
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(offsetAt), offset);
                return (bytes, $"{tensor.Name}: data offset {offset} (was {old})");
        }
    }

    private static (byte[], string) FlipData(byte[] original, long dataOffset, Random random)
    {
        var bytes = original.ToArray();
        var words = 1 + random.Next(64);
        uint[] patterns = [0x7FC00000, 0x7F800000, 0xFF800000, 0xFFFFFFFF];
        var pattern = patterns[random.Next(patterns.Length)];
        for (var k = 0; k < words; k++)
        {
            var at = (int)(dataOffset + (random.NextInt64((bytes.Length - dataOffset) / 4) * 4));
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), pattern);
        }

        return (bytes, $"{words} data words set to 0x{pattern:X8}");
    }
}
