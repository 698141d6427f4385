using System.Text.Json;
using CodeAssist.Server.Models;
using CodeAssist.Server.Protocol;
using CodeAssist.Tests.Models;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CodeAssist.Tests.Lsp;

/// <summary>
/// Downloadable models in codeAssist.listModels and codeAssist.pullModel through the real protocol, against a file server
/// on 127.0.0.1 named by a test catalog: progress, cancellation (both ways), errors, and the switch to the new model.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Protocol)]
public sealed class ModelPullProtocolTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("codeassist-pull-lsp-");
    private readonly byte[] _model = TestCatalog.ModelBytes();

    public void Dispose() => _folder.Delete(recursive: true);

    private string Downloads => Path.Combine(_folder.FullName, "models");

    private string Target => Path.Combine(Downloads, TestCatalog.File);

    private static object Settings => new { model = RepositoryPaths.TinyModel, threads = 1, contextSize = 512, maxTokens = 16, debounceMs = 0 };

    private async Task<LspTestClient> StartAsync(ModelFileServer server, string? sha256 = null)
    {
        var catalog = TestCatalog.Write(_folder.FullName, server.Url, _model.Length, sha256);
        var locations = new ModelLocations(catalog, () => Directory.Exists(Downloads) ? [Downloads] : [], () => Downloads);
        var client = LspTestClient.Start(services => services.AddSingleton(locations));
        await client.InitializeAsync(Settings);
        await client.WaitForNotificationAsync(CodeAssistMethods.Status, s => LocalState(s) == "ready", TimeSpan.FromSeconds(60));
        return client;
    }

    private static string? LocalState(JsonElement status) =>
        status.GetProperty("params").GetProperty("tiers")[0].GetProperty("state").GetString();

    private static object Pull(string token) => new { command = "codeAssist.pullModel", arguments = new object[] { new { id = TestCatalog.Id } }, workDoneToken = token };

    private static JsonElement[] Progress(LspTestClient client, string token) =>
        [.. client.Notifications("$/progress").Select(n => n.GetProperty("params")).Where(p => p.GetProperty("token").GetString() == token).Select(p => p.GetProperty("value"))];

    private static int ErrorCode(JsonElement response) => response.GetProperty("error").GetProperty("code").GetInt32();

    private static string ErrorMessage(JsonElement response) => response.GetProperty("error").GetProperty("message").GetString()!;

    [Fact]
    public async Task ListModelsOffersCatalogModelsNotDownloadedForTheLocalTierWithSizeAndLicence()
    {
        await using var server = new ModelFileServer(_model);
        await using var client = await StartAsync(server);

        var local = (await client.ExecuteCommandAsync("codeAssist.listModels", new { tier = "local" })).GetProperty("result").EnumerateArray().ToArray();
        var offered = Assert.Single(local, m => m.GetProperty("id").GetString() == TestCatalog.Id);
        Assert.True(offered.GetProperty("downloadable").GetBoolean());
        Assert.Equal(_model.Length, offered.GetProperty("sizeBytes").GetInt64());
        Assert.Equal("MIT", offered.GetProperty("license").GetString());
        Assert.False(offered.GetProperty("active").GetBoolean());
        Assert.False(offered.TryGetProperty("path", out _));

        // Files on disk say nothing about downloading.
        Assert.All(local.Where(m => m.TryGetProperty("path", out _)), m => Assert.False(m.TryGetProperty("downloadable", out _)));
        var fallback = (await client.ExecuteCommandAsync("codeAssist.listModels", new { tier = "fallback" })).GetProperty("result").EnumerateArray();
        Assert.DoesNotContain(fallback, m => m.GetProperty("id").GetString() == TestCatalog.Id);

        // It is selected by pulling it.
        var select = await client.ExecuteCommandAsync("codeAssist.selectModel", new { tier = "local", id = TestCatalog.Id });
        Assert.Equal(LspErrorCodes.InvalidParams, ErrorCode(select));
        Assert.Contains("codeAssist.pullModel", ErrorMessage(select), StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task PullModelDownloadsWithCancellableProgressThenSwitchesTheLocalTierToIt()
    {
        await using var server = new ModelFileServer(_model) { BytesPerSecond = Math.Max(_model.Length / 2, 1) };
        await using var client = await StartAsync(server, TestCatalog.Sha256(_model));

        var response = await client.RequestAsync("workspace/executeCommand", Pull("pull-1"));

        var selected = response.GetProperty("result");
        Assert.Equal(TestCatalog.Id, selected.GetProperty("id").GetString());
        Assert.Equal(Target, selected.GetProperty("path").GetString());
        Assert.True(selected.GetProperty("active").GetBoolean());
        Assert.False(selected.TryGetProperty("downloadable", out _));
        Assert.Equal(_model, await File.ReadAllBytesAsync(Target));
        Assert.Equal(Target, client.Services.GetRequiredService<ModelManager>().Current!.Description.Path);

        var progress = Progress(client, "pull-1");
        Assert.Equal("begin", progress[0].GetProperty("kind").GetString());
        Assert.Equal($"Downloading {TestCatalog.Id}", progress[0].GetProperty("title").GetString());
        Assert.True(progress[0].GetProperty("cancellable").GetBoolean());
        var reports = progress.Where(p => p.GetProperty("kind").GetString() == "report").ToArray();
        Assert.Contains(reports, r => r.TryGetProperty("percentage", out var percent) && percent.GetInt32() is > 0 and < 100
            && System.Text.RegularExpressions.Regex.IsMatch(r.GetProperty("message").GetString()!, @"^[\d.]+ [kM]?B of [\d.]+ [kM]?B, [\d.]+ [kM]?B/s, .+ left$"));
        Assert.Equal("end", progress[^1].GetProperty("kind").GetString());
        Assert.Equal($"{TestCatalog.Id} is the local model", progress[^1].GetProperty("message").GetString());

        // The listing follows: the model is a file now, and the active one.
        var listed = (await client.ExecuteCommandAsync("codeAssist.listModels", new { tier = "local" })).GetProperty("result").EnumerateArray().ToArray();
        var active = Assert.Single(listed, m => m.GetProperty("active").GetBoolean());
        Assert.Equal(TestCatalog.Id, active.GetProperty("id").GetString());
        Assert.DoesNotContain(listed, m => m.TryGetProperty("downloadable", out _));
        await client.WaitForNotificationAsync(CodeAssistMethods.Status, s => LocalState(s) == "ready"
            && s.GetProperty("params").GetProperty("tiers")[0].GetProperty("model").GetString() == TestCatalog.Id);
    }

    [Theory]
    [InlineData("request")]
    [InlineData("progress")]
    public async Task CancellingAPullKeepsThePartTheModelAndTheServerAndTheNextPullResumes(string how)
    {
        await using var server = new ModelFileServer(_model) { BytesPerSecond = Math.Max(_model.Length / 20, 1) };
        await using var client = await StartAsync(server);

        var (id, pending) = await client.StartRequestAsync("workspace/executeCommand", Pull("pull-2"));
        await client.WaitForNotificationAsync("$/progress", n => n.GetProperty("params").GetProperty("value").GetProperty("kind").GetString() == "report");
        if (how == "request")
        {
            await client.CancelAsync(id);
        }
        else
        {
            await client.NotifyAsync("window/workDoneProgress/cancel", new { token = "pull-2" });
        }

        var response = await pending;
        Assert.Equal(LspErrorCodes.RequestCancelled, ErrorCode(response));
        Assert.Equal("end", Progress(client, "pull-2")[^1].GetProperty("kind").GetString());
        Assert.False(File.Exists(Target));
        var kept = new FileInfo(Target + ModelDownloader.PartSuffix).Length;
        Assert.InRange(kept, 1, _model.Length - 1);
        Assert.Equal(RepositoryPaths.TinyModel, client.Services.GetRequiredService<ModelManager>().Current!.Description.Path);

        // The server answers the next requests; a pull resumes where the cancelled one stopped.
        Assert.True((await client.ExecuteCommandAsync("codeAssist.listModels")).TryGetProperty("result", out _));
        server.BytesPerSecond = null;
        var resumed = await client.RequestAsync("workspace/executeCommand", Pull("pull-3"));
        Assert.True(resumed.GetProperty("result").GetProperty("active").GetBoolean(), resumed.GetRawText());
        // (Requests are listed as they end: the cancelled one may end after the resumed one.)
        Assert.Contains(server.Requests, r => r.Range == $"bytes={kept}-" && r.Status == 206 && r.BodyBytesSent == _model.Length - kept);
        Assert.Equal(_model, await File.ReadAllBytesAsync(Target));
    }

    [Fact]
    public async Task AFailedPullIsAClearErrorAndTheServerAndItsModelStay()
    {
        await using var server = new ModelFileServer(_model) { Status = 404 };
        await using var client = await StartAsync(server);

        var missing = await client.RequestAsync("workspace/executeCommand", Pull("pull-4"));
        Assert.Equal(LspErrorCodes.RequestFailed, ErrorCode(missing));
        Assert.StartsWith($"could not download {TestCatalog.Id}: {server.Url} answered 404 Not Found", ErrorMessage(missing), StringComparison.Ordinal);
        Assert.Equal("end", Progress(client, "pull-4")[^1].GetProperty("kind").GetString());

        var unknown = await client.ExecuteCommandAsync("codeAssist.pullModel", new { id = "no-such-model" });
        Assert.Equal(LspErrorCodes.InvalidParams, ErrorCode(unknown));
        Assert.Equal(LspErrorCodes.InvalidParams, ErrorCode(await client.ExecuteCommandAsync("codeAssist.pullModel")));

        Assert.Equal(RepositoryPaths.TinyModel, client.Services.GetRequiredService<ModelManager>().Current!.Description.Path);
        Assert.True((await client.ExecuteCommandAsync("codeAssist.listModels")).TryGetProperty("result", out _));
    }

    [Fact]
    public async Task RestrictedModeOffersNothingToDownloadAndRefusesAPull()
    {
        await using var server = new ModelFileServer(_model);
        var catalog = TestCatalog.Write(_folder.FullName, server.Url, _model.Length);
        var locations = new ModelLocations(catalog, () => [], () => Downloads);
        await using var client = LspTestClient.Start(services => services.AddSingleton(locations));
        await client.InitializeAsync(new { model = RepositoryPaths.TinyModel, threads = 1, contextSize = 512, workspaceTrusted = false });

        var listed = (await client.ExecuteCommandAsync("codeAssist.listModels")).GetProperty("result").EnumerateArray();
        Assert.DoesNotContain(listed, m => m.GetProperty("id").GetString() == TestCatalog.Id);
        var refused = await client.ExecuteCommandAsync("codeAssist.pullModel", new { id = TestCatalog.Id });
        Assert.Equal(LspErrorCodes.RequestFailed, ErrorCode(refused));
        Assert.Contains("restricted mode", ErrorMessage(refused), StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }
}
