using System.Text.Json;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Models;
using CodeAssist.Server.Protocol;
using CodeAssist.Tests.Lsp;
using CodeAssist.Tests.Models;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CodeAssist.Tests.Routing;

/// <summary>
/// The catalog's <c>defaultFallback</c> model as the fallback tier of users who configured neither <c>model</c> nor a
/// fallback: through the real server with the shipped tiny model as the local tier and a copy of the shipped small
/// model marked in a catalog of the test's own.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Protocol)]
public sealed class DefaultFallbackTests : IDisposable
{
    private const string Source =
        "import os\n\n\ndef read_config(path):\n    with open(path) as handle:\n        return handle.read()\n\n\n"
        + "def main():\n    config = \n    print(config)\n    path = os.path.\n\n\nclass Store:\n    def load(self, name):\n        \n";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("codeassist-default-fallback-");

    public void Dispose() => _folder.Delete(recursive: true);

    /// <summary>A catalog whose <paramref name="marked"/> shipped model (copied here) is the default fallback.</summary>
    private DefaultFallback Catalog(string marked = "codeassist-py-small.gguf")
    {
        File.Copy(RepositoryPaths.ShippedModel(marked), Path.Combine(_folder.FullName, marked), overwrite: true);
        var catalog = Path.Combine(_folder.FullName, "catalog.json");
        File.WriteAllText(catalog, JsonSerializer.Serialize(new
        {
            version = 1,
            models = new object[]
            {
                new { id = "codeassist-py-tiny", file = "codeassist-py-tiny.gguf", shipped = true, family = "codeassist", fim = "spm", license = "MIT" },
                new { id = Path.GetFileNameWithoutExtension(marked), file = marked, shipped = true, defaultFallback = true, family = "codeassist", fim = "spm", license = "MIT" },
            },
        }));
        return new DefaultFallback(catalog, NullLogger<DefaultFallback>.Instance);
    }

    private string MarkedCopy(string marked = "codeassist-py-small.gguf") => Path.Combine(_folder.FullName, marked);

