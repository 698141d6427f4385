using System.Text.Json;
using CodeAssist.Server.Completion;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Remote;
using CodeAssist.Server.Models;
using CodeAssist.Server.Prompting;
using CodeAssist.Server.Protocol;
using CodeAssist.Tests.Models;
using CodeAssist.Tests.Remote;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CodeAssist.Tests.Lsp;

/// <summary>codeAssist.listModels, codeAssist.selectModel and codeAssist/status through the real protocol, with the shipped tiny model.</summary>
[Trait(TestCategory.Name, TestCategory.Protocol)]
public sealed class ModelSelectionProtocolTests : IDisposable
{
    private const string Source = "import os\n\n\ndef read_config(path):\n    with open(path) as handle:\n        return handle.read()\n\n\ndef main():\n    config = read_config(\"settings.ini\")\n    print(config)\n";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("codeassist-models-");

    public void Dispose() => _folder.Delete(recursive: true);

    private static Dictionary<string, object?> Settings(object? fallback = null)
    {
        var settings = new Dictionary<string, object?>
        {
            ["model"] = RepositoryPaths.TinyModel,
            ["threads"] = 1,
            ["contextSize"] = 512,
            ["maxTokens"] = 16,
            ["debounceMs"] = 0,
        };
        if (fallback is not null)
        {
            settings["fallback"] = fallback;
        }

        return settings;
    }

    /// <summary>A copy of the shipped tiny model under another name: another GGUF that loads.</summary>
    private string CopyOfTiny(string name)
    {
        var path = Path.Combine(_folder.FullName, name + ".gguf");
        File.Copy(RepositoryPaths.TinyModel, path);
        return path;
    }

    private static int ErrorCode(JsonElement response) => response.GetProperty("error").GetProperty("code").GetInt32();

    private static JsonElement[] Models(JsonElement response) => response.GetProperty("result").EnumerateArray().ToArray();

    private static async Task<LspTestClient> StartAsync(object settings, bool workDoneProgress = false)
    {
        var client = LspTestClient.Start();
        await client.InitializeAsync(settings, workDoneProgress: workDoneProgress);
        await client.WaitForNotificationAsync(CodeAssistMethods.Status, status => Tier(status, "local").GetProperty("state").GetString() == "ready", TimeSpan.FromSeconds(60));
        return client;
    }

    private static JsonElement Tier(JsonElement status, string tier) =>
        status.GetProperty("params").GetProperty("tiers").EnumerateArray().Single(t => t.GetProperty("tier").GetString() == tier);

    [Fact]
    public async Task StatusIsSentAfterInitializedWithTheModelLoadingThenReady()
    {
        await using var client = await StartAsync(Settings());
        var statuses = client.Notifications(CodeAssistMethods.Status);
        var first = statuses[0];
        Assert.Equal(["local", "fallback"], first.GetProperty("params").GetProperty("tiers").EnumerateArray().Select(t => t.GetProperty("tier").GetString()));
        Assert.Equal("loading", Tier(first, "local").GetProperty("state").GetString());
        Assert.Equal("codeassist-py-tiny", Tier(first, "local").GetProperty("model").GetString());
        Assert.Equal("off", Tier(first, "fallback").GetProperty("state").GetString());
        Assert.Equal("ready", Tier(statuses[^1], "local").GetProperty("state").GetString());

        // No two notifications in a row say the same.
        Assert.Equal(statuses.Length, statuses.Select(s => s.GetProperty("params").GetRawText()).Distinct().Count());
    }

