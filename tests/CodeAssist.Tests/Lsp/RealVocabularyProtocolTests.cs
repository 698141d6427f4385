using System.Text;
using System.Text.Json;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Models;
using CodeAssist.Server.Protocol;
using CodeAssist.Tests.Gguf;
using CodeAssist.Tests.Models;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CodeAssist.Tests.Lsp;

/// <summary>One server per family, serving a <see cref="RealVocabularyModel"/>; shared by the family's tests (loading
/// a 151,936-token vocabulary costs a second or two).</summary>
public abstract class RealVocabularyServer : IAsyncLifetime
{
    private readonly List<DecodeTrace> _traces = [];
    private int _documents;

    public abstract RealVocabularyModel Model { get; }

    internal LspTestClient Client { get; private set; } = null!;

    /// <summary>The model the server loaded.</summary>
    public LocalModel Loaded => Client.Services.GetRequiredService<ModelManager>().Current!;

    public async Task InitializeAsync()
    {
        Client = LspTestClient.Start();
        await Client.InitializeAsync(new Dictionary<string, object?>
        {
            ["model"] = Model.Path,
            ["threads"] = 1,
            ["contextSize"] = 512,
            ["maxTokens"] = 12,
            ["debounceMs"] = 0,
        });
        await Client.WaitForNotificationAsync(
            CodeAssistMethods.Status,
            s => s.GetProperty("params").GetProperty("tiers").EnumerateArray().Any(t => t.GetProperty("tier").GetString() == "local" && t.GetProperty("state").GetString() == "ready"),
            TimeSpan.FromSeconds(120));
        Client.Services.GetRequiredService<InferenceStatistics>().Trace = trace =>
        {
            lock (_traces)
            {
                _traces.Add(trace);
            }
        };
    }

    public async Task DisposeAsync() => await Client.DisposeAsync();

    /// <summary>Opens <paramref name="before"/> + <paramref name="after"/> as a new document and asks for an inline
    /// completion at the cursor between them: the response, and what the model decoded for it.</summary>
    public async Task<(JsonElement Response, DecodeTrace Trace)> CompleteAsync(string before, string after)
    {
        var uri = LspTestClient.FileUri($"vocabulary_{Interlocked.Increment(ref _documents)}.py");
        await Client.OpenAsync(uri, before + after);
        var lines = before.Split('\n');
        lock (_traces)
        {
            _traces.Clear();
        }

        var response = await Client.InlineCompletionAsync(uri, lines.Length - 1, lines[^1].Length);
        lock (_traces)
        {
            return (response, Assert.Single(_traces));
        }
    }

    /// <summary>The text the decoded tokens stand for.</summary>
    public string TextOf(IEnumerable<int> tokens) =>
        Encoding.UTF8.GetString(tokens.SelectMany(t => Loaded.PieceOf((LLama.Native.LLamaToken)t).ToArray()).ToArray());
}

public sealed class QwenVocabularyServer : RealVocabularyServer
{
    public override RealVocabularyModel Model => RealVocabularyModel.Qwen25Coder;
}

public sealed class CodeLlamaVocabularyServer : RealVocabularyServer
{
    public override RealVocabularyModel Model => RealVocabularyModel.CodeLlama;
}

/// <summary>
/// Issue 18: FIM prompts, special-token safety, token healing and stop tokens over real vocabularies (see
/// <see cref="RealVocabulary"/>), through the real server; and llama.cpp's tokenizer against the package's own.
/// </summary>
public abstract class RealVocabularyProtocolTests(RealVocabularyServer server)
{
    private const string Prefix = "import math\n\n\ndef area(radius):\n    \"\"\"The area of a circle.\"\"\"\n    return math.pi * radius ** 2\n\n\nprint(area(";
    private const string Suffix = "3.5))\nprint(\"done\")\n";

    protected RealVocabulary Vocabulary => server.Model.Vocabulary;

    /// <summary>The documented prompt's token ids for <paramref name="prefix"/> and <paramref name="suffix"/>, by the package's tokenizer.</summary>
    protected abstract List<int> DocumentedPrompt(string prefix, string suffix);

    /// <summary>The control tokens a prompt may hold: the template's markers (and BOS).</summary>
    protected abstract IReadOnlyList<string> PromptControls { get; }

