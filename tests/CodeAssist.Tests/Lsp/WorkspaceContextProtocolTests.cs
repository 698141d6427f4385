using System.Text.Json;
using CodeAssist.Server.Context;
using CodeAssist.Tests.Models;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CodeAssist.Tests.Lsp;

/// <summary>The workspace context through the real protocol with the shipped tiny model: folders from initialize, imports read, copied from, counted.</summary>
[Trait(TestCategory.Name, TestCategory.Protocol)]
public sealed class WorkspaceContextProtocolTests : IDisposable
{
    private const string Models = """
        class Order:
            '''One customer's order.'''

            def __init__(self, lines, customer):
                self.lines = lines
                self.customer = customer

            def subtotal_before_discounts(self):
                return sum(line.price for line in self.lines)

            def total_including_shipping_fees(self, zone):
                return self.subtotal_before_discounts() + zone.fee


        def load_pending_orders_for_customer(customer, since_date):
            '''The customer's orders not yet shipped.'''
            return []
        """;

    // The cursor is at the end of the last line: the names it needs are in shop/models.py only.
    private const string Main = "from shop.models import Order, load_pending_orders_for_customer\n\n\ndef invoice(order, zone):\n    total = order.total_";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("codeassist-workspace-");

    public WorkspaceContextProtocolTests()
    {
        Directory.CreateDirectory(Path.Combine(_folder.FullName, "shop"));
        File.WriteAllText(Path.Combine(_folder.FullName, "shop", "__init__.py"), string.Empty);
        File.WriteAllText(Path.Combine(_folder.FullName, "shop", "models.py"), Models);
        Directory.CreateDirectory(Path.Combine(_folder.FullName, "app"));
        File.WriteAllText(Path.Combine(_folder.FullName, "app", "main.py"), Main);
    }

    public void Dispose() => _folder.Delete(recursive: true);

    private static Dictionary<string, object?> Settings(bool workspace, object? promptSnippets = null) => new()
    {
        ["model"] = RepositoryPaths.TinyModel,
        ["threads"] = 1,
        ["maxTokens"] = 16,
        ["debounceMs"] = 0,
        ["context"] = new Dictionary<string, object?> { ["workspace"] = workspace, ["promptSnippets"] = promptSnippets ?? "auto" },
    };

    private string FolderUri => new Uri(_folder.FullName).AbsoluteUri;

    private string MainUri => new Uri(Path.Combine(_folder.FullName, "app", "main.py")).AbsoluteUri;

    private async Task<(string Text, JsonElement Workspace)> CompleteAsync(bool workspace, bool trusted = true, object? promptSnippets = null)
    {
        await using var client = LspTestClient.Start();
        var options = Settings(workspace, promptSnippets);
        options["workspaceTrusted"] = trusted;
        await client.InitializeAsync(options, workspaceFolders: [FolderUri]);
        await client.Services.GetRequiredService<WorkspaceFiles>().Listing;
        await client.OpenAsync(MainUri, Main);

        // The first request (elsewhere: the cursor's answer must not come from the cache) starts reading the imports in
        // the background; the next ones copy from them.
        var lines = Main.Split('\n');
        _ = await client.InlineCompletionAsync(MainUri, 3, 0, triggerKind: 1);
        await client.Services.GetRequiredService<WorkspaceContext>().ImportsReadAsync(MainUri);
        var answer = await client.InlineCompletionAsync(MainUri, lines.Length - 1, lines[^1].Length, triggerKind: 1);
        var items = answer.GetProperty("result").GetProperty("items");
        var text = items.GetArrayLength() == 0 ? string.Empty : items[0].GetProperty("insertText").GetString()!;
        var stats = await client.RequestAsync("codeAssist/stats", null);
        return (text, stats.GetProperty("result").GetProperty("workspace"));
    }

