using System.Text.Json;
using CodeAssist.Server.Inference.Remote;
using CodeAssist.Tests.Evaluation;
using CodeAssist.Tests.Remote;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.EndToEnd;

/// <summary><c>codeassist eval</c> as a user runs it, with the shipped model, a baseline, the router in front of a fake remote, and a remote that is down.</summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class EvalCommandTests : IAsyncLifetime
{
    private FakeModelServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeModelServer.StartOpenAiCompletingAsync("value = 42");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    // No downloaded models from this machine's folders: a catalog id is "not downloaded" wherever the test runs.
    private static Dictionary<string, string?> Environment() => new()
    {
        ["XDG_DATA_HOME"] = Directory.CreateTempSubdirectory("codeassist-xdg-").FullName,
        ["CODEASSIST_MODELS_DIR"] = null,
    };

    [Fact]
    public async Task ARunOnASmallFolderReportsEveryContestantAsJsonOnStdoutAndAsHtml()
    {
        var folder = EvalFolders.Write();
        File.WriteAllText(Path.Combine(folder, "broken.py"), "def f(:\n    pass\n");
        File.WriteAllBytes(Path.Combine(folder, "latin1.py"), [0x78, 0x20, 0x3D, 0x20, 0x27, 0xE9, 0x27, 0x0A]);
        var html = Path.Combine(folder, "report.html");
        var down = $"openai:http://127.0.0.1:{FakeModelServer.FreePort()}/v1#coder";
        var endpoint = _server.EndpointFor(RemoteKind.OpenAi).AbsoluteUri;

        var (code, stdout, stderr) = await ServerProcess.RunAsync(Environment(), TimeSpan.FromMinutes(4),
            "eval", folder,
            "--models", $"codeassist-py-tiny,baseline:repeat-line,{down},qwen2.5-coder-0.5b-q8_0",
            "--router", "--fallback-kind", "openai", "--fallback-endpoint", endpoint, "--fallback-model", "coder",
            "--samples", "3", "--seed", "5", "--kinds", "line,fim,block", "--loss-files", "1",
            "--json", "-", "--html", html, "--no-pause-trainer");

        Assert.True(code == 0, stderr);

        // Standard output is the JSON alone; the table and progress went to standard error.
        var json = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(2, json.GetProperty("version").GetInt32());
        Assert.Equal(5, json.GetProperty("seed").GetInt32());
        Assert.Equal(0, json.GetProperty("trainerPaused").GetArrayLength());
        var files = json.GetProperty("files");
        Assert.Equal(4, files.GetProperty("read").GetInt32());
        Assert.Equal(1, files.GetProperty("skippedByReason").GetProperty("syntaxError").GetInt32());
        Assert.Equal(1, files.GetProperty("skippedByReason").GetProperty("notUtf8").GetInt32());

        var contestants = json.GetProperty("contestants").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal(["codeassist-py-tiny", "baseline:repeat-line", down, "qwen2.5-coder-0.5b-q8_0", "router"], contestants.Keys);

        var tiny = contestants["codeassist-py-tiny"];
        Assert.Equal("ok", tiny.GetProperty("status").GetString());
        Assert.Equal(3, tiny.GetProperty("kinds").GetArrayLength());
        Assert.True(tiny.GetProperty("parameters").GetInt64() > 1_000_000);
        Assert.True(tiny.GetProperty("tokensPerSecond").GetDouble() > 0);
        Assert.Equal("ok", contestants["baseline:repeat-line"].GetProperty("status").GetString());

        Assert.Equal("unreachable", contestants[down].GetProperty("status").GetString());
        Assert.Equal("not-downloaded", contestants["qwen2.5-coder-0.5b-q8_0"].GetProperty("status").GetString());

        var router = contestants["router"];
        Assert.Equal("ok", router.GetProperty("status").GetString());
        var routing = router.GetProperty("routing");
        Assert.Equal(9, routing.GetProperty("requests").GetInt32());
        Assert.InRange(routing.GetProperty("escalationShare").GetDouble(), 0, 1);
        Assert.Equal(routing.GetProperty("escalated").GetInt32(), _server.Requests.Count(r => r.Path == "/v1/completions"));
        Assert.All(router.GetProperty("kinds").EnumerateArray(), k => Assert.Equal(JsonValueKind.Number, k.GetProperty("escalationShare").ValueKind));

        Assert.Contains("| contestant | kind |", stderr, StringComparison.Ordinal);
        Assert.Contains("unreachable", stderr, StringComparison.Ordinal);

        var page = File.ReadAllText(html);
        Assert.Contains("<svg", page, StringComparison.Ordinal);
        Assert.Equal(9, page.Split("class=\"point\"").Length - 1);
    }

    [Fact]
    public async Task PointsWritesEveryPointsOutcomeWithTheShownCandidatesTokenScores()
    {
        var folder = EvalFolders.Write();
        var points = Path.Combine(folder, "points.jsonl");
        var (code, _, stderr) = await ServerProcess.RunAsync(Environment(), TimeSpan.FromMinutes(3),
            "eval", folder, "--models", "codeassist-py-tiny", "--samples", "3", "--kinds", "line,block", "--loss-files", "0",
            "--settings", WriteSettings(folder, """{"routing": {"minConfidence": 0}}"""), "--points", points, "--no-pause-trainer");
        Assert.True(code == 0, stderr);

        var lines = File.ReadAllLines(points).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(6, lines.Count);
        Assert.Equal(["line", "line", "line", "block", "block", "block"], lines.Select(l => l.GetProperty("kind").GetString()));
        Assert.All(lines, l => Assert.Equal("codeassist-py-tiny", l.GetProperty("contestant").GetString()));
        var generated = lines.Where(l => l.TryGetProperty("generation", out _)).ToList();
        Assert.NotEmpty(generated);
        foreach (var line in generated)
        {
            var generation = line.GetProperty("generation");
            var scores = generation.GetProperty("tokenScores").EnumerateArray().ToList();
            Assert.Equal(generation.GetProperty("tokens").GetInt32(), scores.Count);
            Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(generation.GetProperty("text").GetString()!), scores[^1][0].GetInt32());
            Assert.All(scores, s => Assert.True(s[1].GetDouble() <= 0));
            var shown = line.GetProperty("shown").GetString()!;
            var expected = line.GetProperty("expected").GetString()!;
            Assert.InRange(line.GetProperty("keptChars").GetInt32(), 0, Math.Max(shown.Length, expected.Length));
            var typed = line.GetProperty("typed").GetString()!;
            if (shown.Length > 0)
            {
                Assert.Equal((typed + shown).Split('\n')[0].TrimEnd() == (typed + expected).Split('\n')[0].TrimEnd(), line.GetProperty("firstLineExact").GetBoolean());
            }
        }
    }

    private static string WriteSettings(string folder, string json)
    {
        var path = Path.Combine(folder, "settings.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public async Task WithoutJsonOnStdoutTheTableIsPrintedThereAsMarkdown()
    {
        var folder = EvalFolders.Write();
        var (code, stdout, _) = await ServerProcess.RunAsync(Environment(), TimeSpan.FromMinutes(2),
            "eval", folder, "--models", "baseline:repeat-line", "--samples", "4", "--kinds", "line,block", "--no-pause-trainer");
        Assert.Equal(0, code);
        Assert.StartsWith("| contestant | kind | n | EM |", stdout, StringComparison.Ordinal);
        Assert.Contains("| baseline:repeat-line | block | 4 |", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--kinds", "line,nope")]
    [InlineData("--fallback-kind", "carrier-pigeon")]
    [InlineData("--fallback-endpoint", "http://127.0.0.1:1")]
    public async Task BadArgumentsAreUsageErrors(string option, string value)
    {
        var (code, stdout, stderr) = await ServerProcess.RunAsync(Environment(), TimeSpan.FromMinutes(1), "eval", EvalFolders.Write(), option, value);
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.StartsWith("codeassist:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenNoContestantRunsTheExitCodeIsOne()
    {
        var (code, stdout, _) = await ServerProcess.RunAsync(Environment(), TimeSpan.FromMinutes(1), "eval", EvalFolders.Write(), "--models", "/nonexistent.gguf", "--samples", "2");
        Assert.Equal(1, code);
        Assert.Contains("| nonexistent | not-found |", stdout, StringComparison.Ordinal);
        Assert.Contains("nonexistent: model not found", stdout, StringComparison.Ordinal);
    }
}
