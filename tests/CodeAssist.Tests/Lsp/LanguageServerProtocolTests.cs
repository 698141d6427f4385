using System.Text.Json;
using CodeAssist.Server.Completion;
using CodeAssist.Server.Protocol;
using CodeAssist.Tests.Gguf;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CodeAssist.Tests.Lsp;

/// <summary>The real server, driven through its protocol over an in-memory stream pair.</summary>
[Trait(TestCategory.Name, TestCategory.Protocol)]
public sealed class LanguageServerProtocolTests
{
    private static readonly TestModelOptions Peaked = new() { OutputScale = 4f, Seed = 77 };

    private const string Source = "import os\n\n\ndef read_config(path):\n    with open(path) as handle:\n        return handle.read()\n\n\ndef main():\n    config = read_config(\"settings.ini\")\n    print(config)\n";

    private static object Settings(string? model = null, object? extra = null) => new Dictionary<string, object?>
    {
        ["model"] = model ?? TestModel.Get(Peaked).Path,
        ["threads"] = 1,
        ["contextSize"] = 512,
        ["maxTokens"] = 16,
        ["debounceMs"] = 0,
        ["multiline"] = "always",
    };

    private static int ErrorCode(JsonElement response) => response.GetProperty("error").GetProperty("code").GetInt32();

