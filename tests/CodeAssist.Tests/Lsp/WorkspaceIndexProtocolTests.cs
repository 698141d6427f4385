using System.Diagnostics;
using System.Text.Json;
using CodeAssist.Server.Context;
using CodeAssist.Tests.Models;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CodeAssist.Tests.Lsp;

/// <summary>
/// The copy model's index of the rest of the workspace, through the real protocol with the shipped tiny model: a module
/// the current file never imports still lends its text; an open document replaces its file on disk; a change on disk
/// reported by the watcher reaches the index.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Protocol)]
public sealed class WorkspaceIndexProtocolTests : IDisposable
{
    // Not imported by main.py: only the index can lend this method's name.
    private const string Summary = """
        def describe(order):
            '''A line for the shipping report.'''
            return order.customer.mailing_address_with_postcode()


        def count(orders):
            return len(orders)
        """;

    private const string Main = "def label(order):\n    return order.customer.mailing_";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("codeassist-index-");

    public WorkspaceIndexProtocolTests()
    {
        Directory.CreateDirectory(Path.Combine(_folder.FullName, "reports"));
        File.WriteAllText(Path.Combine(_folder.FullName, "reports", "__init__.py"), string.Empty);
        File.WriteAllText(SummaryPath, Summary);
        Directory.CreateDirectory(Path.Combine(_folder.FullName, "app"));
        File.WriteAllText(Path.Combine(_folder.FullName, "app", "main.py"), Main);
    }

    public void Dispose() => _folder.Delete(recursive: true);

    private string SummaryPath => Path.Combine(_folder.FullName, "reports", "summary.py");

    private string FolderUri => new Uri(_folder.FullName).AbsoluteUri;

    private string MainUri => new Uri(Path.Combine(_folder.FullName, "app", "main.py")).AbsoluteUri;

    private static Dictionary<string, object?> Settings(bool workspace, int indexTokens = 8_000_000) => new()
    {
        ["model"] = RepositoryPaths.TinyModel,
        ["threads"] = 1,
        ["maxTokens"] = 16,
        ["debounceMs"] = 0,
        ["context"] = new Dictionary<string, object?> { ["workspace"] = workspace, ["indexTokens"] = indexTokens },
    };

    private static async Task<LspTestClient> StartAsync(string folderUri, Dictionary<string, object?> settings)
    {
        var client = LspTestClient.Start();
        await client.InitializeAsync(settings, workspaceFolders: [folderUri]);
        await client.Services.GetRequiredService<WorkspaceFiles>().Listing;
        return client;
    }

    private async Task<string> CompleteMainAsync(LspTestClient client)
    {
        var lines = Main.Split('\n');
        var answer = await client.InlineCompletionAsync(MainUri, lines.Length - 1, lines[^1].Length, triggerKind: 1);
        var items = answer.GetProperty("result").GetProperty("items");
        return items.GetArrayLength() == 0 ? string.Empty : items[0].GetProperty("insertText").GetString()!;
    }

    private static async Task<JsonElement> WorkspaceStatsAsync(LspTestClient client) =>
        (await client.RequestAsync("codeAssist/stats", null)).GetProperty("result").GetProperty("workspace");

    /// <summary>Asks until the index holds <paramref name="files"/> files (the first request starts building it in the background).</summary>
    private async Task<JsonElement> IndexedAsync(LspTestClient client, int files)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            _ = await client.InlineCompletionAsync(MainUri, 0, 0, triggerKind: 1);
            var stats = await WorkspaceStatsAsync(client);
            if (stats.GetProperty("indexedFiles").GetInt32() == files || stopwatch.Elapsed > TimeSpan.FromSeconds(60))
            {
                return stats;
            }

            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task AMethodUsedInAModuleNeverImportedIsCopiedFromTheIndex()
    {
        await using var client = await StartAsync(FolderUri, Settings(workspace: true));
        await client.OpenAsync(MainUri, Main);

        // The index holds the three files on disk; main.py, open, is left out when it is searched.
        var stats = await IndexedAsync(client, files: 3);
        Assert.Equal(3, stats.GetProperty("indexedFiles").GetInt32());
        Assert.True(stats.GetProperty("indexedTokens").GetInt64() > 20, stats.GetRawText());
        Assert.True(stats.GetProperty("indexBytes").GetInt64() > 0, stats.GetRawText());

        var text = await CompleteMainAsync(client);
        Assert.StartsWith("address_with_postcode()", text, StringComparison.Ordinal);
        stats = await WorkspaceStatsAsync(client);
        Assert.True(stats.GetProperty("copyHits").GetProperty("workspace").GetInt64() > 0, stats.GetRawText());
    }

