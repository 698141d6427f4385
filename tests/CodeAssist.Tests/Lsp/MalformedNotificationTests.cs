using CodeAssist.Tests.Logging;
using CodeAssist.Tests.Testing;
using Serilog.Events;

namespace CodeAssist.Tests.Lsp;

/// <summary>A notification whose params do not deserialize is not dropped in silence: the log says which method.</summary>
[Trait(TestCategory.Name, TestCategory.Protocol)]
public sealed class MalformedNotificationTests
{
    [Theory]
    [InlineData("""{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a.py","languageId":"python","version":"one","text":"x = 1\n"}}}""")]
    [InlineData("""{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///a.py","languageId":"python","version":1,"text":null}}}""")]
    [InlineData("""{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///a.py","version":2},"contentChanges":"x"}}""")]
    public async Task AMalformedNotificationIsLoggedAtWarningWithItsMethod(string message)
    {
        var log = new CapturedLog();
        await using var client = LspTestClient.Start(capture: log);
        await client.InitializeAsync();
        await client.SendRawAsync(message);
        var method = message.Contains("didOpen", StringComparison.Ordinal) ? "textDocument/didOpen" : "textDocument/didChange";

        // The server stays up and answers the next request.
        var stats = await client.RequestAsync("codeAssist/stats", null);
        Assert.True(stats.TryGetProperty("result", out _), stats.GetRawText());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && !Warned(log, method))
        {
            await Task.Delay(50);
        }

        Assert.True(Warned(log, method), string.Join("\n", log.Events.Select(e => $"{e.Level}: {e.RenderMessage()}")));
    }

    [Fact]
    public async Task ACancelledRequestIsNoWarning()
    {
        // Cancelling is how editors work (every keystroke): StreamJsonRpc's trace of it must not reach the log as a warning.
        var log = new CapturedLog();
        await using var client = LspTestClient.Start(capture: log);
        await client.InitializeAsync(new Dictionary<string, object?> { ["model"] = CodeAssist.Tests.Models.RepositoryPaths.TinyModel, ["threads"] = 1, ["debounceMs"] = 2000 });
        var uri = LspTestClient.FileUri("cancel.py");
        await client.OpenAsync(uri, "import os\n\nx = os.\n");
        var response = await client.RequestAndCancelAsync(
            "textDocument/inlineCompletion",
            new { textDocument = new { uri }, position = new { line = 2, character = 7 }, context = new { triggerKind = 2 } },
            TimeSpan.FromMilliseconds(200));
        Assert.True(response.TryGetProperty("error", out _) || response.TryGetProperty("result", out _), response.GetRawText());
        await client.RequestAsync("codeAssist/stats", null);
        Assert.DoesNotContain(log.Events, e => e.Level >= LogEventLevel.Warning && e.RenderMessage().StartsWith("JSON-RPC:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAnsweredRequestErrorIsLoggedOnceByItsHandlerNotAgainAsAWarning()
    {
        var log = new CapturedLog();
        await using var client = LspTestClient.Start(capture: log);
        await client.InitializeAsync();
        var response = await client.RequestAsync("codeAction/resolve", new { title = "x", data = new { uri = "file:///gone.py", version = 1, action = "implementFunction", position = new { line = 0, character = 0 } } });
        Assert.True(response.TryGetProperty("error", out _), response.GetRawText());
        Assert.DoesNotContain(log.Events, e => e.Level >= LogEventLevel.Warning && e.RenderMessage().StartsWith("JSON-RPC:", StringComparison.Ordinal));
    }

    private static bool Warned(CapturedLog log, string method) =>
        log.Events.Any(e => e.Level >= LogEventLevel.Warning && e.RenderMessage().Contains(method, StringComparison.Ordinal));
}
