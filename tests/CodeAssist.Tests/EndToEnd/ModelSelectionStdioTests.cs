using System.Text.Json;
using CodeAssist.Tests.Models;
using CodeAssist.Tests.Protocol;
using CodeAssist.Tests.Testing;
using Nerdbank.Streams;

namespace CodeAssist.Tests.EndToEnd;

/// <summary>Listing and switching models, status notifications and a code action, with the built executable over its real stdin/stdout.</summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class ModelSelectionStdioTests
{
    private static string Json(object value) => JsonSerializer.Serialize(value, new JsonSerializerOptions { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() });

    [Fact]
    public async Task AModelInTheModelsFolderIsListedSelectedAndReportedOverStdio()
    {
        var logs = Directory.CreateTempSubdirectory("codeassist-logs-").FullName;
        var folder = Directory.CreateTempSubdirectory("codeassist-models-");
        try
        {
            var copy = Path.Combine(folder.FullName, "pocket-coder.gguf");
            File.Copy(RepositoryPaths.TinyModel, copy);
            var environment = new Dictionary<string, string?> { ["CODEASSIST_MODELS_DIR"] = folder.FullName };
            using var process = ServerProcess.Start(logs, environment, "serve");
            var stderr = process.StandardError.ReadToEndAsync();
            await using var peer = new RawLspPeer(FullDuplexStream.Splice(process.StandardOutput.BaseStream, process.StandardInput.BaseStream));
            var received = new List<JsonElement>();

            async Task<JsonElement> RequestAsync(int id, string method, object? parameters)
            {
                await peer.SendAsync(Json(new { jsonrpc = "2.0", id, method, @params = parameters }));
                while (true)
                {
                    var message = await peer.ReadAsync(TimeSpan.FromSeconds(60)) ?? throw new EndOfStreamException("the server closed stdout");
                    if (message.TryGetProperty("method", out _))
                    {
                        received.Add(message);
                    }
                    else if (message.TryGetProperty("id", out var answered) && answered.GetInt32() == id)
                    {
                        return message;
                    }
                }
            }

            var uri = "file:///work/project/circle.py";
            const string source = "class Circle:\n    def area(self):\n        \"\"\"Return the area.\"\"\"\n        pass\n";
            await RequestAsync(1, "initialize", new
            {
                processId = Environment.ProcessId,
                rootUri = (string?)null,
                capabilities = new { window = new { workDoneProgress = false } },
                initializationOptions = new { model = RepositoryPaths.TinyModel, threads = 1, contextSize = 512, maxTokens = 16, debounceMs = 0 },
            });
            await peer.SendAsync(Json(new { jsonrpc = "2.0", method = "initialized", @params = new { } }));
            await peer.SendAsync(Json(new { jsonrpc = "2.0", method = "textDocument/didOpen", @params = new { textDocument = new { uri, languageId = "python", version = 1, text = source } } }));

            var listed = (await RequestAsync(2, "workspace/executeCommand", new { command = "codeAssist.listModels", arguments = new[] { new { tier = "local" } } })).GetProperty("result");
            var pocket = Assert.Single(listed.EnumerateArray(), m => m.GetProperty("id").GetString() == "pocket-coder");
            Assert.Equal(copy, pocket.GetProperty("path").GetString());
            Assert.False(pocket.GetProperty("active").GetBoolean());
            Assert.Equal("codeassist", pocket.GetProperty("family").GetString());

            var selected = (await RequestAsync(3, "workspace/executeCommand", new { command = "codeAssist.selectModel", arguments = new[] { new { tier = "local", id = "pocket-coder" } } })).GetProperty("result");
            Assert.True(selected.GetProperty("active").GetBoolean());

            var completion = await RequestAsync(4, "textDocument/inlineCompletion", new { textDocument = new { uri }, position = new { line = 3, character = 8 }, context = new { triggerKind = 1 } });
            Assert.True(completion.TryGetProperty("result", out _), completion.GetRawText());

            var actions = (await RequestAsync(5, "textDocument/codeAction", new
            {
                textDocument = new { uri },
                range = new { start = new { line = 3, character = 8 }, end = new { line = 3, character = 8 } },
                context = new { diagnostics = Array.Empty<object>() },
            })).GetProperty("result");
            Assert.Contains(actions.EnumerateArray(), a => a.GetProperty("title").GetString() == "Implement function with pocket-coder");

            var shutdown = await RequestAsync(6, "shutdown", null);
            Assert.True(shutdown.TryGetProperty("result", out _), shutdown.GetRawText());
            await peer.SendAsync(Json(new { jsonrpc = "2.0", method = "exit" }));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, process.ExitCode);

            // The status followed the switch: the new model loading, then ready.
            var local = received
                .Where(m => m.GetProperty("method").GetString() == "codeAssist/status")
                .Select(m => m.GetProperty("params").GetProperty("tiers")[0])
                .Select(t => (State: t.GetProperty("state").GetString(), Model: t.GetProperty("model").GetString()))
                .ToList();
            var loading = local.IndexOf(("loading", "pocket-coder"));
            var ready = local.IndexOf(("ready", "pocket-coder"));
            Assert.True(loading >= 0 && ready > loading, string.Join(", ", local) + "\n" + await stderr);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