    private static Dictionary<string, object?> Settings(params (string Key, object? Value)[] extra)
    {
        var settings = new Dictionary<string, object?>
        {
            ["threads"] = 1,
            ["contextSize"] = 512,
            ["maxTokens"] = 16,
            ["debounceMs"] = 0,

            // Only invocations and block starts escalate, and the fallback always has time to answer.
            ["routing"] = new { deadlineMs = 120_000, minConfidence = 0.0 },
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    private async Task<LspTestClient> StartAsync(Dictionary<string, object?> settings)
    {
        var defaultFallback = Catalog();
        var client = LspTestClient.Start(services => services.AddSingleton(defaultFallback));
        await client.InitializeAsync(settings);
        await client.OpenAsync(LspTestClient.FileUri("default_fallback.py"), Source);
        return client;
    }

    private static async Task<JsonElement> StatsAsync(LspTestClient client) => (await client.RequestAsync(CodeAssistMethods.Stats, null)).GetProperty("result");

    private static long Answers(JsonElement stats, string tier) => stats.GetProperty("tiers").GetProperty(tier).GetProperty("answers").GetInt64();

    private static long Calls(JsonElement stats, string tier) => stats.GetProperty("tiers").GetProperty(tier).GetProperty("calls").GetInt64();

    private static JsonElement FallbackTier(JsonElement status) =>
        status.GetProperty("params").GetProperty("tiers").EnumerateArray().Single(t => t.GetProperty("tier").GetString() == "fallback");

    private static async Task<JsonElement> CompleteAsync(LspTestClient client, int line, int character, int triggerKind)
    {
        var response = await client.InlineCompletionAsync(LspTestClient.FileUri("default_fallback.py"), line, character, triggerKind);
        Assert.True(response.TryGetProperty("result", out var result), response.GetRawText());
        return result;
    }

    [Fact]
    public async Task WithNothingConfiguredInvocationsAndBlockStartsGoToTheDefaultFallbackAndTypingStaysLocal()
    {
        await using var client = await StartAsync(Settings());
        var settings = client.Services.GetRequiredService<SettingsStore>();
        Assert.Equal(FallbackKind.Local, settings.Current.Fallback.Kind);
        Assert.Equal(MarkedCopy(), settings.Current.Fallback.Model);
        Assert.Null(settings.Configured.Fallback.ChosenKind);
        var status = await client.WaitForNotificationAsync(CodeAssistMethods.Status, s => FallbackTier(s).GetProperty("state").GetString() == "ready");
        Assert.Equal("codeassist-py-small", FallbackTier(status).GetProperty("model").GetString());

        // An explicit invocation after an assignment's '=': the small model answers.
        await CompleteAsync(client, 9, 13, triggerKind: 1);
        var stats = await StatsAsync(client);
        Assert.Equal("local", stats.GetProperty("fallback").GetProperty("kind").GetString());
        Assert.Equal(1, stats.GetProperty("escalations").GetProperty("invoked").GetInt64());
        Assert.True(Answers(stats, "fallback") == 1, stats.GetRawText());
        var fallback = client.Services.GetRequiredService<FallbackModelProvider>().Current;
        Assert.Equal(MarkedCopy(), fallback?.Description.Path);

        // An automatic request on the empty line that starts a method body: the small model again.
        await CompleteAsync(client, 16, 8, triggerKind: 2);
        stats = await StatsAsync(client);
        Assert.Equal(1, stats.GetProperty("escalations").GetProperty("blockStart").GetInt64());
        Assert.True(Answers(stats, "fallback") == 2, stats.GetRawText());

        // An ordinary automatic request after an attribute's dot: tiny answers, the fallback is not asked.
        var typed = await CompleteAsync(client, 11, 19, triggerKind: 2);
        stats = await StatsAsync(client);
        Assert.True(Answers(stats, "local") == 1, stats.GetRawText());
        Assert.Equal(2, Calls(stats, "fallback"));
        Assert.Equal(2, Answers(stats, "fallback"));
        Assert.NotEmpty(typed.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task AUserWhoSetModelGetsNoDefaultFallback()
    {
        // Even when the model set is the shipped tiny one: a set model means the user chose the tiers.
        await using var client = await StartAsync(Settings(("model", RepositoryPaths.TinyModel)));
        await AssertNoFallbackAsync(client);
    }

    [Fact]
    public async Task FallbackKindNoneTurnsTheDefaultFallbackOff()
    {
        await using var client = await StartAsync(Settings(("fallback", new { kind = "none" })));
        await AssertNoFallbackAsync(client);

        // Back to not set (VS Code sends null for an untouched setting): the default fallback again.
        await client.NotifyAsync("workspace/didChangeConfiguration", new { settings = new { codeAssist = new { fallback = new { kind = (string?)null } } } });
        var settings = client.Services.GetRequiredService<SettingsStore>();
        for (var i = 0; i < 200 && settings.Current.Fallback.Kind == FallbackKind.None; i++)
        {
            await Task.Delay(20);
        }

        Assert.Equal(MarkedCopy(), settings.Current.Fallback.Model);
    }

    private async Task AssertNoFallbackAsync(LspTestClient client)
    {
        var settings = client.Services.GetRequiredService<SettingsStore>();
        Assert.Equal(FallbackKind.None, settings.Current.Fallback.Kind);
        await CompleteAsync(client, 9, 13, triggerKind: 1);
        await CompleteAsync(client, 16, 8, triggerKind: 2);
        var stats = await StatsAsync(client);
        Assert.Equal("none", stats.GetProperty("fallback").GetProperty("kind").GetString());
        Assert.Equal(0, Calls(stats, "fallback"));
        Assert.Equal(2, Calls(stats, "local"));
        Assert.Null(client.Services.GetRequiredService<FallbackModelProvider>().Current);
        await client.WaitForNotificationAsync(CodeAssistMethods.Status, s => FallbackTier(s).GetProperty("state").GetString() == "off");
    }

    [Fact]
    public void TheDefaultFallbackIsNeverSmallerThanOrTheSameAsTheLocalModelInUse()
    {
        var store = new SettingsStore(NullLogger<SettingsStore>.Instance, Catalog());
        Assert.Equal(MarkedCopy(), store.Current.Fallback.Model);

        // A session selection of the small model itself for the local tier: no "larger" tier of the same size.
        store.SelectLocalModel(MarkedCopy());
        Assert.Equal(FallbackKind.None, store.Current.Fallback.Kind);
        store.SelectLocalModel(RepositoryPaths.TinyModel);
        Assert.Equal(MarkedCopy(), store.Current.Fallback.Model);

        // A catalog that marks tiny while the local model is tiny: no default fallback.
        var tinyMarked = new SettingsStore(NullLogger<SettingsStore>.Instance, Catalog("codeassist-py-tiny.gguf"));
        Assert.Equal(FallbackKind.None, tinyMarked.Current.Fallback.Kind);
    }

    [Fact]
    public void ASessionSelectedFallbackOrAConfiguredOneReplacesTheDefault()
    {
        var store = new SettingsStore(NullLogger<SettingsStore>.Instance, Catalog());
        store.SelectFallback(new FallbackOptions { Kind = FallbackKind.Local, Model = RepositoryPaths.TinyModel });
        Assert.Equal(RepositoryPaths.TinyModel, store.Current.Fallback.Model);
        store.SelectFallback(null);
        Assert.Equal(MarkedCopy(), store.Current.Fallback.Model);

        using var configured = JsonDocument.Parse("""{"fallback": {"kind": "ollama", "endpoint": "http://127.0.0.1:11434", "model": "coder"}}""");
        store.Apply(configured.RootElement, "test");
        Assert.Equal(FallbackKind.Ollama, store.Current.Fallback.Kind);
        Assert.Equal("coder", store.Current.Fallback.Model);
    }
}
