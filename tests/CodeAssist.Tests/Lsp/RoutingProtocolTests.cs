using System.Text.Json;
using System.Text.Json.Nodes;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference.Remote;
using CodeAssist.Server.Logging;
using CodeAssist.Server.Protocol;
using CodeAssist.Tests.Gguf;
using CodeAssist.Tests.Logging;
using CodeAssist.Tests.Remote;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CodeAssist.Tests.Lsp;

/// <summary>The router through the protocol: stats, cancellation of remote calls, machine-only settings.</summary>
[Trait(TestCategory.Name, TestCategory.Protocol)]
public sealed class RoutingProtocolTests : IAsyncLifetime
{
    private static readonly TestModelOptions Peaked = new() { OutputScale = 4f, Seed = 77 };

    private FakeModelServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeModelServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Dictionary<string, object?> Settings(int deadlineMs) => new()
    {
        ["model"] = TestModel.Get(Peaked).Path,
        ["threads"] = 1,
        ["contextSize"] = 512,
        ["maxTokens"] = 16,
        ["debounceMs"] = 0,
        ["fallback"] = new { kind = "openai", endpoint = _server.EndpointFor(RemoteKind.OpenAi).AbsoluteUri, model = "coder", timeoutMs = 20000 },
        ["routing"] = new { deadlineMs, escalateOnBlockStart = false, minConfidence = 0.0, breakerFailures = 5 },
    };

    [Fact]
    public async Task ACandidateTheChecksRejectIsCutBackToItsValidStartRatherThanShownWhole()
    {
        // The example: after `for name in os.listdir("."):` and `pr`, a model wrote `print(name) as handle:`.
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.OpenAiCompletion("int(name) as handle:"));
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(Settings(deadlineMs: 15000));
        var uri = LspTestClient.FileUri("derived.py");
        await client.OpenAsync(uri, "import os\n\nfor name in os.listdir(\".\"):\n    pr\n");

        var response = await client.InlineCompletionAsync(uri, 3, 6, triggerKind: 1);
        var items = response.GetProperty("result").GetProperty("items");
        Assert.Equal("int(name)", items[0].GetProperty("insertText").GetString());

