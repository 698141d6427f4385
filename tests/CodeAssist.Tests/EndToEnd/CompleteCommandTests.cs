using System.Text.Json;
using CodeAssist.Tests.Gguf;
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
    [Fact]
    public async Task TheCatalogIsListedWithTheShippedDefaultModelPresent()
    {
        var (code, stdout, stderr) = await ServerProcess.RunAsync("models");
        Assert.True(code == 0, stderr);
        var tiny = stdout.Split('\n').Single(line => line.StartsWith("codeassist-py-tiny ", StringComparison.Ordinal));
        Assert.Contains("codeassist/spm", tiny);
        Assert.Contains("codeassist-py-tiny.gguf", tiny);
        foreach (var id in new[] { "qwen2.5-coder-0.5b-q8_0", "qwen2.5-coder-1.5b-q8_0", "qwen2.5-coder-7b-q8_0", "starcoder2-3b-q8_0", "deepseek-coder-1.3b-base-q8_0" })
        {
            var line = stdout.Split('\n').Single(l => l.StartsWith(id + " ", StringComparison.Ordinal));
            Assert.Contains("https://", line);
        }
    }
}