    [Fact]
    public async Task InitializeAdvertisesTheCapabilitiesOfLsp318AndTheServerInfo()
    {
        await using var client = LspTestClient.Start();
        var response = await client.InitializeAsync(Settings());
        var result = response.GetProperty("result");
        var capabilities = result.GetProperty("capabilities");
        Assert.Equal("utf-16", capabilities.GetProperty("positionEncoding").GetString());
        Assert.True(capabilities.GetProperty("textDocumentSync").GetProperty("openClose").GetBoolean());
        Assert.Equal(2, capabilities.GetProperty("textDocumentSync").GetProperty("change").GetInt32());
        Assert.Equal(JsonValueKind.Object, capabilities.GetProperty("inlineCompletionProvider").ValueKind);
        Assert.Equal(JsonValueKind.Object, capabilities.GetProperty("completionProvider").ValueKind);
        Assert.Contains("codeAssist.accepted", capabilities.GetProperty("executeCommandProvider").GetProperty("commands").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("codeassist", result.GetProperty("serverInfo").GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(result.GetProperty("serverInfo").GetProperty("version").GetString()));
    }

    [Fact]
    public async Task Utf8IsChosenWhenTheClientOffersIt()
    {
        await using var client = LspTestClient.Start();
        var response = await client.InitializeAsync(Settings(), offerUtf8: true);
        Assert.Equal("utf-8", response.GetProperty("result").GetProperty("capabilities").GetProperty("positionEncoding").GetString());
    }

    [Fact]
    public async Task RequestsBeforeInitializeAreRejectedWithServerNotInitialized()
    {
        await using var client = LspTestClient.Start();
        var response = await client.InlineCompletionAsync(LspTestClient.FileUri("a.py"), 0, 0);
        Assert.Equal(LspErrorCodes.ServerNotInitialized, ErrorCode(response));
        var shutdown = await client.RequestAsync("shutdown", null);
        Assert.Equal(LspErrorCodes.ServerNotInitialized, ErrorCode(shutdown));

        // Still serving: initialize works afterwards.
        var initialized = await client.InitializeAsync(Settings());
        Assert.True(initialized.TryGetProperty("result", out _));
    }

    [Fact]
    public async Task AnUnknownMethodIsMethodNotFoundAndTheServerStaysUp()
    {
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(Settings());
        Assert.Equal(LspErrorCodes.MethodNotFound, ErrorCode(await client.RequestAsync("textDocument/hover", new { textDocument = new { uri = "file:///a.py" }, position = new { line = 0, character = 0 } })));
        Assert.True((await client.RequestAsync("shutdown", null)).TryGetProperty("result", out _));
    }

    [Theory]
    [InlineData("""{"textDocument":{"uri":"file:///a.py"},"context":{"triggerKind":1}}""")]
    [InlineData("""{"textDocument":{"uri":"file:///a.py"},"position":{"line":"zero","character":0},"context":{"triggerKind":1}}""")]
    [InlineData("""{"textDocument":null,"position":{"line":0,"character":0},"context":{"triggerKind":1}}""")]
    [InlineData("""[1, 2, 3]""")]
    public async Task MalformedParamsAreInvalidParamsAndTheServerStaysUp(string parameters)
    {
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(Settings());
        var response = await client.RequestAsync("textDocument/inlineCompletion", JsonDocument.Parse(parameters).RootElement);
        Assert.Equal(LspErrorCodes.InvalidParams, ErrorCode(response));
        Assert.True((await client.RequestAsync("shutdown", null)).TryGetProperty("result", out _));
    }

    [Fact]
    public async Task AFrameThatIsNotJsonIsAParseErrorAndTheServerStaysUp()
    {
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(Settings());
        await client.SendRawBytesAsync("this is { not json"u8.ToArray());
        await client.WaitForNotificationAsync("window/logMessage", n => n.GetProperty("params").GetProperty("message").GetString()!.Contains("not JSON", StringComparison.Ordinal));
        var answer = await client.WaitForAnswerAsync(JsonDocument.Parse("null").RootElement);
        Assert.Equal(LspErrorCodes.ParseError, ErrorCode(answer));
        var response = await client.RequestAsync("shutdown", null);
        Assert.True(response.TryGetProperty("result", out _));
    }

    [Fact]
    public async Task InlineCompletionAnswersWithTheTextThePipelineComputesAndARequestIdCommand()
    {
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(Settings());
        var uri = LspTestClient.FileUri("config.py");
        await client.OpenAsync(uri, Source);
        var line = 10;
        var response = await client.InlineCompletionAsync(uri, line, 4);
        var items = response.GetProperty("result").GetProperty("items");
        var stats = client.Services.GetRequiredService<CompletionStatistics>();
        Assert.Equal(1, client.ModelCalls);
        var item = Assert.Single(items.EnumerateArray());
        Assert.False(string.IsNullOrEmpty(item.GetProperty("insertText").GetString()));
        Assert.Equal(line, item.GetProperty("range").GetProperty("start").GetProperty("line").GetInt32());
        Assert.Equal(4, item.GetProperty("range").GetProperty("end").GetProperty("character").GetInt32());
        Assert.Equal("codeAssist.accepted", item.GetProperty("command").GetProperty("command").GetString());
        var requestId = item.GetProperty("command").GetProperty("arguments")[0].GetString();
        Assert.StartsWith("c", requestId);

        // Accepting it is counted.
        await client.RequestAsync("workspace/executeCommand", new { command = "codeAssist.accepted", arguments = new[] { requestId } });
        Assert.Equal(1, stats.Accepted);
    }

    [Fact]
    public async Task TheSameRequestTwiceIsAnsweredFromTheCache()
    {
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(Settings());
        var uri = LspTestClient.FileUri("config.py");
        await client.OpenAsync(uri, Source);
        var first = await client.InlineCompletionAsync(uri, 10, 4);
        var second = await client.InlineCompletionAsync(uri, 10, 4);
        Assert.Equal(1, client.ModelCalls);
        Assert.Equal(first.GetProperty("result").GetProperty("items").GetRawText().Length, second.GetProperty("result").GetProperty("items").GetRawText().Length);
    }

    [Fact]
    public async Task APositionOutsideTheDocumentIsAnEmptyAnswerAndALoggedWarning()
    {
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(Settings());
        var uri = LspTestClient.FileUri("short.py");
        await client.OpenAsync(uri, "x = 1\n");
        var response = await client.InlineCompletionAsync(uri, 40, 0);
        Assert.Equal(0, response.GetProperty("result").GetProperty("items").GetArrayLength());
        var warning = await client.WaitForNotificationAsync("window/logMessage", n => n.GetProperty("params").GetProperty("message").GetString()!.Contains("outside"));
        Assert.Equal(2, warning.GetProperty("params").GetProperty("type").GetInt32());
    }

    [Fact]
    public async Task IncrementalChangesAreAppliedBeforeTheNextRequestReadsTheDocument()
    {
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(Settings());
        var uri = LspTestClient.FileUri("grow.py");
        await client.OpenAsync(uri, "x = 1\n");
        await client.NotifyAsync("textDocument/didChange", new
        {
            textDocument = new { uri, version = 2 },
            contentChanges = new object[]
            {
                new { range = new { start = new { line = 1, character = 0 }, end = new { line = 1, character = 0 } }, text = "def f(a):\n    return a\n\nprint(" },
            },
        });

        // Line 4 exists only if the change was applied before this request was served.
        var response = await client.InlineCompletionAsync(uri, 4, 6);
        Assert.True(response.TryGetProperty("result", out _));
        Assert.DoesNotContain(client.Notifications("window/logMessage"), n => n.GetProperty("params").GetProperty("message").GetString()!.Contains("outside"));
        Assert.Equal(1, client.ModelCalls);
    }

    [Fact]
    public async Task CompletionFallsBackToOneCompletionItemWithATextEdit()
    {
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(Settings());
        var uri = LspTestClient.FileUri("config.py");
        await client.OpenAsync(uri, Source);
        var response = await client.RequestAsync("textDocument/completion", new { textDocument = new { uri }, position = new { line = 10, character = 4 } });
        var result = response.GetProperty("result");
        Assert.True(result.GetProperty("isIncomplete").GetBoolean());
        foreach (var item in result.GetProperty("items").EnumerateArray())
        {
            var edit = item.GetProperty("textEdit");
            Assert.Equal(10, edit.GetProperty("range").GetProperty("start").GetProperty("line").GetInt32());
            Assert.False(string.IsNullOrEmpty(edit.GetProperty("newText").GetString()));
        }
    }

    [Fact]
    public async Task SettingsPushedByDidChangeConfigurationApply()
    {
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(Settings());
        var uri = LspTestClient.FileUri("config.py");
        await client.OpenAsync(uri, Source);
        await client.NotifyAsync("workspace/didChangeConfiguration", new { settings = new { codeAssist = new { enable = false } } });
        var response = await client.InlineCompletionAsync(uri, 10, 4);
        Assert.Equal(0, response.GetProperty("result").GetProperty("items").GetArrayLength());
        Assert.Equal(0, client.ModelCalls);
    }

    /// <summary>The shipped tiny model as the server runs it by default, one thread, single-line suggestions, and <paramref name="more"/> settings.</summary>
    private static Task InitializeWithShippedTinyAsync(LspTestClient client, params (string Key, object Value)[] more)
    {
        var settings = new Dictionary<string, object?>
        {
            ["model"] = CodeAssist.Tests.Models.RepositoryPaths.ShippedModel("codeassist-py-tiny.gguf"),
            ["threads"] = 1,
            ["contextSize"] = 512,
            ["debounceMs"] = 0,
            ["multiline"] = "never",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return client.InitializeAsync(settings);
    }

    [Fact]
    public async Task AnUnsureAutomaticRequestShowsNothingAndTheExplicitOneAtTheSamePlaceShowsTheBest()
    {
        const string source = "import os\n\nfor name in os.listdir(\".\"):\n    pr\n";
        await using var client = LspTestClient.Start();
        // No answer is sure enough for an automatic request.
        await InitializeWithShippedTinyAsync(client, ("routing", new { minConfidence = 1.0 }));
        var uri = LspTestClient.FileUri("unsure.py");
        await client.OpenAsync(uri, source);
        var automatic = await client.InlineCompletionAsync(uri, 3, 6, triggerKind: 2);
        Assert.Equal(0, automatic.GetProperty("result").GetProperty("items").GetArrayLength());

        // The same place asked for explicitly (Alt+\): not the cached nothing, the best candidate.
        var invoked = await client.InlineCompletionAsync(uri, 3, 6, triggerKind: 1);
        var items = invoked.GetProperty("result").GetProperty("items");
        Assert.Equal(1, items.GetArrayLength());
        Assert.False(string.IsNullOrWhiteSpace(items[0].GetProperty("insertText").GetString()));
        Assert.Equal(2, client.ModelCalls);

        var stats = (await client.RequestAsync("codeAssist/stats", new { })).GetProperty("result");
        // Nothing shown: unsure (abstained), or no candidate passed the checks (rejected).
        Assert.True(stats.GetProperty("abstained").GetInt64() + stats.GetProperty("rejected").GetInt64() >= 1);
        Assert.True(stats.GetProperty("candidates").GetInt64() >= 2);
    }

    [Fact]
    public async Task WhenTheCopyModelLeadsEveryCandidateAstrayTheModelAloneIsAskedAndItsCheckedAnswerShown()
    {
        // The e2e's headline case: after print( in main's loop, the copy model follows "open(path) as handle:" from
        // read_lines, and every candidate is refused (path is read_lines's parameter; "as handle:" is no Python there).
        const string prefix = "import os\n\n\ndef read_lines(path):\n    with open(path) as handle:\n        return handle.read().splitlines()\n\n\ndef main():\n    for name in os.listdir(\".\"):\n        print(";
        await using var client = LspTestClient.Start();
        await InitializeWithShippedTinyAsync(client);
        var uri = LspTestClient.FileUri("main.py");
        await client.OpenAsync(uri, prefix + "\n");

        var items = (await client.InlineCompletionAsync(uri, 10, 14)).GetProperty("result").GetProperty("items");
        var text = items[0].GetProperty("insertText").GetString()!;
        Assert.Null(CodeAssist.Server.Completion.CandidateCheck.Reject(prefix, text, "\n"));
        Assert.DoesNotContain("path", text, StringComparison.Ordinal);
        var stats = (await client.RequestAsync("codeAssist/stats", new { })).GetProperty("result");
        Assert.True(stats.GetProperty("candidates").GetInt64() > 4, stats.ToString()); // the second decode's candidates too
    }

    [Fact]
    public async Task TheShippedModelCopiesANameFromTheFileUntilContextCopyIsTurnedOff()
    {
        // widget_count is the module's too, so the copied call reads a name main can see (the names check refuses a
        // parameter of frobnicate_quuxes there).
        const string source = "widget_count = 3\n\n\ndef frobnicate_quuxes(widget_count):\n    return widget_count * 2\n\n\ndef main():\n    total = frobnicate_q\n";
        await using var client = LspTestClient.Start();
        await InitializeWithShippedTinyAsync(client, ("maxTokens", 8));
        var uri = LspTestClient.FileUri("copy.py");
        await client.OpenAsync(uri, source);

        static string Suggestion(JsonElement response) => response.GetProperty("result").GetProperty("items")[0].GetProperty("insertText").GetString()!;
        var copying = Suggestion(await client.InlineCompletionAsync(uri, 8, 24));
        Assert.StartsWith("uuxes(widget_count", copying, StringComparison.Ordinal);

        // Same document, same cursor: the cached suggestion must not answer for the other setting.
        await client.NotifyAsync("workspace/didChangeConfiguration", new { settings = new { codeAssist = new { contextCopy = false } } });
        var alone = Suggestion(await client.InlineCompletionAsync(uri, 8, 24));
        Assert.False(alone.StartsWith("uuxes(widget_count", StringComparison.Ordinal), alone);
        Assert.Equal(2, client.ModelCalls);
    }

    [Fact]
    public async Task SettingsArePulledWithWorkspaceConfigurationWhenTheClientSupportsIt()
    {
        await using var client = LspTestClient.Start();
        client.ConfigurationAnswer = System.Text.Json.Nodes.JsonNode.Parse("""{"enable": false}""");
        await client.InitializeAsync(Settings(), pullConfiguration: true);
        var uri = LspTestClient.FileUri("config.py");
        await client.OpenAsync(uri, Source);
        var settings = client.Services.GetRequiredService<CodeAssist.Server.Configuration.SettingsStore>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (settings.Current.Enable && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, client.ConfigurationRequests);
        Assert.False(settings.Current.Enable);

        // A bare change signal makes the server pull again.
        client.ConfigurationAnswer = System.Text.Json.Nodes.JsonNode.Parse("""{"enable": true, "maxTokens": 9}""");
        await client.NotifyAsync("workspace/didChangeConfiguration", new { settings = (object?)null });
        deadline = DateTime.UtcNow.AddSeconds(10);
        while (settings.Current.MaxTokens != 9 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(settings.Current.Enable);
        Assert.Equal(9, settings.Current.MaxTokens);
    }

    [Fact]
    public async Task ACorruptModelIsAClearErrorAndTheServerKeepsAnsweringThenRecoversWithAGoodModel()
    {
        var corrupt = TestModelFiles.Write(File.ReadAllBytes(TestModel.Get(Peaked).Path)[..4000], "corrupt");
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(Settings(corrupt));
        var uri = LspTestClient.FileUri("config.py");
        await client.OpenAsync(uri, Source);
        var response = await client.InlineCompletionAsync(uri, 10, 4);
        Assert.Equal(0, response.GetProperty("result").GetProperty("items").GetArrayLength());
        var error = await client.WaitForNotificationAsync("window/logMessage", n => n.GetProperty("params").GetProperty("message").GetString()!.Contains("truncated"));
        Assert.Equal(1, error.GetProperty("params").GetProperty("type").GetInt32());

        await client.NotifyAsync("workspace/didChangeConfiguration", new { settings = new { codeAssist = new { model = TestModel.Get(Peaked).Path } } });
        await client.InlineCompletionAsync(uri, 10, 4);
        Assert.Equal(1, client.ModelCalls);
    }

    [Fact]
    public async Task CancellingARequestAnswersRequestCancelled()
    {
        var big = new TestModelOptions { EmbeddingLength = 512, BlockCount = 6, HeadCount = 8, HeadCountKv = 8, FeedForwardLength = 1536, ContextLength = 2048, Seed = 5, OutputScale = 4f };
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(new { model = TestModel.Get(big).Path, threads = 1, contextSize = 2048, maxTokens = 64, debounceMs = 0 });
        var uri = LspTestClient.FileUri("long.py");
        var text = string.Concat(Enumerable.Repeat(Source, 30));
        await client.OpenAsync(uri, text);
        var response = await client.RequestAndCancelAsync(
            "textDocument/inlineCompletion",
            new { textDocument = new { uri }, position = new { line = 200, character = 0 }, context = new { triggerKind = 1 } },
            TimeSpan.FromMilliseconds(100));
        Assert.Equal(LspErrorCodes.RequestCancelled, ErrorCode(response));
        Assert.True((await client.RequestAsync("shutdown", null)).TryGetProperty("result", out _));
    }

    [Fact]
    public async Task AKeystrokeStormCancelsTheSupersededRequestsAndAnswersTheLast()
    {
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(new { model = TestModel.Get(Peaked).Path, threads = 1, contextSize = 512, maxTokens = 16, debounceMs = 300 });
        var uri = LspTestClient.FileUri("storm.py");
        await client.OpenAsync(uri, "def total(values):\n    return ");
        var pending = new List<Task<JsonElement>>();
        var typed = "sum(values)";
        for (var i = 0; i < typed.Length; i++)
        {
            await client.NotifyAsync("textDocument/didChange", new
            {
                textDocument = new { uri, version = i + 2 },
                contentChanges = new object[] { new { range = new { start = new { line = 1, character = 11 + i }, end = new { line = 1, character = 11 + i } }, text = typed[i].ToString() } },
            });
            pending.Add(client.InlineCompletionAsync(uri, 1, 12 + i, triggerKind: 2));
        }

        var responses = await Task.WhenAll(pending);
        Assert.True(responses[^1].TryGetProperty("result", out _), responses[^1].GetRawText());
        var cancelled = responses[..^1].Count(r => r.TryGetProperty("error", out var e) && e.GetProperty("code").GetInt32() == LspErrorCodes.RequestCancelled);
        Assert.True(cancelled >= typed.Length - 3, $"{cancelled} of {typed.Length - 1} superseded requests were cancelled");
        Assert.True(client.ModelCalls <= 3, $"{client.ModelCalls} decodes for one burst of typing");
    }

    [Fact]
    public async Task TypingTheShownSuggestionIsAnsweredWithoutAModelCall()
    {
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(Settings());
        var uri = LspTestClient.FileUri("config.py");
        await client.OpenAsync(uri, Source);
        var first = await client.InlineCompletionAsync(uri, 10, 4);
        var items = first.GetProperty("result").GetProperty("items");
        Assert.True(items.GetArrayLength() == 1, "the test model must suggest something here for this test to mean anything");
        var suggestion = items[0].GetProperty("insertText").GetString()!;
        Assert.True(suggestion.Length >= 2);

        await client.NotifyAsync("textDocument/didChange", new
        {
            textDocument = new { uri, version = 2 },
            contentChanges = new object[] { new { range = new { start = new { line = 10, character = 4 }, end = new { line = 10, character = 4 } }, text = suggestion[..1] } },
        });
        var second = await client.InlineCompletionAsync(uri, 10, 5, triggerKind: 2);
        Assert.Equal(suggestion[1..], second.GetProperty("result").GetProperty("items")[0].GetProperty("insertText").GetString());
        var stats = client.Services.GetRequiredService<CompletionStatistics>();
        Assert.Equal(1, client.ModelCalls);
        Assert.Equal(1, stats.TypedThrough);
    }

    [Fact]
    public async Task ShutdownThenExitEndsWithCodeZero()
    {
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(Settings());
        var shutdown = await client.RequestAsync("shutdown", null);
        Assert.Equal(JsonValueKind.Null, shutdown.GetProperty("result").ValueKind);
        var afterShutdown = await client.InlineCompletionAsync(LspTestClient.FileUri("a.py"), 0, 0);
        Assert.Equal(LspErrorCodes.InvalidRequest, ErrorCode(afterShutdown));
        await client.NotifyAsync("exit", null);
        Assert.Equal(0, await client.Server.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ExitWithoutShutdownEndsWithCodeOne()
    {
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(Settings());
        await client.NotifyAsync("exit", null);
        Assert.Equal(1, await client.Server.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task TheServerExitsWhenTheClientProcessDies()
    {
        using var sleeper = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(Settings(), processId: sleeper.Id);
        Assert.False(client.Server.IsCompleted);
        sleeper.Kill();
        await sleeper.WaitForExitAsync();
        Assert.Equal(1, await client.Server.WaitAsync(TimeSpan.FromSeconds(15)));
    }
}