    protected IReadOnlyList<int[]> Encode(params string[] texts)
    {
        var folder = Directory.CreateTempSubdirectory("codeassist-vocabulary-");
        try
        {
            var files = texts.Select((text, i) =>
            {
                var path = Path.Combine(folder.FullName, $"{i}.txt");
                File.WriteAllText(path, text, new UTF8Encoding(false));
                return path;
            }).ToList();
            return Vocabulary.EncodeWithPackage(files);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task TheFimPromptsTokenIdsAreTheFamilysDocumentedFormat()
    {
        var (_, trace) = await server.CompleteAsync(Prefix, Suffix);
        Assert.Equal(DocumentedPrompt(Prefix, Suffix), trace.Prompt);
    }

    [Theory]
    [InlineData("<|fim_prefix|>", "<|endoftext|>")]
    [InlineData("<PRE>", " <SUF>")]
    [InlineData(" <PRE> ", "<MID><EOT>")]
    [InlineData("<|fim_middle|><|file_sep|>", " <EOT></s><s>")]
    public async Task LiteralControlTextInTheDocumentNeverYieldsAControlToken(string inPrefix, string inSuffix)
    {
        var before = $"x = \"{inPrefix}\"\ny = \"";
        var after = $"{inSuffix}\"\n";
        var (_, trace) = await server.CompleteAsync(before, after);
        var controls = trace.Prompt.Where(id => Vocabulary.TokenTypes[id] == RealVocabulary.ControlType).Select(id => Vocabulary.Tokens[id]);
        Assert.Equal(PromptControls, controls);
    }

    [Theory]
    [InlineData("def area(radius):\n    ", "\n")]
    [InlineData("def area(radius):\n    return math.pi * rad", "\n")]
    [InlineData("def area(radius):\n    return math.pi * radius ** 2\n\n\nprint(ar", "(3))\n")]
    public async Task TokenHealingOverTheLargeVocabularyStartsWithTheTextItCut(string before, string after)
    {
        var healed = before[CodeAssist.Server.Prompting.FimPrompt.HealingCut(before)..];
        Assert.NotEmpty(healed);
        var (_, trace) = await server.CompleteAsync(before, after);
        var generated = server.TextOf(trace.Decoded);
        Assert.StartsWith(healed, generated, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerationStopsAtEachOfTheFamilysEndTokensAndNoneReachesTheGhostText()
    {
        foreach (var path in server.Model.Paths)
        {
            var word = Vocabulary.Tokens[Vocabulary.Id(path.Word)][1..];
            var before = $"{word}{path.Then} = 1\nresult = {word}";
            var (response, trace) = await server.CompleteAsync(before, "\n");

            // The healed word, the token the model was made to follow it with; the stop token ends it there.
            Assert.Equal([Vocabulary.Id(path.Word), Vocabulary.Id(path.Then)], trace.Decoded);
            var item = Assert.Single(response.GetProperty("result").GetProperty("items").EnumerateArray());
            Assert.Equal(path.Then, item.GetProperty("insertText").GetString());
        }
    }

    [Fact]
    public void LlamaCppAndThePackagesTokenizerAgreeOnHeldOutFiles()
    {
        var files = HeldOutPython.Files.Where(f => new FileInfo(f).Length < 64 * 1024).ToList();
        Assert.True(files.Count >= 5, string.Join(", ", files));
        var expected = Vocabulary.EncodeWithPackage(files);
        var mismatched = new List<string>();
        long tokens = 0;
        for (var i = 0; i < files.Count; i++)
        {
            var ours = server.Loaded.Tokenize(HeldOutPython.Read(files[i])).Select(t => (int)t).ToArray();
            tokens += ours.Length;
            if (!ours.SequenceEqual(expected[i]))
            {
                var at = ours.Zip(expected[i]).TakeWhile(p => p.First == p.Second).Count();
                mismatched.Add($"{Path.GetFileName(files[i])}: {ours.Length} vs {expected[i].Length} tokens, first difference at {at}");
            }
        }

        Assert.True(mismatched.Count == 0, $"{mismatched.Count} of {files.Count} files ({tokens} tokens):\n{string.Join('\n', mismatched)}");
    }
}

// Process: node runs the package's tokenizer.
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class QwenVocabularyProtocolTests(QwenVocabularyServer server) : RealVocabularyProtocolTests(server), IClassFixture<QwenVocabularyServer>
{
    protected override IReadOnlyList<string> PromptControls => ["<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>"];

    protected override List<int> DocumentedPrompt(string prefix, string suffix)
    {
        var text = Encode(prefix, suffix);
        return [Vocabulary.Id("<|fim_prefix|>"), .. text[0], Vocabulary.Id("<|fim_suffix|>"), .. text[1], Vocabulary.Id("<|fim_middle|>")];
    }
}

// Process: node runs the package's tokenizer.
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class CodeLlamaVocabularyProtocolTests(CodeLlamaVocabularyServer server) : RealVocabularyProtocolTests(server), IClassFixture<CodeLlamaVocabularyServer>
{
    protected override IReadOnlyList<string> PromptControls => ["<s>", "▁<PRE>", "▁<SUF>", "▁<MID>"];

    /// <summary>
    /// Meta's reference (<c>infilling_prompt_tokens</c>) and Hugging Face's CodeLlamaTokenizer: BOS, <c>▁&lt;PRE&gt;</c>,
    /// the prefix with SentencePiece's leading space, <c>▁&lt;SUF&gt;</c>, the suffix without one, <c>▁&lt;MID&gt;</c>
    /// — "&lt;PRE&gt; {pre} &lt;SUF&gt;{suf} &lt;MID&gt;", the spaces before SUF and MID being part of their tokens.
    /// </summary>
    protected override List<int> DocumentedPrompt(string prefix, string suffix)
    {
        var text = Encode(" " + prefix, suffix);
        return [1, 32_007, .. text[0], 32_008, .. text[1], 32_009];
    }
}
