using System.Text.Json;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference.Remote;
using CodeAssist.Server.Models;
using CodeAssist.Server.Protocol;
using CodeAssist.Tests.Gguf;
using CodeAssist.Tests.Models;
using CodeAssist.Tests.Remote;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CodeAssist.Tests.Lsp;

/// <summary>
/// Restricted mode through the real protocol: <c>"workspaceTrusted": false</c> in initializationOptions limits the
/// server to the shipped models and no remote fallback; <c>true</c>, or no flag, honours the same settings.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Protocol)]
public sealed class WorkspaceTrustProtocolTests : IDisposable
{
    private const string Source = "import os\n\n\ndef read_config(path):\n    with open(path) as handle:\n        return handle.read()\n\n\ndef main():\n    config = read_config(\"settings.ini\")\n    print(config)\n";

    /// <summary>A GGUF that loads and is not shipped: what a cloned repository could bring along.</summary>
    private static readonly TestModelOptions Foreign = new() { Seed = 4242 };

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("codeassist-trust-");

    public void Dispose() => _folder.Delete(recursive: true);

    private static string SmallModel => RepositoryPaths.ShippedModel("codeassist-py-small.gguf");

    private static Dictionary<string, object?> Settings(string model, bool? trusted, object? fallback = null)
    {
        var settings = new Dictionary<string, object?>
        {
            ["model"] = model,
            ["threads"] = 1,
            ["contextSize"] = 512,
            ["maxTokens"] = 16,
            ["debounceMs"] = 0,
        };
        if (fallback is not null)
        {
            settings["fallback"] = fallback;
        }

        if (trusted is { } flag)
        {
            settings[WorkspaceTrust.InitializationOption] = flag;
        }

        return settings;
    }

    private static async Task<LspTestClient> StartAsync(object initializationOptions)
    {
        var client = LspTestClient.Start();
        await client.InitializeAsync(initializationOptions);
        await client.WaitForNotificationAsync(CodeAssistMethods.Status, status => Tier(status, "local").GetProperty("state").GetString() == "ready", TimeSpan.FromSeconds(60));
        return client;
    }

    private static JsonElement Tier(JsonElement status, string tier) =>
        status.GetProperty("params").GetProperty("tiers").EnumerateArray().Single(t => t.GetProperty("tier").GetString() == tier);

    private static string? Message(JsonElement tier) => tier.TryGetProperty("message", out var message) ? message.GetString() : null;

    private static string LastLocalMessage(LspTestClient client) => Message(Tier(client.Notifications(CodeAssistMethods.Status)[^1], "local")) ?? string.Empty;

    private static async Task AssertCompletesWithAsync(LspTestClient client, string uri, int line, string model)
    {
        var calls = client.ModelCalls;
        var completion = await client.InlineCompletionAsync(uri, line, 4);
        Assert.True(completion.TryGetProperty("result", out _), completion.GetRawText());
        Assert.Equal(calls + 1, client.ModelCalls);
        Assert.Equal(model, client.Services.GetRequiredService<ModelManager>().Current!.Description.Path);
    }

    [Fact]
    public async Task UntrustedANonShippedModelSettingIsRefusedWithAMessageAndTheShippedModelCompletes()
    {
        var foreign = TestModel.Get(Foreign).Path;
        await using var client = await StartAsync(Settings(foreign, trusted: false));

        var local = Tier(client.Notifications(CodeAssistMethods.Status)[^1], "local");
        Assert.Equal("codeassist-py-tiny", local.GetProperty("model").GetString());
        Assert.Contains("not a model shipped with CodeAssist", Message(local));
        Assert.Contains("restricted mode", Message(local));

        var warning = await client.WaitForNotificationAsync(
            "window/logMessage", n => n.GetProperty("params").GetProperty("message").GetString()!.Contains(foreign, StringComparison.Ordinal));
        Assert.Equal((int)MessageType.Warning, warning.GetProperty("params").GetProperty("type").GetInt32());
        Assert.Contains("restricted mode", warning.GetProperty("params").GetProperty("message").GetString());

        var uri = LspTestClient.FileUri("config.py");
        await client.OpenAsync(uri, Source);
        await AssertCompletesWithAsync(client, uri, 10, RepositoryPaths.TinyModel);
        Assert.Null(client.Services.GetRequiredService<SettingsStore>().Current.Model);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(null)]
    public async Task TrustedOrWithoutTheFlagTheSameModelSettingIsHonoured(bool? trusted)
    {
        var foreign = TestModel.Get(Foreign).Path;
        await using var client = await StartAsync(Settings(foreign, trusted));
        Assert.DoesNotContain("restricted mode", LastLocalMessage(client));

        var uri = LspTestClient.FileUri("config.py");
        await client.OpenAsync(uri, Source);
        await AssertCompletesWithAsync(client, uri, 10, foreign);
    }

