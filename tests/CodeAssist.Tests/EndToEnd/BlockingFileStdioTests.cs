using System.Text.Json;
using CodeAssist.Tests.Models;
using CodeAssist.Tests.Protocol;
using CodeAssist.Tests.Testing;
using Nerdbank.Streams;

namespace CodeAssist.Tests.EndToEnd;

/// <summary>
/// A FIFO named like a model in the model folder once blocked listing, and with it the dispatcher: stats, shutdown and
/// exit went unanswered. Over real stdio: listing, selecting it, and everything after are answered.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class BlockingFileStdioTests
{
    [Fact]
    public async Task AFifoInTheModelFolderNeitherBlocksListingNorSelectingNorWhatFollows()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return; // FIFOs in the file system are Unix's
        }

        var logs = Directory.CreateTempSubdirectory("codeassist-logs-").FullName;
        var folder = Directory.CreateTempSubdirectory("codeassist-models-");
        try
        {
            var fifo = Path.Combine(folder.FullName, "x.gguf");
            using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
            {
                await mkfifo.WaitForExitAsync();
            }

            File.Copy(RepositoryPaths.TinyModel, Path.Combine(folder.FullName, "pocket-coder.gguf"));
            using var process = ServerProcess.Start(logs, new Dictionary<string, string?> { ["CODEASSIST_MODELS_DIR"] = folder.FullName }, "serve");
            var stderr = process.StandardError.ReadToEndAsync();
            await using var peer = new RawLspPeer(FullDuplexStream.Splice(process.StandardOutput.BaseStream, process.StandardInput.BaseStream));

            async Task<JsonElement> RequestAsync(int id, string method, object? parameters)
            {
                await peer.SendAsync(JsonSerializer.Serialize(new { jsonrpc = "2.0", id, method, @params = parameters }));
                return await peer.ReadResponseAsync(id).WaitAsync(TimeSpan.FromSeconds(30));
            }

            await RequestAsync(1, "initialize", new { processId = Environment.ProcessId, rootUri = (string?)null, capabilities = new { } });
            var listed = await RequestAsync(2, "workspace/executeCommand", new { command = "codeAssist.listModels", arguments = new[] { new { tier = "local" } } });
            var ids = listed.GetProperty("result").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
            Assert.Contains("pocket-coder", ids);

            var selected = await RequestAsync(3, "workspace/executeCommand", new { command = "codeAssist.selectModel", arguments = new[] { new { tier = "local", id = fifo } } });
            Assert.True(selected.TryGetProperty("error", out var error), selected.GetRawText());
            Assert.Contains("FIFO", error.GetProperty("message").GetString(), StringComparison.Ordinal);

            Assert.True((await RequestAsync(4, "codeAssist/stats", null)).TryGetProperty("result", out _));
            Assert.True((await RequestAsync(5, "shutdown", null)).TryGetProperty("result", out _));
            await peer.SendAsync("""{"jsonrpc":"2.0","method":"exit"}""");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, process.ExitCode);
            _ = await stderr;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
