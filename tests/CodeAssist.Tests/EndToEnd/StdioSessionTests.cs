using System.Globalization;
using System.Text;
using System.Text.Json;
using CodeAssist.Tests.Gguf;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.EndToEnd;

/// <summary>The built executable serving a whole LSP session over its real stdin/stdout.</summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class StdioSessionTests
{
    private const string Source = "import os\n\n\ndef read_config(path):\n    with open(path) as handle:\n        return handle.read()\n\n\ndef main():\n    config = read_config(\"settings.ini\")\n    \n";

    private static byte[] Frame(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        return [.. Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n\r\n")), .. body];
    }

    private static async Task WaitForResponseAsync(LockedBuffer stdout, int id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var bytes = stdout.Snapshot();
            var text = Encoding.UTF8.GetString(bytes);
            if (text.Contains($"\"id\":{id},", StringComparison.Ordinal) || text.Contains($"\"id\":{id}}}", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"no response {id}");
    }

    /// <summary>A stream the child's stdout is copied into while the test reads what has arrived so far.</summary>
    private sealed class LockedBuffer : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (this)
            {
                base.Write(buffer, offset, count);
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            lock (this)
            {
                base.Write(buffer.Span);
            }

            return ValueTask.CompletedTask;
        }

        public byte[] Snapshot()
        {
            lock (this)
            {
                return ToArray();
            }
        }
    }

    private static string Json(object value) => JsonSerializer.Serialize(value, new JsonSerializerOptions { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() });

    [Fact]
    public async Task AWholeSessionOverStdioProducesOnlyWellFormedFramesAndExitsZero()
    {
        var logs = Directory.CreateTempSubdirectory("codeassist-logs-").FullName;
        var model = TestModel.Get(new TestModelOptions { OutputScale = 4f, Seed = 77 }).Path;
        var uri = "file:///work/project/config.py";
        using var process = ServerProcess.Start(logs, "serve");
        var stdout = new LockedBuffer();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();

        var messages = new[]
        {
            Json(new { jsonrpc = "2.0", id = 1, method = "initialize", @params = new { processId = Environment.ProcessId, rootUri = (string?)null, capabilities = new { }, initializationOptions = new { model, threads = 1, contextSize = 512, maxTokens = 16, debounceMs = 0 } } }),
            Json(new { jsonrpc = "2.0", method = "initialized", @params = new { } }),
            Json(new { jsonrpc = "2.0", method = "textDocument/didOpen", @params = new { textDocument = new { uri, languageId = "python", version = 1, text = Source } } }),
            Json(new { jsonrpc = "2.0", id = 2, method = "textDocument/inlineCompletion", @params = new { textDocument = new { uri }, position = new { line = 10, character = 4 }, context = new { triggerKind = 2 } } }),
            Json(new { jsonrpc = "2.0", method = "textDocument/didChange", @params = new { textDocument = new { uri, version = 2 }, contentChanges = new[] { new { range = new { start = new { line = 10, character = 4 }, end = new { line = 10, character = 4 } }, text = "print(" } } } }),
            Json(new { jsonrpc = "2.0", id = 3, method = "textDocument/inlineCompletion", @params = new { textDocument = new { uri }, position = new { line = 10, character = 10 }, context = new { triggerKind = 1 } } }),
            Json(new { jsonrpc = "2.0", id = 4, method = "textDocument/completion", @params = new { textDocument = new { uri }, position = new { line = 10, character = 10 } } }),
            Json(new { jsonrpc = "2.0", id = 5, method = "no/suchMethod", @params = new { } }),
            Json(new { jsonrpc = "2.0", id = 7, method = "textDocument/inlineCompletion", @params = new { textDocument = new { uri = "file:///work/project/missing.py" }, position = new { line = 0, character = 0 }, context = new { triggerKind = 1 } } }),
            Json(new { jsonrpc = "2.0", id = 6, method = "shutdown" }),
            Json(new { jsonrpc = "2.0", method = "exit" }),
        };

        var stdin = process.StandardInput.BaseStream;
        foreach (var message in messages)
        {
            await stdin.WriteAsync(Frame(message));
            await stdin.FlushAsync();

            // Wait for each answer, as an editor does before exit (and so no request supersedes another).
            if (JsonDocument.Parse(message).RootElement.TryGetProperty("id", out var id))
            {
                await WaitForResponseAsync(stdout, id.GetInt32());
            }
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        await copy;
        Assert.Equal(0, process.ExitCode);

        var frames = ServerProcess.ParseFrames(stdout.Snapshot());
        var parsed = frames.Select(f => JsonDocument.Parse(f).RootElement).ToList();
        Assert.All(parsed, m => Assert.Equal("2.0", m.GetProperty("jsonrpc").GetString()));
        var responses = parsed.Where(m => m.TryGetProperty("id", out _) && !m.TryGetProperty("method", out _)).ToDictionary(m => m.GetProperty("id").GetInt32());
        Assert.Equal(new[] { 1, 2, 3, 4, 5, 6, 7 }, responses.Keys.Order());
        Assert.True(responses[1].GetProperty("result").GetProperty("capabilities").TryGetProperty("inlineCompletionProvider", out _));
        Assert.True(responses[2].GetProperty("result").TryGetProperty("items", out _));
        Assert.True(responses[3].GetProperty("result").TryGetProperty("items", out _));
        Assert.True(responses[4].GetProperty("result").TryGetProperty("items", out _));
        Assert.Equal(-32601, responses[5].GetProperty("error").GetProperty("code").GetInt32());

        // While the editor is connected the log goes to it as window/logMessage, and not to stderr as well (an editor
        // shows both): each line reaches it once. The warning about the unknown document (request c4) carries its id.
        var errors = await stderr;
        var logMessages = parsed.Where(m => m.TryGetProperty("method", out var method) && method.GetString() == "window/logMessage")
            .Select(m => (Type: m.GetProperty("params").GetProperty("type").GetInt32(), Text: m.GetProperty("params").GetProperty("message").GetString()!))
            .ToList();
        var listening = Assert.Single(logMessages, m => m.Text.Contains("Language server listening", StringComparison.Ordinal));
        Assert.Equal(3, listening.Type);
        var warning = Assert.Single(logMessages, m => m.Text.Contains("Completion for unknown document", StringComparison.Ordinal));
        Assert.Equal(2, warning.Type);
        Assert.StartsWith("[c4] ", warning.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Language server listening", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("Completion for unknown document", errors, StringComparison.Ordinal);

        // The log file has everything, each line of a request with its id.
        var file = string.Concat(Directory.GetFiles(logs, "codeassist-*.log").Select(File.ReadAllText));
        Assert.Contains("Language server listening", file, StringComparison.Ordinal);
        Assert.Matches(@"\[c1\] .+ generated \d+ tokens", file);
        Assert.Contains("[c4] Completion for unknown document", file, StringComparison.Ordinal);
    }
}
