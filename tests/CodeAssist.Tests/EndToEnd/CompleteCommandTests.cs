using System.Text.Json;
using CodeAssist.Server.Models;
using CodeAssist.Tests.Gguf;
using CodeAssist.Tests.Models;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.EndToEnd;

/// <summary><c>codeassist complete</c> as a user runs it: output, JSON shape and exit codes.</summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class CompleteCommandTests
{
    private static readonly string Model = TestModel.Get(new TestModelOptions { OutputScale = 4f, Seed = 77 }).Path;

    private static string WriteSource()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("codeassist-cli-").FullName, "sample.py");
        File.WriteAllText(path, "import os\n\n\ndef read_lines(path):\n    with open(path) as handle:\n        return handle.readlines()\n\n\ndef main(argv):\n    for name in argv[1:]:\n        \n");
        return path;
    }

    [Fact]
    public async Task JsonOutputHasTheDocumentedFields()
    {
        var (code, stdout, stderr) = await ServerProcess.RunAsync("complete", WriteSource() + ":11:9", "--model", Model, "--json", "--max-tokens", "8");
        Assert.True(code == 0, stderr);
        var json = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(JsonValueKind.String, json.GetProperty("text").ValueKind);
        Assert.Equal("codeassist-tiny-test", json.GetProperty("model").GetString());
        Assert.Equal("local", json.GetProperty("tier").GetString());
        Assert.True(json.GetProperty("latencyMs").GetDouble() > 0);
        Assert.True(json.GetProperty("meanLogprob").GetDouble() <= 0);
    }

    [Fact]
    public async Task PlainOutputIsTheTextAlone()
    {
        var source = WriteSource();
        var (code, stdout, _) = await ServerProcess.RunAsync("complete", source + ":11:9", "--model", Model, "--max-tokens", "8");
        var (_, json, _) = await ServerProcess.RunAsync("complete", source + ":11:9", "--model", Model, "--max-tokens", "8", "--json");
        Assert.Equal(0, code);
        Assert.Equal(JsonDocument.Parse(json).RootElement.GetProperty("text").GetString() + "\n", stdout);
    }

    [Theory]
    [InlineData("nonexistent.py:1:1", "file not found")]
    [InlineData("{source}:99:1", "outside")]
    [InlineData("{source}:1:40", "outside")]
    public async Task BadPositionsAndFilesExitOneWithOneClearLine(string location, string expected)
    {
        var (code, stdout, stderr) = await ServerProcess.RunAsync("complete", location.Replace("{source}", WriteSource()), "--model", Model);
        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Contains(expected, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task AMissingModelExitsOne()
    {
        var (code, _, stderr) = await ServerProcess.RunAsync("complete", WriteSource() + ":1:1", "--model", "/nonexistent/model.gguf");
        Assert.Equal(1, code);
        Assert.Contains("model not found", stderr);
    }

    [Fact]
    public async Task ACorruptModelExitsOneWithTheReason()
    {
        var corrupt = TestModelFiles.Write(File.ReadAllBytes(Model)[..3000], "cli-corrupt");
        var (code, _, stderr) = await ServerProcess.RunAsync("complete", WriteSource() + ":1:1", "--model", corrupt);
        Assert.Equal(1, code);
        Assert.Contains("truncated", stderr);
        Assert.Contains("codeassist:", stderr);
    }

    [Fact]
    public async Task ANonGgufModelExitsOne()
    {
        var notModel = WriteSource();
        var (code, _, stderr) = await ServerProcess.RunAsync("complete", WriteSource() + ":1:1", "--model", notModel);
        Assert.Equal(1, code);
        Assert.Contains("not a GGUF", stderr);
    }

    [Theory]
    [InlineData("complete")]
    [InlineData("complete", "file.py")]
    [InlineData("complete", "file.py:0:1")]
    [InlineData("complete", "file.py:x:1")]
    [InlineData("complete", "file.py:1:1", "--max-tokens", "0")]
    [InlineData("complete", "file.py:1:1", "--no-such-option")]
    [InlineData("frobnicate")]
    public async Task UsageErrorsExitTwo(params string[] arguments)
    {
        var (code, _, stderr) = await ServerProcess.RunAsync(arguments);
        Assert.Equal(2, code);
        Assert.NotEmpty(stderr);
    }
}

/// <summary><c>codeassist models</c> as a user runs it.</summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class ModelsCommandTests
{
    /// <summary>An entry's line and the indented lines under it (where it is, its model check).</summary>
    private static string Block(string stdout, string id)
    {
        var lines = stdout.Split('\n');
        var start = Array.FindIndex(lines, line => line.StartsWith(id + " ", StringComparison.Ordinal));
        Assert.True(start >= 0, $"{id} is not listed:\n{stdout}");
        return string.Join('\n', lines.Skip(start).Take(1).Concat(lines.Skip(start + 1).TakeWhile(line => line.StartsWith("    ", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task TheCatalogIsListedWithTheShippedDefaultModelPresent()
    {
        var (code, stdout, stderr) = await ServerProcess.RunAsync("models");
        Assert.True(code == 0, stderr);
        var tiny = Block(stdout, "codeassist-py-tiny");
        Assert.Contains("codeassist/spm", tiny);
        Assert.Contains("codeassist-py-tiny.gguf", tiny);
        Assert.Matches(@"\s512\s+instant\s+Apache-2.0\s+ghost text", tiny);
        Assert.Contains("check: fills in the middle (CodeAssist format)", tiny);
        foreach (var (id, speed) in new[] { ("qwen2.5-coder-0.5b-q8_0", "fast"), ("qwen2.5-coder-1.5b-q8_0", "moderate"), ("qwen2.5-coder-7b-q8_0", "slow"), ("starcoder2-3b-q8_0", "moderate"), ("deepseek-coder-1.3b-base-q8_0", "moderate") })
        {
            var block = Block(stdout, id);
            Assert.Contains("https://", block);
            Assert.Contains($" {speed} ", block);
        }

        Assert.Contains("SPEED is an estimate", stdout);
    }

    [Fact]
    public async Task ADownloadedChatModelIsListedWithItsCheckInWords()
    {
        var folder = Directory.CreateTempSubdirectory("codeassist-models-cli-");
        try
        {
            var writer = TestModel.Get(new TestModelOptions { Fim = FimTokenSet.Qwen, Name = "Qwen2.5 Coder 1.5B" }).CreateWriter();
            writer.Set("general.finetune", "Instruct");
            writer.WriteToFile(Path.Combine(folder.FullName, "my-coder.gguf"));
            TestModel.Get(new TestModelOptions { Fim = null, Name = "plain" }).CreateWriter().WriteToFile(Path.Combine(folder.FullName, "plain.gguf"));
            var (code, stdout, stderr) = await ServerProcess.RunAsync(new Dictionary<string, string?> { ["CODEASSIST_MODELS_DIR"] = folder.FullName }, TimeSpan.FromSeconds(60), "models");
            Assert.True(code == 0, stderr);
            Assert.Contains("check: this is a chat (instruct) model (its fine-tune tag says \"Instruct\"): use it as the fallback for code actions, not for ghost text", Block(stdout, "my-coder"));
            Assert.Contains("check: this model cannot fill in the middle: completions use the text before the cursor only", Block(stdout, "plain"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}

/// <summary>The catalog states what it claims: every entry has a context length and a speed class that follows from its size.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class CatalogHonestyTests
{
    [Fact]
    public void EveryEntryNamesItsFimFormatContextLicenceSizeAndTheSpeedClassItsSizeGives()
    {
        var catalog = ModelCatalog.Load(Path.Combine(RepositoryPaths.Root, "models", ModelCatalog.FileName));
        foreach (var entry in catalog.Models)
        {
            Assert.True(entry.Fim is "psm" or "spm", entry.Id);
            Assert.False(string.IsNullOrWhiteSpace(entry.Family), entry.Id);
            Assert.False(string.IsNullOrWhiteSpace(entry.License), entry.Id);
            Assert.True(entry.ContextLength is > 0, entry.Id);
            var size = entry.Shipped ? new FileInfo(Path.Combine(RepositoryPaths.Root, "models", entry.File)).Length : entry.SizeBytes;
            Assert.True(size is > 0, entry.Id);
            Assert.Equal(CatalogSpeed.ClassOf(size!.Value), entry.Speed);
        }

        // The shipped models' context is what their GGUF says.
        foreach (var entry in catalog.Models.Where(m => m.Shipped))
        {
            var file = CodeAssist.Server.Inference.Gguf.GgufReader.Read(Path.Combine(RepositoryPaths.Root, "models", entry.File));
            Assert.Equal(entry.ContextLength, (int?)file.GetInteger(file.Architecture + ".context_length"));
        }
    }
}
