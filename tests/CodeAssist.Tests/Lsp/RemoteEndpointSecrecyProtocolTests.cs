using CodeAssist.Server.Inference.Remote;
using CodeAssist.Tests.Gguf;
using CodeAssist.Tests.Logging;
using CodeAssist.Tests.Remote;
using CodeAssist.Tests.Testing;
using Serilog.Events;

namespace CodeAssist.Tests.Lsp;

/// <summary>
/// What the server gives away about the remote fallback: the API key only to the endpoint it was set with, and in the
/// log only the endpoint's scheme and host (its path or query may carry a token).
/// </summary>
[Trait(TestCategory.Name, TestCategory.Protocol)]
public sealed class RemoteEndpointSecrecyProtocolTests : IAsyncLifetime
{
    private static readonly TestModelOptions Peaked = new() { OutputScale = 4f, Seed = 77 };

    private FakeModelServer _first = null!;
    private FakeModelServer _second = null!;

    public async Task InitializeAsync()
    {
        _first = await FakeModelServer.StartOpenAiCompletingAsync("42");
        _second = await FakeModelServer.StartAsync();

        // Whatever path it is asked on: the endpoints under test have paths of their own.
        _second.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.OpenAiCompletion("42"));
    }

    public async Task DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
    }

    private static Dictionary<string, object?> Settings(object fallback) => new()
    {
        ["model"] = TestModel.Get(Peaked).Path,
        ["threads"] = 1,
        ["contextSize"] = 512,
        ["maxTokens"] = 16,
        ["debounceMs"] = 0,
        ["fallback"] = fallback,
        ["routing"] = new { deadlineMs = 15000, escalateOnBlockStart = false, minConfidence = 0.0 },
    };

    [Fact]
    public async Task ANewEndpointGetsTheKeyOnlyWhenTheSameChangeNamesIt()
    {
        var variable = "CODEASSIST_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "sk-for-the-first-endpoint");
        try
        {
            var log = new CapturedLog();
            await using var client = LspTestClient.Start(capture: log);
            var first = _first.EndpointFor(RemoteKind.OpenAi).AbsoluteUri;
            var second = _second.EndpointFor(RemoteKind.OpenAi).AbsoluteUri;
            await client.InitializeAsync(Settings(new { kind = "openai", endpoint = first, model = "coder", apiKeyEnv = variable, timeoutMs = 20000 }));
            var uri = LspTestClient.FileUri("keys.py");
            await client.OpenAsync(uri, "x = \n\ny = \n\nz = \n");

            // Invoked requests escalate; each on its own line, so none is answered from the cache.
            await AnsweredByFallbackAsync(client, uri, 0);
            Assert.Equal("Bearer sk-for-the-first-endpoint", Assert.Single(_first.Requests).Authorization);

            // A push that moves the endpoint alone: the key stays behind, and the log says why.
            await client.NotifyAsync("workspace/didChangeConfiguration", new { settings = new { codeAssist = new { fallback = new { endpoint = second } } } });
            await AnsweredByFallbackAsync(client, uri, 2);
            Assert.Null(Assert.Single(_second.Requests).Authorization);
            var why = Assert.Single(log.Events, e => e.Level == LogEventLevel.Warning && e.RenderMessage().Contains("fallback.apiKeyEnv", StringComparison.Ordinal)).RenderMessage();
            Assert.Contains("only to the endpoint it was set with", why, StringComparison.Ordinal);

            // The same endpoint with the key named again: the user confirmed it for this address.
            await client.NotifyAsync("workspace/didChangeConfiguration", new { settings = new { codeAssist = new { fallback = new { endpoint = second, apiKeyEnv = variable } } } });
            await AnsweredByFallbackAsync(client, uri, 4);
            Assert.Equal("Bearer sk-for-the-first-endpoint", _second.Requests[^1].Authorization);
            Assert.Single(_first.Requests);
            Assert.DoesNotContain(log.Events, e => Mentions(e, "sk-for-the-first-endpoint"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Theory]
    [InlineData("secret-path/v1", true)]
    [InlineData("secret-path/v1?token=abc", false)]
    public async Task AnEscalationLogsTheEndpointAsSchemeAndHostOnly(string pathAndQuery, bool usable)
    {
        var endpoint = new Uri(_second.BaseAddress, pathAndQuery).AbsoluteUri;
        var log = new CapturedLog();
        await using var client = LspTestClient.Start(capture: log);
        await client.InitializeAsync(Settings(new { kind = "openai", endpoint, model = "coder", timeoutMs = 20000 }));
        var uri = LspTestClient.FileUri("route.py");
        await client.OpenAsync(uri, "x = \n\ny = \n");
        var response = await client.InlineCompletionAsync(uri, 0, 4, triggerKind: 1);
        Assert.True(response.TryGetProperty("result", out _), response.GetRawText());
        if (usable)
        {
            // The path was really used, so the log had it to give away.
            Assert.Equal("/secret-path/v1/completions", Assert.Single(_second.Requests).Path);
        }
        else
        {
            // A query is refused as an endpoint (it would not survive the path being appended); it is still escalated to.
            Assert.Empty(_second.Requests);
        }

        var host = $"http://127.0.0.1:{_second.BaseAddress.Port}";
        var escalation = Assert.Single(log.Events, e => e.MessageTemplate.Text.StartsWith("Route: escalating", StringComparison.Ordinal));
        Assert.Equal(LogEventLevel.Information, escalation.Level);
        Assert.Contains($"at {host}", escalation.RenderMessage(), StringComparison.Ordinal);
        Assert.Contains(log.Events, e => e.MessageTemplate.Text.StartsWith("Settings changed", StringComparison.Ordinal) && e.RenderMessage().Contains(host, StringComparison.Ordinal));
        var leaks = log.Events.Where(e => Mentions(e, "secret-path") || Mentions(e, "token=abc")).Select(e => $"{e.Level}: {e.RenderMessage()}").ToList();
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));
    }

    private async Task AnsweredByFallbackAsync(LspTestClient client, string uri, int line)
    {
        var before = _first.Requests.Count + _second.Requests.Count;
        var response = await client.InlineCompletionAsync(uri, line, 4, triggerKind: 1);
        Assert.Equal("42", response.GetProperty("result").GetProperty("items")[0].GetProperty("insertText").GetString());
        Assert.Equal(before + 1, _first.Requests.Count + _second.Requests.Count);
    }

    /// <summary>Whether the text appears anywhere in the event: its message, its properties, or its exception.</summary>
    private static bool Mentions(LogEvent e, string text) =>
        e.RenderMessage().Contains(text, StringComparison.Ordinal)
        || e.Properties.Values.Any(value => value.ToString().Contains(text, StringComparison.Ordinal))
        || (e.Exception?.ToString().Contains(text, StringComparison.Ordinal) ?? false);
}