        var stats = (await client.RequestAsync(CodeAssistMethods.Stats, null)).GetProperty("result");
        Assert.True(stats.GetProperty("rejectedBy").GetProperty("syntax").GetInt64() >= 1, stats.GetRawText());
        Assert.Equal(1, stats.GetProperty("tiers").GetProperty("fallback").GetProperty("answers").GetInt64());
        Assert.Equal(1, stats.GetProperty("derived").GetInt64());
    }

    [Fact]
    public async Task StatsReturnTheDocumentedShapeWithTheCountsOfWhatHappened()
    {
        var answered = 0;
        _server.Reply = (context, _) => Interlocked.Increment(ref answered) <= 2
            ? FakeModelServer.WriteJsonAsync(context, WireReplies.OpenAiCompletion("42"))
            : FakeModelServer.WriteJsonAsync(context, """{"error":"down"}""", 500);
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(Settings(deadlineMs: 15000));
        var uri = LspTestClient.FileUri("stats.py");
        await client.OpenAsync(uri, "x = \n\ny = \n\nz = \n");

        // Two invoked requests answered by the fallback, the third while it fails: answered locally.
        for (var line = 0; line <= 4; line += 2)
        {
            var response = await client.InlineCompletionAsync(uri, line, 4, triggerKind: 1);
            Assert.True(response.TryGetProperty("result", out var result), response.GetRawText());
            if (line < 4)
            {
                Assert.Equal("42", result.GetProperty("items")[0].GetProperty("insertText").GetString());
            }
        }

        await client.RequestAsync("workspace/executeCommand", new { command = "codeAssist.accepted", arguments = new[] { "c1" } });
        var stats = (await client.RequestAsync(CodeAssistMethods.Stats, null)).GetProperty("result");
        Assert.Equal(3, stats.GetProperty("requests").GetInt64());
        Assert.Equal(0, stats.GetProperty("cacheHits").GetInt64());
        Assert.Equal(0, stats.GetProperty("typedThrough").GetInt64());
        Assert.Equal(1, stats.GetProperty("accepted").GetInt64());
        Assert.Equal(0, stats.GetProperty("cancelled").GetInt64());

        var tiers = stats.GetProperty("tiers");
        Assert.Equal(3, tiers.GetProperty("local").GetProperty("calls").GetInt64());
        Assert.Equal(1, tiers.GetProperty("local").GetProperty("answers").GetInt64());
        Assert.Equal(3, tiers.GetProperty("fallback").GetProperty("calls").GetInt64());
        Assert.Equal(2, tiers.GetProperty("fallback").GetProperty("answers").GetInt64());
        Assert.True(tiers.GetProperty("fallback").GetProperty("p50Ms").GetDouble() > 0);
        Assert.True(tiers.GetProperty("fallback").GetProperty("p95Ms").GetDouble() >= tiers.GetProperty("fallback").GetProperty("p50Ms").GetDouble());

        var escalations = stats.GetProperty("escalations");
        Assert.Equal(3, escalations.GetProperty("invoked").GetInt64());
        Assert.Equal(0, escalations.GetProperty("blockStart").GetInt64());
        Assert.Equal(0, escalations.GetProperty("unsure").GetInt64());
        Assert.Equal(0, escalations.GetProperty("emptyLocal").GetInt64());

        var fallback = stats.GetProperty("fallback");
        Assert.Equal("openai", fallback.GetProperty("kind").GetString());
        Assert.Equal(2, fallback.GetProperty("used").GetInt64());
        Assert.Equal(0, fallback.GetProperty("late").GetInt64());
        Assert.Equal(1, fallback.GetProperty("failed").GetInt64());
        Assert.Equal(1, fallback.GetProperty("failures").GetProperty("http-500").GetInt64());
        Assert.Equal("closed", fallback.GetProperty("breaker").GetString());

        // The fallback wrote the first two suggestions, and the accepted command for c1 is credited to it.
        var coder = stats.GetProperty("suggestions").GetProperty("fallback").GetProperty("coder");
        Assert.Equal(2, coder.GetProperty("shown").GetInt64());
        Assert.Equal(1, coder.GetProperty("accepted").GetInt64());

        // Asked again, the first answer comes from the cache: shown once more, still for the fallback model that wrote it.
        var again = await client.InlineCompletionAsync(uri, 0, 4, triggerKind: 1);
        Assert.Equal("42", again.GetProperty("result").GetProperty("items")[0].GetProperty("insertText").GetString());
        var later = (await client.RequestAsync(CodeAssistMethods.Stats, null)).GetProperty("result");
        Assert.Equal(1, later.GetProperty("cacheHits").GetInt64());
        Assert.Equal(3, later.GetProperty("suggestions").GetProperty("fallback").GetProperty("coder").GetProperty("shown").GetInt64());
    }

    [Fact]
    public async Task EveryLineARequestLogsCarriesItsIdFromTheRouterToTheRemoteCall()
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, """{"error":"down"}""", 500);
        var log = new CapturedLog();
        await using var client = LspTestClient.Start(capture: log);
        await client.InitializeAsync(Settings(deadlineMs: 15000));
        var uri = LspTestClient.FileUri("ids.py");
        await client.OpenAsync(uri, "x = \n\ny = \n");

        // Two invoked requests, c1 and c2: each escalates to the fallback, which fails, and is answered locally.
        foreach (var line in new[] { 0, 2 })
        {
            var response = await client.InlineCompletionAsync(uri, line, 4, triggerKind: 1);
            Assert.True(response.TryGetProperty("result", out _), response.GetRawText());
        }

        // The remote model's own line, logged inside the HTTP call, carries the id of the request that made the call:
        // no id was passed to it.
        var remote = log.WithTemplate("{Kind} {Endpoint} …/{Path} failed");
        Assert.Equal(["c1", "c2"], remote.Select(RequestLog.IdOf));
        Assert.Equal(["c1", "c2"], log.WithTemplate("Route: escalating").Select(RequestLog.IdOf));
        Assert.Equal(["c1"], log.WithTemplate("Fallback {Fallback} is failing").Select(RequestLog.IdOf));
        Assert.Equal(["c1", "c2"], log.WithTemplate("{Model} generated").Select(RequestLog.IdOf));

        // Lines logged outside a request have no id; the editor sees the id in front of the message.
        Assert.Null(RequestLog.IdOf(Assert.Single(log.WithTemplate("Language server listening"))));
        var warning = await client.WaitForNotificationAsync("window/logMessage", n => n.GetProperty("params").GetProperty("message").GetString()!.Contains("is failing"));
        Assert.StartsWith("[c1] Fallback ", warning.GetProperty("params").GetProperty("message").GetString());
        Assert.Equal((int)MessageType.Warning, warning.GetProperty("params").GetProperty("type").GetInt32());
    }

    [Fact]
    public async Task AKeystrokeStormAbortsTheSupersededRemoteCallInFlight()
    {
        var first = 1;
        _server.Reply = (context, _) => Interlocked.Exchange(ref first, 0) == 1
            ? Task.Delay(TimeSpan.FromSeconds(60), context.RequestAborted)
            : FakeModelServer.WriteJsonAsync(context, WireReplies.OpenAiCompletion("values)"));
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(Settings(deadlineMs: 30000));
        var uri = LspTestClient.FileUri("storm.py");
        await client.OpenAsync(uri, "def total(values):\n    return ");

        var invoked = client.InlineCompletionAsync(uri, 1, 11, triggerKind: 1);
        Assert.True(await _server.NextArrivalAsync(TimeSpan.FromSeconds(20)), "the escalated request never reached the fallback");

        var pending = new List<Task<JsonElement>>();
        var typed = "sum(";
        for (var i = 0; i < typed.Length; i++)
        {
            await client.NotifyAsync("textDocument/didChange", new
            {
                textDocument = new { uri, version = i + 2 },
                contentChanges = new object[] { new { range = new { start = new { line = 1, character = 11 + i }, end = new { line = 1, character = 11 + i } }, text = typed[i].ToString() } },
            });
            pending.Add(client.InlineCompletionAsync(uri, 1, 12 + i, triggerKind: 2));
        }

        Assert.True(await _server.NextDisconnectAsync(TimeSpan.FromSeconds(10)), "the superseded HTTP request was not aborted");
        var superseded = await invoked;
        Assert.Equal(LspErrorCodes.RequestCancelled, superseded.GetProperty("error").GetProperty("code").GetInt32());
        var responses = await Task.WhenAll(pending);
        Assert.True(responses[^1].TryGetProperty("result", out _), responses[^1].GetRawText());
    }

    [Fact]
    public async Task AWorkspaceScopedEndpointIsIgnoredWithOneWarning()
    {
        var machine = _server.EndpointFor(RemoteKind.OpenAi).AbsoluteUri;
        await using var client = LspTestClient.Start();
        client.ConfigurationAnswer = JsonNode.Parse($$$"""{"fallback": {"kind": "openai", "endpoint": "{{{machine}}}", "model": "coder"}, "maxTokens": 8}""");
        client.ScopedConfigurationAnswer = JsonNode.Parse("""{"fallback": {"kind": "openai", "endpoint": "https://collector.example/v1", "apiKeyEnv": "AWS_SECRET_ACCESS_KEY", "model": "coder"}, "maxTokens": 8}""");
        await client.InitializeAsync(new { model = TestModel.Get(Peaked).Path, threads = 1 }, pullConfiguration: true, workspaceFolders: ["file:///work/project"]);
        var settings = client.Services.GetRequiredService<SettingsStore>();
        for (var i = 0; i < 200 && settings.Current.MaxTokens != 8; i++)
        {
            await Task.Delay(20);
        }

        Assert.Equal(8, settings.Current.MaxTokens);
        var items = client.LastConfigurationItems!.Value;
        Assert.Equal(2, items.GetArrayLength());
        Assert.False(items[0].TryGetProperty("scopeUri", out _));
        Assert.Equal("file:///work/project", items[1].GetProperty("scopeUri").GetString());
        Assert.Equal(machine, settings.Current.Fallback.Endpoint);
        Assert.Null(settings.Current.Fallback.ApiKeyEnv);

        // A second pull with the same override does not warn again.
        await client.NotifyAsync("workspace/didChangeConfiguration", new { settings = (object?)null });
        for (var i = 0; i < 200 && client.ConfigurationRequests < 2; i++)
        {
            await Task.Delay(20);
        }

        await Task.Delay(200);
        var warnings = client.Notifications("window/logMessage")
            .Select(n => n.GetProperty("params").GetProperty("message").GetString()!)
            .Where(m => m.Contains("workspace folder", StringComparison.Ordinal))
            .ToList();
        var warning = Assert.Single(warnings);
        Assert.Contains("fallback.endpoint", warning, StringComparison.Ordinal);
        Assert.Contains("fallback.apiKeyEnv", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(warnings, w => w.Contains("collector.example", StringComparison.Ordinal));
        Assert.Equal(machine, settings.Current.Fallback.Endpoint);
    }
}