    [Fact]
    public async Task ListModelsListsTheShippedTinyModelAsTheActiveLocalModelWithTheDocumentedShape()
    {
        await using var client = await StartAsync(Settings());
        var models = Models(await client.ExecuteCommandAsync("codeAssist.listModels"));

        var local = models.Where(m => m.GetProperty("tier").GetString() == "local").ToArray();
        var tiny = Assert.Single(local, m => m.GetProperty("active").GetBoolean());
        Assert.Equal("codeassist-py-tiny", tiny.GetProperty("id").GetString());
        Assert.Equal("codeassist-py-tiny", tiny.GetProperty("label").GetString());
        Assert.Equal(RepositoryPaths.TinyModel, tiny.GetProperty("path").GetString());
        Assert.Equal(new FileInfo(RepositoryPaths.TinyModel).Length, tiny.GetProperty("sizeBytes").GetInt64());
        Assert.Equal("codeassist", tiny.GetProperty("family").GetString());
        Assert.True(tiny.GetProperty("fim").GetBoolean());
        Assert.False(tiny.TryGetProperty("endpoint", out _));

        // Every entry has the required fields; the same files are offered to the fallback tier, none active without a fallback.
        Assert.All(models, m =>
        {
            Assert.False(string.IsNullOrEmpty(m.GetProperty("id").GetString()));
            Assert.False(string.IsNullOrEmpty(m.GetProperty("label").GetString()));
            Assert.False(string.IsNullOrEmpty(m.GetProperty("family").GetString()));
            Assert.Contains(m.GetProperty("fim").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
        });
        var fallback = models.Where(m => m.GetProperty("tier").GetString() == "fallback").ToArray();
        Assert.Contains(fallback, m => m.GetProperty("id").GetString() == "codeassist-py-tiny");
        Assert.DoesNotContain(fallback, m => m.GetProperty("active").GetBoolean());

        var onlyFallback = Models(await client.ExecuteCommandAsync("codeAssist.listModels", new { tier = "fallback" }));
        Assert.All(onlyFallback, m => Assert.Equal("fallback", m.GetProperty("tier").GetString()));
        Assert.Equal(fallback.Length, onlyFallback.Length);

        Assert.Equal(LspErrorCodes.InvalidParams, ErrorCode(await client.ExecuteCommandAsync("codeAssist.listModels", new { tier = "cloud" })));
    }

    [Fact]
    public async Task TheConfiguredRemoteFallbackIsListedWithItsEndpointAndIsActive()
    {
        await using var fake = await FakeModelServer.StartAsync();
        var endpoint = fake.EndpointFor(RemoteKind.Ollama).AbsoluteUri;
        await using var client = await StartAsync(Settings(new { kind = "ollama", endpoint, model = "qwen2.5-coder:1.5b-base" }));
        var fallback = Models(await client.ExecuteCommandAsync("codeAssist.listModels", new { tier = "fallback" }));
        var remote = Assert.Single(fallback, m => m.TryGetProperty("endpoint", out _));
        Assert.Equal("remote:qwen2.5-coder:1.5b-base", remote.GetProperty("id").GetString());
        Assert.Equal(endpoint, remote.GetProperty("endpoint").GetString());
        Assert.True(remote.GetProperty("fim").GetBoolean());
        Assert.True(remote.GetProperty("active").GetBoolean());
        Assert.False(remote.TryGetProperty("path", out _));
        Assert.Single(fallback, m => m.GetProperty("active").GetBoolean());

        var status = await client.WaitForNotificationAsync(CodeAssistMethods.Status, s => Tier(s, "fallback").GetProperty("state").GetString() == "ready");
        Assert.Equal("qwen2.5-coder:1.5b-base (ollama)", Tier(status, "fallback").GetProperty("model").GetString());
    }

    [Fact]
    public async Task SelectingAnotherGgufSwitchesTheLocalModelAndCompletionsAndStatusFollowIt()
    {
        var copy = CopyOfTiny("tiny-copy");
        await using var client = await StartAsync(Settings());
        var uri = LspTestClient.FileUri("config.py");
        await client.OpenAsync(uri, Source);
        Assert.True((await client.InlineCompletionAsync(uri, 10, 4)).TryGetProperty("result", out _));

        var response = await client.ExecuteCommandAsync("codeAssist.selectModel", new { tier = "local", id = copy });
        var selected = response.GetProperty("result");
        Assert.Equal("tiny-copy", selected.GetProperty("label").GetString());
        Assert.Equal(copy, selected.GetProperty("path").GetString());
        Assert.True(selected.GetProperty("active").GetBoolean());

        var models = client.Services.GetRequiredService<ModelManager>();
        Assert.Equal(copy, models.Current!.Description.Path);

        // The status went loading → ready for the new model, in that order.
        await client.WaitForNotificationAsync(CodeAssistMethods.Status, s => Tier(s, "local").GetProperty("state").GetString() == "ready" && Tier(s, "local").GetProperty("model").GetString() == "tiny-copy");
        var statuses = client.Notifications(CodeAssistMethods.Status).Select(s => Tier(s, "local")).ToList();
        var loading = statuses.FindIndex(t => t.GetProperty("state").GetString() == "loading" && t.GetProperty("model").GetString() == "tiny-copy");
        var ready = statuses.FindIndex(t => t.GetProperty("state").GetString() == "ready" && t.GetProperty("model").GetString() == "tiny-copy");
        Assert.True(loading >= 0 && ready > loading, string.Join("\n", statuses.Select(s => s.GetRawText())));

        // The listing follows, and a completion is answered by the new model (the cache was cleared: a model call).
        var listed = Models(await client.ExecuteCommandAsync("codeAssist.listModels", new { tier = "local" }));
        Assert.Equal(copy, Assert.Single(listed, m => m.GetProperty("active").GetBoolean()).GetProperty("path").GetString());
        var calls = client.ModelCalls;
        Assert.True((await client.InlineCompletionAsync(uri, 10, 4)).TryGetProperty("result", out _));
        Assert.Equal(calls + 1, client.ModelCalls);
        Assert.Equal(copy, models.Current!.Description.Path);
    }

    [Fact]
    public async Task ASelectedModelIsWarmedWithTheLastPromptSoItsFirstCompletionDecodesOnlyTheLastToken()
    {
        var copy = CopyOfTiny("tiny-warm");
        await using var client = await StartAsync(Settings());
        var uri = LspTestClient.FileUri("config.py");
        await client.OpenAsync(uri, Source);
        Assert.True((await client.InlineCompletionAsync(uri, 10, 4)).TryGetProperty("result", out _));
        var models = client.Services.GetRequiredService<ModelManager>();
        var lastPrompt = models.Current!.LastPrompt;
        Assert.NotNull(lastPrompt);

        Assert.True((await client.ExecuteCommandAsync("codeAssist.selectModel", new { tier = "local", id = copy })).TryGetProperty("result", out _));
        var selected = models.Current!;
        Assert.Equal(copy, selected.Description.Path);

        // The prompt is in the new model's cache before any request reached it.
        var promptTokens = selected.TokenizePrompt(FimPrompt.Build(selected.Description.Template, lastPrompt.Prefix, lastPrompt.Suffix).Parts).Count;
        Assert.True(promptTokens > 50, $"{promptTokens} prompt tokens");
        Assert.Equal(promptTokens, selected.CachedTokenCount);

        // The same completion on the new model decodes only the prompt's last token (whose logits start generation) —
        // in each of its decodes (a second one runs when the checks refuse every candidate, on the same prompt).
        var statistics = client.Services.GetRequiredService<InferenceStatistics>();
        var (prompted, evaluated, decodes) = (statistics.PromptTokens, statistics.PromptTokensEvaluated, statistics.DecodesStarted);
        var calls = client.ModelCalls;
        Assert.True((await client.InlineCompletionAsync(uri, 10, 4)).TryGetProperty("result", out _));
        Assert.Equal(calls + 1, client.ModelCalls);
        var started = statistics.DecodesStarted - decodes;
        Assert.InRange(started, 1, 2);
        Assert.Equal(promptTokens * started, statistics.PromptTokens - prompted);
        Assert.Equal(started, statistics.PromptTokensEvaluated - evaluated);
    }

    [Fact]
    public async Task AModelSelectedBeforeAnyCompletionStartsWithAnEmptyCache()
    {
        var copy = CopyOfTiny("tiny-cold");
        await using var client = await StartAsync(Settings());
        Assert.True((await client.ExecuteCommandAsync("codeAssist.selectModel", new { tier = "local", id = copy })).TryGetProperty("result", out _));
        var models = client.Services.GetRequiredService<ModelManager>();
        Assert.Equal(copy, models.Current!.Description.Path);
        Assert.Equal(0, models.Current.CachedTokenCount);
    }

    [Fact]
    public async Task ASelectionLastsUntilTheSettingsChangeTheModelAgain()
    {
        var copy = CopyOfTiny("tiny-session");
        await using var client = await StartAsync(Settings());
        var uri = LspTestClient.FileUri("config.py");
        await client.OpenAsync(uri, Source);
        Assert.True((await client.ExecuteCommandAsync("codeAssist.selectModel", new { tier = "local", id = copy })).TryGetProperty("result", out _));

        // The same settings pushed again (as editors do on any change) keep the selection.
        // (Each request at a new position, so the cache cannot answer without asking the model manager.)
        await client.NotifyAsync("workspace/didChangeConfiguration", new { settings = new { codeAssist = Settings() } });
        await client.InlineCompletionAsync(uri, 9, 4);
        var models = client.Services.GetRequiredService<ModelManager>();
        Assert.Equal(copy, models.Current!.Description.Path);

        // A new value for model wins over the selection.
        var other = CopyOfTiny("tiny-configured");
        var changed = Settings();
        changed["model"] = other;
        await client.NotifyAsync("workspace/didChangeConfiguration", new { settings = new { codeAssist = changed } });
        await client.InlineCompletionAsync(uri, 4, 4);
        Assert.Equal(other, models.Current!.Description.Path);
    }

    [Fact]
    public async Task AFailedSelectionIsAnErrorAndThePreviousModelKeepsCompleting()
    {
        var corrupt = Path.Combine(_folder.FullName, "corrupt.gguf");
        await File.WriteAllBytesAsync(corrupt, [.. "GGUF"u8, 3, 0, 0, 0, 9, 9, 9]);
        await using var client = await StartAsync(Settings());
        var uri = LspTestClient.FileUri("config.py");
        await client.OpenAsync(uri, Source);

        var bad = await client.ExecuteCommandAsync("codeAssist.selectModel", new { tier = "local", id = corrupt });
        Assert.Equal(LspErrorCodes.RequestFailed, ErrorCode(bad));
        Assert.Contains("corrupt", bad.GetProperty("error").GetProperty("message").GetString());

        var missing = await client.ExecuteCommandAsync("codeAssist.selectModel", new { tier = "local", id = Path.Combine(_folder.FullName, "missing.gguf") });
        Assert.Equal(LspErrorCodes.RequestFailed, ErrorCode(missing));
        Assert.Contains("not found", missing.GetProperty("error").GetProperty("message").GetString());

        var unknown = await client.ExecuteCommandAsync("codeAssist.selectModel", new { tier = "local", id = "no-such-model" });
        Assert.Equal(LspErrorCodes.InvalidParams, ErrorCode(unknown));
        Assert.Contains("no-such-model", unknown.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(LspErrorCodes.InvalidParams, ErrorCode(await client.ExecuteCommandAsync("codeAssist.selectModel", new { tier = "cloud", id = "codeassist-py-tiny" })));
        Assert.Equal(LspErrorCodes.InvalidParams, ErrorCode(await client.ExecuteCommandAsync("codeAssist.selectModel")));
        Assert.Equal(LspErrorCodes.InvalidParams, ErrorCode(await client.ExecuteCommandAsync("codeAssist.selectModel", "codeassist-py-tiny")));

        // The shipped model is still the one in use, and it still completes.
        var models = client.Services.GetRequiredService<ModelManager>();
        Assert.Equal(RepositoryPaths.TinyModel, models.Current!.Description.Path);
        var calls = client.ModelCalls;
        var completion = await client.InlineCompletionAsync(uri, 10, 4);
        Assert.True(completion.TryGetProperty("result", out _), completion.GetRawText());
        Assert.Equal(calls + 1, client.ModelCalls);
        var listed = Models(await client.ExecuteCommandAsync("codeAssist.listModels", new { tier = "local" }));
        Assert.Equal("codeassist-py-tiny", Assert.Single(listed, m => m.GetProperty("active").GetBoolean()).GetProperty("id").GetString());

        // The status says the local tier is ready with the old model, and why the switch did not happen.
        var status = Tier(
            await client.WaitForNotificationAsync(CodeAssistMethods.Status, s => Tier(s, "local").TryGetProperty("message", out var m) && m.GetString()!.Contains("not found", StringComparison.Ordinal)),
            "local");
        Assert.Equal("ready", status.GetProperty("state").GetString());
        Assert.Equal("codeassist-py-tiny", status.GetProperty("model").GetString());
        Assert.Contains("not found", status.GetProperty("message").GetString());
    }

    [Fact]
    public async Task LoadingReportsWorkDoneProgressWhenTheClientAdvertisesIt()
    {
        var copy = CopyOfTiny("tiny-progress");
        await using var client = await StartAsync(Settings(), workDoneProgress: true);
        Assert.True((await client.ExecuteCommandAsync("codeAssist.selectModel", new { tier = "local", id = copy })).TryGetProperty("result", out _));

        var create = Assert.Single(client.ServerRequests("window/workDoneProgress/create"));
        var token = create.GetProperty("params").GetProperty("token").GetRawText();
        var progress = client.Received()
            .Where(m => m.GetProperty("method").GetString() is "window/workDoneProgress/create" or "$/progress")
            .Select(m => m.GetProperty("method").GetString() == "$/progress"
                ? (m.GetProperty("params").GetProperty("token").GetRawText() == token ? m.GetProperty("params").GetProperty("value").GetProperty("kind").GetString() : "other")
                : "create")
            .ToList();
        Assert.Equal(["create", "begin", "end"], progress);
        var begin = client.Notifications("$/progress")[0].GetProperty("params").GetProperty("value");
        Assert.Equal("Loading tiny-progress", begin.GetProperty("title").GetString());
    }

    [Fact]
    public async Task NoProgressIsSentWhenTheClientDoesNotAdvertiseIt()
    {
        var copy = CopyOfTiny("tiny-quiet");
        await using var client = await StartAsync(Settings());
        Assert.True((await client.ExecuteCommandAsync("codeAssist.selectModel", new { tier = "local", id = copy })).TryGetProperty("result", out _));
        Assert.Empty(client.ServerRequests("window/workDoneProgress/create"));
        Assert.Empty(client.Notifications("$/progress"));
    }

    [Fact]
    public async Task SwappingUnderLoadAnswersEveryRequestOrCancelsItCleanlyAndTheServerStaysUp()
    {
        var copies = new[] { CopyOfTiny("tiny-a"), CopyOfTiny("tiny-b") };
        var settings = Settings();
        settings["maxTokens"] = 48;
        settings["multiline"] = "always";
        await using var client = await StartAsync(settings);
        var uris = Enumerable.Range(0, 4).Select(i => LspTestClient.FileUri($"load{i}.py")).ToArray();
        foreach (var uri in uris)
        {
            await client.OpenAsync(uri, Source);
        }

        var requests = new List<Task<JsonElement>>();
        var swaps = new List<Task<JsonElement>>();
        for (var round = 0; round < 3; round++)
        {
            foreach (var uri in uris)
            {
                requests.Add(client.InlineCompletionAsync(uri, 10 - round, 4));
            }

            swaps.Add(client.ExecuteCommandAsync("codeAssist.selectModel", new { tier = "local", id = copies[round % 2] }));
        }

        var answers = await Task.WhenAll(requests);
        Assert.All(answers, answer => Assert.True(
            answer.TryGetProperty("result", out _) || ErrorCode(answer) == LspErrorCodes.RequestCancelled,
            answer.GetRawText()));
        Assert.All(await Task.WhenAll(swaps), swap => Assert.True(swap.TryGetProperty("result", out _), swap.GetRawText()));

        // One of the selected files is in use, the listing agrees, the server still completes, and shuts down cleanly.
        var models = client.Services.GetRequiredService<ModelManager>();
        Assert.Contains(models.Current!.Description.Path, copies);
        var listed = Models(await client.ExecuteCommandAsync("codeAssist.listModels", new { tier = "local" }));
        Assert.Equal(models.Current!.Description.Path, Assert.Single(listed, m => m.GetProperty("active").GetBoolean()).GetProperty("path").GetString());
        Assert.True((await client.InlineCompletionAsync(uris[0], 10, 4)).TryGetProperty("result", out _));
        Assert.True((await client.RequestAsync("shutdown", null)).TryGetProperty("result", out _));
    }

    [Fact]
    public async Task SelectingALocalGgufForTheFallbackTierMakesItTheFallback()
    {
        var copy = CopyOfTiny("tiny-fallback");
        await using var client = await StartAsync(Settings());
        var status = Tier(client.Notifications(CodeAssistMethods.Status)[^1], "fallback");
        Assert.Equal("off", status.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("model").ValueKind);

        var selected = (await client.ExecuteCommandAsync("codeAssist.selectModel", new { tier = "fallback", id = copy })).GetProperty("result");
        Assert.Equal("fallback", selected.GetProperty("tier").GetString());
        Assert.True(selected.GetProperty("active").GetBoolean());
        var listed = Models(await client.ExecuteCommandAsync("codeAssist.listModels", new { tier = "fallback" }));
        Assert.Equal(copy, Assert.Single(listed, m => m.GetProperty("active").GetBoolean()).GetProperty("path").GetString());
        var ready = await client.WaitForNotificationAsync(CodeAssistMethods.Status, s => Tier(s, "fallback").GetProperty("state").GetString() == "ready");
        Assert.Equal("tiny-fallback", Tier(ready, "fallback").GetProperty("model").GetString());

        // An invoked request now escalates to it.
        var uri = LspTestClient.FileUri("config.py");
        await client.OpenAsync(uri, Source);
        await client.InlineCompletionAsync(uri, 10, 4, triggerKind: 1);
        var stats = (await client.RequestAsync(CodeAssistMethods.Stats, null)).GetProperty("result");
        Assert.Equal(1, stats.GetProperty("tiers").GetProperty("fallback").GetProperty("calls").GetInt64());
        Assert.Equal("local", stats.GetProperty("fallback").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task StatusReportsTheLatestLatencyAtMostOncePerSecond()
    {
        await using var client = await StartAsync(Settings());
        var uri = LspTestClient.FileUri("config.py");
        await client.OpenAsync(uri, Source);
        var before = client.Notifications(CodeAssistMethods.Status).Length;
        var started = DateTime.UtcNow;
        for (var i = 0; i < 12; i++)
        {
            // A different column each time, so the cache does not answer.
            await client.InlineCompletionAsync(uri, 9, 4 + (i % 30));
            await client.NotifyAsync("textDocument/didChange", new
            {
                textDocument = new { uri, version = i + 2 },
                contentChanges = new object[] { new { range = new { start = new { line = 10, character = 0 }, end = new { line = 10, character = 0 } }, text = "#" } },
            });
        }

        var elapsed = DateTime.UtcNow - started;
        var withLatency = await client.WaitForNotificationAsync(CodeAssistMethods.Status, s => Tier(s, "local").TryGetProperty("lastLatencyMs", out _));
        Assert.True(Tier(withLatency, "local").GetProperty("lastLatencyMs").GetInt64() >= 0);

        // Let a pending throttled notification go out, then count: no more than one per started second.
        await Task.Delay(1500);
        var sent = client.Notifications(CodeAssistMethods.Status).Length - before;
        Assert.InRange(sent, 1, (int)Math.Ceiling(elapsed.TotalSeconds + 1.5) + 1);
    }

    [Fact]
    public async Task AnAcceptedSuggestionIsCountedInStats()
    {
        await using var client = await StartAsync(Settings());
        var uri = LspTestClient.FileUri("config.py");
        await client.OpenAsync(uri, Source);
        JsonElement item = default;
        for (var line = 10; line >= 4 && item.ValueKind == JsonValueKind.Undefined; line--)
        {
            var items = (await client.InlineCompletionAsync(uri, line, 4)).GetProperty("result").GetProperty("items");
            if (items.GetArrayLength() > 0)
            {
                item = items[0];
            }
        }

        Assert.NotEqual(JsonValueKind.Undefined, item.ValueKind);
        var command = item.GetProperty("command");
        Assert.Equal("codeAssist.accepted", command.GetProperty("command").GetString());
        var before = (await client.RequestAsync(CodeAssistMethods.Stats, null)).GetProperty("result").GetProperty("accepted").GetInt64();
        await client.RequestAsync("workspace/executeCommand", new { command = command.GetProperty("command").GetString(), arguments = command.GetProperty("arguments") });
        var after = (await client.RequestAsync(CodeAssistMethods.Stats, null)).GetProperty("result").GetProperty("accepted").GetInt64();
        Assert.Equal(before + 1, after);
    }

    [Fact]
    public async Task SuggestionsShownAndAcceptedAreCountedForTheLocalTierAndTheModelThatWroteThem()
    {
        await using var client = await StartAsync(Settings());
        var modelId = client.Services.GetRequiredService<ModelManager>().Current!.Description.Id;
        var uri = LspTestClient.FileUri("config.py");
        await client.OpenAsync(uri, Source);
        var items = new List<JsonElement>();
        for (var line = 10; line >= 0 && items.Count < 2; line--)
        {
            var result = (await client.InlineCompletionAsync(uri, line, 4)).GetProperty("result").GetProperty("items");
            if (result.GetArrayLength() > 0)
            {
                items.Add(result[0]);
            }
        }

        Assert.Equal(2, items.Count);
        var firstId = items[0].GetProperty("command").GetProperty("arguments")[0].GetString();
        var accepted = await client.ExecuteCommandAsync("codeAssist.accepted", firstId!);
        Assert.False(accepted.TryGetProperty("error", out _), accepted.GetRawText());

        var stats = (await client.RequestAsync(CodeAssistMethods.Stats, null)).GetProperty("result");
        var suggestions = stats.GetProperty("suggestions");
        var local = suggestions.GetProperty("local");
        Assert.Equal([modelId], local.EnumerateObject().Select(model => model.Name));
        Assert.Equal(2, local.GetProperty(modelId).GetProperty("shown").GetInt64());
        Assert.Equal(1, local.GetProperty(modelId).GetProperty("accepted").GetInt64());
        Assert.Empty(suggestions.GetProperty("fallback").EnumerateObject());
        Assert.Equal(1, stats.GetProperty("accepted").GetInt64());

        // An id the server never showed, and the same id accepted again: counted in the total only, no error, and the
        // server keeps answering.
        foreach (var id in new[] { "bogus-id", firstId! })
        {
            var response = await client.ExecuteCommandAsync("codeAssist.accepted", id);
            Assert.False(response.TryGetProperty("error", out _), response.GetRawText());
        }

        var after = (await client.RequestAsync(CodeAssistMethods.Stats, null)).GetProperty("result");
        Assert.Equal(local.GetRawText(), after.GetProperty("suggestions").GetProperty("local").GetRawText());
        Assert.Equal(3, after.GetProperty("accepted").GetInt64());
        Assert.True((await client.InlineCompletionAsync(uri, 9, 4)).TryGetProperty("result", out _));
    }
}