    [Fact]
    public async Task UntrustedSelectModelServesOnlyTheShippedModelsAndARefusalLeavesThePreviousModelServing()
    {
        // Named like the shipped model, in a repository's own models/ folder: a model is shipped by where it is.
        var lookalike = Path.Combine(_folder.CreateSubdirectory("models").FullName, DefaultModelLocator.DefaultModelFileName);
        File.Copy(RepositoryPaths.TinyModel, lookalike);
        await using var client = await StartAsync(Settings(RepositoryPaths.TinyModel, trusted: false));
        var uri = LspTestClient.FileUri("config.py");
        await client.OpenAsync(uri, Source);

        foreach (var tier in new[] { "local", "fallback" })
        {
            var refused = await client.ExecuteCommandAsync("codeAssist.selectModel", new { tier, id = lookalike });
            Assert.Equal(LspErrorCodes.RequestFailed, refused.GetProperty("error").GetProperty("code").GetInt32());
            var message = refused.GetProperty("error").GetProperty("message").GetString();
            Assert.Contains("not a model shipped with CodeAssist", message);
            Assert.Contains("restricted mode", message);
        }

        Assert.Equal(FallbackKind.None, client.Services.GetRequiredService<SettingsStore>().Current.Fallback.Kind);
        await AssertCompletesWithAsync(client, uri, 10, RepositoryPaths.TinyModel);

        // The listing offers the shipped models alone; a shipped one is selected as ever.
        var shippedFolder = Path.GetDirectoryName(RepositoryPaths.TinyModel)!;
        var listed = (await client.ExecuteCommandAsync("codeAssist.listModels")).GetProperty("result").EnumerateArray().ToArray();
        Assert.NotEmpty(listed);
        Assert.All(listed, model => Assert.Equal(shippedFolder, Path.GetDirectoryName(model.GetProperty("path").GetString())));
        var selected = await client.ExecuteCommandAsync("codeAssist.selectModel", new { tier = "local", id = "codeassist-py-small" });
        Assert.True(selected.GetProperty("result").GetProperty("active").GetBoolean(), selected.GetRawText());
        await AssertCompletesWithAsync(client, uri, 9, SmallModel);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ARemoteFallbackEndpointIsCalledOnlyWhenTheWorkspaceIsTrusted(bool trusted)
    {
        await using var remote = await FakeModelServer.StartOpenAiCompletingAsync("42");
        var settings = Settings(
            RepositoryPaths.TinyModel,
            trusted,
            new { kind = "openai", endpoint = remote.EndpointFor(RemoteKind.OpenAi).AbsoluteUri, model = "coder", timeoutMs = 20000 });
        settings["routing"] = new { deadlineMs = 15000, escalateOnBlockStart = false, minConfidence = 0.0 };
        await using var client = await StartAsync(settings);
        var uri = LspTestClient.FileUri("remote.py");
        await client.OpenAsync(uri, "x = \n");

        // Invoked: the router escalates to the fallback whenever there is one.
        var response = await client.InlineCompletionAsync(uri, 0, 4, triggerKind: 1);
        Assert.True(response.TryGetProperty("result", out var result), response.GetRawText());
        var stats = (await client.RequestAsync(CodeAssistMethods.Stats, null)).GetProperty("result");
        if (trusted)
        {
            Assert.NotEmpty(remote.Requests);
            Assert.Equal("42", result.GetProperty("items")[0].GetProperty("insertText").GetString());
            Assert.Equal("openai", stats.GetProperty("fallback").GetProperty("kind").GetString());
            return;
        }

        Assert.False(await remote.NextArrivalAsync(TimeSpan.FromMilliseconds(500)), "the remote fallback was called from an untrusted workspace");
        Assert.Empty(remote.Requests);
        Assert.Equal("none", stats.GetProperty("fallback").GetProperty("kind").GetString());
        Assert.Equal(0, stats.GetProperty("tiers").GetProperty("fallback").GetProperty("calls").GetInt64());
        var fallback = Tier(client.Notifications(CodeAssistMethods.Status)[^1], "fallback");
        Assert.Equal("off", fallback.GetProperty("state").GetString());
        Assert.Contains("sends code to a remote server", Message(fallback));
    }

    [Fact]
    public async Task UntrustedSettingsPushedLaterCannotLiftTheRestrictionAndThePreviousModelKeepsServing()
    {
        var foreign = TestModel.Get(Foreign).Path;
        await using var client = await StartAsync(Settings(SmallModel, trusted: false));
        var uri = LspTestClient.FileUri("config.py");
        await client.OpenAsync(uri, Source);
        await AssertCompletesWithAsync(client, uri, 10, SmallModel);

        // Only initialize says whether the workspace is trusted: a flag among the settings is an unknown setting.
        var pushed = Settings(foreign, trusted: true, fallback: new { kind = "local", model = foreign });
        await client.NotifyAsync("workspace/didChangeConfiguration", new { settings = new { codeAssist = pushed } });
        await AssertCompletesWithAsync(client, uri, 9, SmallModel);
        var settings = client.Services.GetRequiredService<SettingsStore>();
        Assert.Equal(SmallModel, settings.Current.Model);
        Assert.Equal(FallbackKind.None, settings.Current.Fallback.Kind);
        await client.WaitForNotificationAsync(CodeAssistMethods.Status, s => (Message(Tier(s, "fallback")) ?? string.Empty).Contains(foreign, StringComparison.Ordinal));

        // A shipped model for the local fallback is allowed.
        var allowed = Settings(SmallModel, trusted: null, fallback: new { kind = "local", model = SmallModel });
        await client.NotifyAsync("workspace/didChangeConfiguration", new { settings = new { codeAssist = allowed } });
        for (var i = 0; i < 200 && settings.Current.Fallback.Kind != FallbackKind.Local; i++)
        {
            await Task.Delay(20);
        }

        Assert.Equal(SmallModel, settings.Current.Fallback.Model);
        Assert.Null(client.Services.GetRequiredService<WorkspaceTrust>().Refusal(ModelTiers.Fallback));
    }
}