    [Fact]
    public async Task AMethodDefinedInAnotherModuleIsCompletedFromItsImportedDefinition()
    {
        var (text, workspace) = await CompleteAsync(workspace: true);
        Assert.Equal(3, workspace.GetProperty("files").GetInt32());
        Assert.Equal(1, workspace.GetProperty("documentsWithImports").GetInt32());
        Assert.True(workspace.GetProperty("modulesRead").GetInt32() >= 1);
        Assert.StartsWith("including_shipping_fees(", text, StringComparison.Ordinal);
        Assert.True(workspace.GetProperty("copyHits").GetProperty("imports").GetInt64() > 0, workspace.GetRawText());
    }

    [Fact]
    public async Task AModuleChangedOnDiskIsReadAgainAfterTheWatcherSaysSo()
    {
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(Settings(workspace: true), workspaceFolders: [FolderUri]);
        await client.Services.GetRequiredService<WorkspaceFiles>().Listing;
        await client.OpenAsync(MainUri, Main);
        var context = client.Services.GetRequiredService<WorkspaceContext>();
        _ = await client.InlineCompletionAsync(MainUri, 3, 0);
        await context.ImportsReadAsync(MainUri);

        // The method is renamed on disk; the client's watcher reports it.
        var models = Path.Combine(_folder.FullName, "shop", "models.py");
        File.WriteAllText(models, Models.Replace("total_including_shipping_fees", "total_after_customs_duties", StringComparison.Ordinal));
        await client.NotifyAsync("workspace/didChangeWatchedFiles", new { changes = new[] { new { uri = new Uri(models).AbsoluteUri, type = 2 } } });

        var lines = Main.Split('\n');
        _ = await client.InlineCompletionAsync(MainUri, 3, 1);
        await context.ImportsReadAsync(MainUri);
        var answer = await client.InlineCompletionAsync(MainUri, lines.Length - 1, lines[^1].Length);
        var items = answer.GetProperty("result").GetProperty("items");
        Assert.StartsWith("after_customs_duties(", items[0].GetProperty("insertText").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("auto", 0)] // not for our own models: their 512-token window stays the current file's
    [InlineData(true, 1)] // on: a comment header with the imported function's definition
    public async Task ImportedDefinitionsStartThePromptOnlyWhereTheSettingSaysSo(object promptSnippets, int expected)
    {
        // A function's definition is short enough for a quarter of the tiny model's 512-token context (a class's is not).
        const string Text = "from shop.models import load_pending_orders_for_customer\n\n\ndef pending(customer, since):\n    orders = load_pending_orders_for_customer(customer, since)\n    return ";
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(Settings(workspace: true, promptSnippets), workspaceFolders: [FolderUri]);
        await client.Services.GetRequiredService<WorkspaceFiles>().Listing;
        await client.OpenAsync(MainUri, Text);
        _ = await client.InlineCompletionAsync(MainUri, 3, 0, triggerKind: 1);
        await client.Services.GetRequiredService<WorkspaceContext>().ImportsReadAsync(MainUri);

        var lines = Text.Split('\n');
        var answer = await client.InlineCompletionAsync(MainUri, lines.Length - 1, lines[^1].Length, triggerKind: 1);
        var stats = (await client.RequestAsync("codeAssist/stats", null)).GetProperty("result").GetProperty("workspace");

        Assert.Equal(expected, Math.Sign(stats.GetProperty("snippets").GetInt64()));
        Assert.Equal(JsonValueKind.Array, answer.GetProperty("result").GetProperty("items").ValueKind);
    }

    [Fact]
    public async Task WithTheWorkspaceOffNothingIsListedOrCopied()
    {
        var (text, workspace) = await CompleteAsync(workspace: false);
        Assert.Equal(0, workspace.GetProperty("files").GetInt32());
        Assert.Equal(0, workspace.GetProperty("documentsWithImports").GetInt32());
        Assert.False(workspace.GetProperty("copyHits").TryGetProperty("imports", out _));
        Assert.False(text.StartsWith("including_shipping_fees(", StringComparison.Ordinal), text);
    }

    [Fact]
    public async Task AnUntrustedWorkspaceIsNotReadFromDisk()
    {
        var (_, workspace) = await CompleteAsync(workspace: true, trusted: false);
        Assert.Equal(0, workspace.GetProperty("files").GetInt32());
        Assert.Equal(0, workspace.GetProperty("modulesRead").GetInt32());
    }
}