    [Fact]
    public async Task WithoutTheIndexTheNameIsNotFound()
    {
        await using var client = await StartAsync(FolderUri, Settings(workspace: true, indexTokens: 0));
        await client.OpenAsync(MainUri, Main);
        _ = await client.InlineCompletionAsync(MainUri, 0, 0, triggerKind: 1);
        var text = await CompleteMainAsync(client);
        Assert.False(text.StartsWith("address_with_postcode", StringComparison.Ordinal), text);
        var stats = await WorkspaceStatsAsync(client);
        Assert.Equal(0, stats.GetProperty("indexedFiles").GetInt32());
    }

    [Fact]
    public async Task AnOpenDocumentReplacesItsFileOnDisk()
    {
        await using var client = await StartAsync(FolderUri, Settings(workspace: true));
        await client.OpenAsync(MainUri, Main);
        _ = await IndexedAsync(client, files: 3);

        // The user opened summary.py and renamed the method there (not saved): the disk's name must not be copied.
        await client.OpenAsync(new Uri(SummaryPath).AbsoluteUri, Summary.Replace("mailing_address_with_postcode", "display_name", StringComparison.Ordinal));
        var text = await CompleteMainAsync(client);
        Assert.False(text.StartsWith("address_with_postcode", StringComparison.Ordinal), text);
    }

    [Fact]
    public async Task AFileChangedOnDiskReachesTheIndexAfterTheWatcherSaysSo()
    {
        await using var client = await StartAsync(FolderUri, Settings(workspace: true));
        await client.OpenAsync(MainUri, Main);
        _ = await IndexedAsync(client, files: 3);
        Assert.StartsWith("address_with_postcode()", await CompleteMainAsync(client), StringComparison.Ordinal);

        File.WriteAllText(SummaryPath, Summary.Replace("mailing_address_with_postcode", "mailing_label_for_courier", StringComparison.Ordinal));
        await client.NotifyAsync("workspace/didChangeWatchedFiles", new { changes = new[] { new { uri = new Uri(SummaryPath).AbsoluteUri, type = 2 } } });

        // The index is rebuilt in the background (at most every two seconds); requests meanwhile use the previous one.
        var stopwatch = Stopwatch.StartNew();
        var text = string.Empty;
        for (var attempt = 0; stopwatch.Elapsed < TimeSpan.FromSeconds(60); attempt++)
        {
            // A different line after the cursor each time: the same text would be answered from the completion cache.
            await client.OpenAsync(MainUri, Main + $"\n\n# attempt {attempt}\n");
            text = await CompleteMainAsync(client);
            if (text.StartsWith("label_for_courier", StringComparison.Ordinal))
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.StartsWith("label_for_courier()", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SwitchingTheWorkspaceOnAfterInitializeListsTheFoldersWithoutARestart()
    {
        await using var client = await StartAsync(FolderUri, Settings(workspace: false));
        await client.OpenAsync(MainUri, Main);
        Assert.Equal(0, (await WorkspaceStatsAsync(client)).GetProperty("files").GetInt32());

        await client.NotifyAsync("workspace/didChangeConfiguration", new { settings = new { codeAssist = new { context = new { workspace = true } } } });

        // Listed in the background; a completion asked before that would be cached without the index, so wait first.
        var stopwatch = Stopwatch.StartNew();
        while ((await WorkspaceStatsAsync(client)).GetProperty("files").GetInt32() < 3 && stopwatch.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }

        var stats = await IndexedAsync(client, files: 3);
        Assert.Equal(3, stats.GetProperty("files").GetInt32());
        Assert.StartsWith("address_with_postcode()", await CompleteMainAsync(client), StringComparison.Ordinal);

        // And off again: nothing listed, nothing copied from the index.
        await client.NotifyAsync("workspace/didChangeConfiguration", new { settings = new { codeAssist = new { context = new { workspace = false } } } });
        await client.OpenAsync(MainUri, Main + "\n");
        Assert.Equal(0, (await WorkspaceStatsAsync(client)).GetProperty("files").GetInt32());
        Assert.False((await CompleteMainAsync(client)).StartsWith("address_with_postcode", StringComparison.Ordinal));
    }
}
