using System.Text.Json;
using CodeAssist.Tests.Models;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.EndToEnd;

/// <summary>A smoke run of <c>codeassist bench</c> as a real process on a tiny workload, so the benchmark cannot rot.</summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class BenchCommandTests
{
    [Fact]
    public async Task ATinyRunWritesOneSaneObjectPerMode()
    {
        var json = Path.Combine(Path.GetTempPath(), $"codeassist-bench-{Guid.NewGuid():N}.json");
        var file = Path.Combine(RepositoryPaths.Root, "examples", "inventory.py");
        try
        {
            var (exitCode, stdout, stderr) = await RunAsync(
                "bench", "--file", file, "--mode", "reuse,accept", "--region-chars", "40", "--context", "512", "--accept-rounds", "2", "--json", json);
            Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}");
            Assert.Contains("| mode |", stdout, StringComparison.Ordinal);
            Assert.Contains("[reuse]", stderr, StringComparison.Ordinal);

            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            Assert.Equal("auto", document.RootElement.GetProperty("contextCopy").GetString());
            Assert.Equal(0, document.RootElement.GetProperty("trainerPaused").GetArrayLength());
            var modes = document.RootElement.GetProperty("modes").EnumerateArray().ToDictionary(m => m.GetProperty("mode").GetString()!);
            Assert.Equal(["accept", "reuse"], modes.Keys.Order());
            foreach (var mode in modes.Values)
            {
                foreach (var name in new[] { "p50Ms", "p95Ms", "decodesPerKeystroke", "overheadP50Ms", "rssMb" })
                {
                    Assert.Equal(JsonValueKind.Number, mode.GetProperty(name).ValueKind);
                }

                Assert.True(mode.TryGetProperty("promptTokensPerRequest", out _));
                Assert.InRange(mode.GetProperty("p50Ms").GetDouble(), 0.001, 60_000);
                Assert.True(mode.GetProperty("p95Ms").GetDouble() >= mode.GetProperty("p50Ms").GetDouble());
                Assert.InRange(mode.GetProperty("rssMb").GetDouble(), 10, 4_000);
                Assert.True(mode.GetProperty("keystrokes").GetInt32() > 0);
                Assert.Equal(mode.GetProperty("keystrokes").GetInt32(), mode.GetProperty("answered").GetInt32());
            }

            // Typing back two lines: every keystroke answered, never more than one decode each, and a real prompt.
            var reuse = modes["reuse"];
            Assert.True(reuse.GetProperty("keystrokes").GetInt32() >= 40);
            Assert.InRange(reuse.GetProperty("decodesPerKeystroke").GetDouble(), 0, 1);
            if (reuse.GetProperty("decodesStarted").GetInt64() > 0)
            {
                Assert.True(reuse.GetProperty("promptTokensPerRequest").GetDouble() > 50);
                Assert.True(reuse.GetProperty("reusedTokensPerRequest").GetDouble() > 0, "the KV cache is reused while typing");
                Assert.True(reuse.GetProperty("decodeP50Ms").GetDouble() > 0);
            }

            // Typing the suggestion that is shown never decodes: each keystroke is answered from what was shown.
            var accept = modes["accept"];
            Assert.Equal(0, accept.GetProperty("decodesStarted").GetInt64());
            Assert.Equal(0, accept.GetProperty("decodesPerKeystroke").GetDouble());
            Assert.True(accept.GetProperty("typedThrough").GetInt64() + accept.GetProperty("cacheHits").GetInt64() >= accept.GetProperty("keystrokes").GetInt32());
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public async Task NoContextCopyRunsTheModelAloneAndSaysSo()
    {
        var json = Path.Combine(Path.GetTempPath(), $"codeassist-bench-{Guid.NewGuid():N}.json");
        var file = Path.Combine(RepositoryPaths.Root, "examples", "inventory.py");
        try
        {
            var (exitCode, _, stderr) = await RunAsync(
                "bench", "--file", file, "--mode", "reuse", "--region-chars", "20", "--context", "512", "--no-context-copy", "--json", json);
            Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}");
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            Assert.False(document.RootElement.GetProperty("contextCopy").GetBoolean());
            Assert.Contains("--no-context-copy", document.RootElement.GetProperty("command").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public async Task AnUnknownModeIsAUsageError()
    {
        var (exitCode, _, stderr) = await RunAsync("bench", "--mode", "warp");
        Assert.Equal(2, exitCode);
        Assert.Contains("unknown mode 'warp'", stderr, StringComparison.Ordinal);
    }

    /// <summary>Runs the verb with --no-pause-trainer: a test never pauses this machine's training campaign.</summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] arguments)
    {
        using var process = ServerProcess.Start(Path.Combine(Path.GetTempPath(), "codeassist-test-logs"), [.. arguments, "--no-pause-trainer"]);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
