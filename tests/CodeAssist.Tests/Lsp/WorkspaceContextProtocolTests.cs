using System.Text.Json;
using CodeAssist.Server.Context;
using CodeAssist.Server.Inference.Remote;
using CodeAssist.Tests.Models;
using CodeAssist.Tests.Remote;
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

    // Calls an imported function: its definition is short enough for a quarter of the tiny model's 512-token context (a class's is not).
    private const string CallsImported = "from shop.models import load_pending_orders_for_customer\n\n\ndef pending(customer, since):\n    orders = load_pending_orders_for_customer(customer, since)\n    return ";

    /// <summary>A server with <paramref name="text"/> open as app/main.py, after a first request whose reading of its imports has ended.</summary>
    private async Task<LspTestClient> OpenWithImportsReadAsync(Dictionary<string, object?> settings, string text)
    {
        var client = LspTestClient.Start();
        try
        {
            await client.InitializeAsync(settings, workspaceFolders: [FolderUri]);
            await client.Services.GetRequiredService<WorkspaceFiles>().Listing;
            await client.OpenAsync(MainUri, text);
            _ = await client.InlineCompletionAsync(MainUri, 3, 0, triggerKind: 1);
            await client.Services.GetRequiredService<WorkspaceContext>().ImportsReadAsync(MainUri);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

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
    [InlineData(true, "from shop.models import Order")]
    [InlineData(false, null)]
    public async Task AnEmptyLineAmongTheImportsIsCompletedWithTheImportTheFileLacks(bool workspace, string? expected)
    {
        // The file calls Order, which nothing in it binds and shop/models.py defines — far below, past the suffix's window.
        var filler = string.Concat(Enumerable.Range(0, 200).Select(i => $"    step_{i} = {i}\n"));
        var text = $"from shop.models import load_pending_orders_for_customer\n\n\ndef steps():\n{filler}\n\ndef invoice(customer, lines):\n    load_pending_orders_for_customer(customer, None)\n    return Order(lines, customer)\n";
        await using var client = await OpenWithImportsReadAsync(Settings(workspace), text);
        var answer = await client.InlineCompletionAsync(MainUri, 1, 0);
        var items = answer.GetProperty("result").GetProperty("items");
        var shown = items.GetArrayLength() == 0 ? null : items[0].GetProperty("insertText").GetString();
        var stats = (await client.RequestAsync("codeAssist/stats", null)).GetProperty("result");
        if (expected is null)
        {
            Assert.NotEqual("from shop.models import Order", shown); // the model alone cannot know the name
            Assert.Equal(0, stats.GetProperty("missingImports").GetInt64());
        }
        else
        {
            Assert.Equal(expected, shown);
            Assert.Equal(1, stats.GetProperty("missingImports").GetInt64());
        }
    }

    [Theory]
    [InlineData("auto", 0)] // not for our own models: their 512-token window stays the current file's
    [InlineData(true, 1)] // on: a comment header with the imported function's definition
    public async Task ImportedDefinitionsStartThePromptOnlyWhereTheSettingSaysSo(object promptSnippets, int expected)
    {
        await using var client = await OpenWithImportsReadAsync(Settings(workspace: true, promptSnippets), CallsImported);

        var lines = CallsImported.Split('\n');
        var answer = await client.InlineCompletionAsync(MainUri, lines.Length - 1, lines[^1].Length, triggerKind: 1);
        var stats = (await client.RequestAsync("codeAssist/stats", null)).GetProperty("result").GetProperty("workspace");

        Assert.Equal(expected, Math.Sign(stats.GetProperty("snippets").GetInt64()));
        Assert.Equal(JsonValueKind.Array, answer.GetProperty("result").GetProperty("items").ValueKind);
    }

    [Theory]
    [InlineData("llamacpp", null, null)] // /infill: the snippets in input_extra, which llama-server lays out in the model's repository format
    [InlineData("openai", "client", "qwen")] // the whole prompt rendered here: Qwen's repository format
    [InlineData("openai", "server", null)] // the server applies the template: a comment header in front of the prefix
    [InlineData("ollama", "client", "codellama")] // a family without a repository format: a comment header inside the template
    public async Task ARemoteFallbackGetsTheImportedDefinitionsInItsPrompt(string kind, string? fim, string? template)
    {
        const string Definition = "def load_pending_orders_for_customer(customer, since_date):";
        var remote = kind switch { "llamacpp" => RemoteKind.LlamaCpp, "ollama" => RemoteKind.Ollama, _ => RemoteKind.OpenAi };
        await using var server = await FakeModelServer.StartAsync();
        server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.Completion(remote, "orders"));
        var settings = Settings(workspace: true);
        var fallback = new Dictionary<string, object?> { ["kind"] = kind, ["endpoint"] = server.EndpointFor(remote).AbsoluteUri, ["model"] = "coder", ["timeoutMs"] = 20000 };
        if (fim is not null)
        {
            fallback["fim"] = fim;
        }

        if (template is not null)
        {
            fallback["template"] = template;
        }

        settings["fallback"] = fallback;
        await using var client = await OpenWithImportsReadAsync(settings, CallsImported);

        // An explicit request goes to the fallback, whose prompt now starts with the imported function's definition.
        var lines = CallsImported.Split('\n');
        var answer = await client.InlineCompletionAsync(MainUri, lines.Length - 1, lines[^1].Length, triggerKind: 1);
        Assert.Equal("orders", answer.GetProperty("result").GetProperty("items")[0].GetProperty("insertText").GetString());
        var json = server.Requests.Last(r => r.Method == "POST").Json;
        var repository = _folder.Name;
        var stats = (await client.RequestAsync("codeAssist/stats", null)).GetProperty("result").GetProperty("workspace");
        Assert.True(stats.GetProperty("snippets").GetInt64() >= 1, stats.GetRawText());
        switch (kind, fim, template)
        {
            case ("llamacpp", _, _):
                var extra = Assert.Single(json.GetProperty("input_extra").EnumerateArray());
                Assert.Equal("shop/models.py", extra.GetProperty("filename").GetString());
                Assert.Contains(Definition, extra.GetProperty("text").GetString(), StringComparison.Ordinal);
                Assert.EndsWith(lines[^2] + "\n    return ", json.GetProperty("input_prefix").GetString(), StringComparison.Ordinal);
                Assert.DoesNotContain(Definition, json.GetProperty("input_prefix").GetString(), StringComparison.Ordinal);
                break;
            case (_, "client", "qwen"):
                var prompt = json.GetProperty("prompt").GetString()!;
                Assert.StartsWith($"<|repo_name|>{repository}\n<|file_sep|>shop/models.py\n{Definition}", prompt, StringComparison.Ordinal);
                Assert.Contains("<|file_sep|>app/main.py\n<|fim_prefix|>from shop.models import", prompt, StringComparison.Ordinal);
                Assert.False(json.TryGetProperty("suffix", out _));
                break;
            case (_, "server", _):
                Assert.StartsWith($"# from shop.models:\n#   {Definition}", json.GetProperty("prompt").GetString(), StringComparison.Ordinal);
                Assert.Contains("\n\nfrom shop.models import", json.GetProperty("prompt").GetString(), StringComparison.Ordinal);
                Assert.True(json.TryGetProperty("suffix", out _));
                break;
            default:
                var raw = json.GetProperty("prompt").GetString()!;
                Assert.Contains($"# from shop.models:\n#   {Definition}", raw, StringComparison.Ordinal);
                Assert.DoesNotContain("repo_name", raw, StringComparison.Ordinal);
                Assert.True(json.GetProperty("raw").GetBoolean());
                break;
        }
    }

    [Theory]
    [InlineData(true, "load_pending_orders_for_customer(customer, since)")] // mended to the name shop.models has
    [InlineData(false, "load_pending_orders_of_customer(customer, since)")] // nothing known: shown as written (an explicit request)
    public async Task ANameTheImportedModuleDoesNotHaveIsMendedToTheOneItHas(bool workspace, string expected)
    {
        // The fallback knew the function's start and invented its end; shop.models has no such function.
        const string Text = "from shop import models\n\n\ndef pending(customer, since):\n    return models.";
        await using var server = await FakeModelServer.StartAsync();
        server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.OpenAiCompletion("load_pending_orders_of_customer(customer, since)"));
        var settings = Settings(workspace);
        settings["fallback"] = new { kind = "openai", endpoint = server.EndpointFor(RemoteKind.OpenAi).AbsoluteUri, model = "coder", timeoutMs = 20000 };
        await using var client = await OpenWithImportsReadAsync(settings, Text);
        Assert.Equal(workspace, client.Services.GetRequiredService<WorkspaceContext>().ModulesFor(MainUri).Knows("shop.models"));

        var lines = Text.Split('\n');
        var answer = await client.InlineCompletionAsync(MainUri, lines.Length - 1, lines[^1].Length, triggerKind: 1);
        Assert.Equal(expected, answer.GetProperty("result").GetProperty("items")[0].GetProperty("insertText").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ImplementFunctionGivesARemoteFallbackTheDefinitionsOfEveryImportedName(bool workspace)
    {
        // The stub's body has yet to call what the file imports: the definitions go in though nothing uses the names yet.
        const string Stub = "from shop.models import Order, load_pending_orders_for_customer\n\n\ndef pending(customer, since):\n    \"\"\"Return the customer's orders not yet shipped since a date.\"\"\"\n    pass\n";
        const string Body = "return load_pending_orders_for_customer(customer, since)\n";
        await using var server = await FakeModelServer.StartAsync();
        server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.OpenAiCompletion(Body));
        var settings = Settings(workspace);
        settings["fallback"] = new { kind = "openai", endpoint = server.EndpointFor(RemoteKind.OpenAi).AbsoluteUri, model = "coder", timeoutMs = 20000 };
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(settings, workspaceFolders: [FolderUri]);
        await client.Services.GetRequiredService<WorkspaceFiles>().Listing;
        await client.OpenAsync(MainUri, Stub);

        // No completion ran in the document before: the action reads its imports itself.
        var offers = await client.RequestAsync("textDocument/codeAction", new
        {
            textDocument = new { uri = MainUri },
            range = new { start = new { line = 5, character = 4 }, end = new { line = 5, character = 4 } },
            context = new { diagnostics = Array.Empty<object>() },
        });
        var implement = offers.GetProperty("result").EnumerateArray().First(a => a.GetProperty("title").GetString()!.StartsWith("Implement function", StringComparison.Ordinal));
        var resolved = (await client.RequestAsync("codeAction/resolve", implement)).GetProperty("result");
        Assert.Contains(Body.TrimEnd(), resolved.GetRawText().Replace("\\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);

        var prompt = server.Requests.Last(r => r.Method == "POST").Json.GetProperty("prompt").GetString()!;
        Assert.EndsWith("since a date.\"\"\"\n    ", prompt, StringComparison.Ordinal);
        if (workspace)
        {
            Assert.StartsWith("# from shop.models:\n#   class Order:", prompt, StringComparison.Ordinal);
            Assert.Contains("#   def load_pending_orders_for_customer(customer, since_date):", prompt, StringComparison.Ordinal);
        }
        else
        {
            Assert.StartsWith("from shop.models import Order", prompt, StringComparison.Ordinal);
        }
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
