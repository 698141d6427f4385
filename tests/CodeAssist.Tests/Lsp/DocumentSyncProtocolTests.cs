using System.Text.Json;
using CodeAssist.Server.Documents;
using CodeAssist.Tests.Gguf;
using CodeAssist.Tests.Logging;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Events;

namespace CodeAssist.Tests.Lsp;

/// <summary>
/// A change the server cannot apply leaves its text different from the editor's: the document is out of sync, and
/// completions and code actions there answer nothing, with a warning, until didOpen or a change with the whole text.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Protocol)]
public sealed class DocumentSyncProtocolTests
{
    private static readonly TestModelOptions Peaked = new() { OutputScale = 4f, Seed = 77 };

    // The model suggests something at 10:4 (LanguageServerProtocolTests relies on it too), and read_config has no docstring.
    private const string Source = "import os\n\n\ndef read_config(path):\n    with open(path) as handle:\n        return handle.read()\n\n\ndef main():\n    config = read_config(\"settings.ini\")\n    print(config)\n";

    private static object Settings() => new Dictionary<string, object?>
    {
        ["model"] = TestModel.Get(Peaked).Path,
        ["threads"] = 1,
        ["contextSize"] = 512,
        ["maxTokens"] = 16,
        ["debounceMs"] = 0,
        ["multiline"] = "always",
    };

    // The document is opened at version 5. Each row: the change's version, its start and end line, what the warning says.
    public static TheoryData<int, int, int, string> UnappliableChanges => new()
    {
        { 6, 40, 40, "outside" },
        { 6, 5, 2, "ends before it starts" },
        { 3, 0, 0, "version 3 is not greater than the current version 5" },
        { 5, 0, 0, "version 5 is not greater than the current version 5" },
    };

    [Theory]
    [MemberData(nameof(UnappliableChanges))]
    public async Task AChangeThatCannotBeAppliedSilencesTheDocumentUntilAChangeSendsTheWholeText(int version, int startLine, int endLine, string reason)
    {
        var log = new CapturedLog();
        await using var client = LspTestClient.Start(capture: log);
        await client.InitializeAsync(Settings());
        var uri = LspTestClient.FileUri("sync.py");
        await client.OpenAsync(uri, Source, version: 5);
        await ChangeAsync(client, uri, version, new { range = Range(startLine, endLine), text = "x" });

        var inline = await client.InlineCompletionAsync(uri, 10, 4);
        Assert.Equal(0, inline.GetProperty("result").GetProperty("items").GetArrayLength());
        var completion = await client.RequestAsync("textDocument/completion", new { textDocument = new { uri }, position = new { line = 10, character = 4 } });
        Assert.Equal(0, completion.GetProperty("result").GetProperty("items").GetArrayLength());
        Assert.Equal(0, (await CodeActionsAsync(client, uri, 3)).GetProperty("result").GetArrayLength());
        Assert.Equal(0, client.ModelCalls);

        // One warning for the change, naming the document, both versions and why; one for the first request refused.
        var rejected = Assert.Single(Warnings(log), e => e.MessageTemplate.Text.StartsWith("Change to {Uri}", StringComparison.Ordinal)).RenderMessage();
        Assert.Contains(uri, rejected, StringComparison.Ordinal);
        Assert.Contains($"version {version}, ours 5", rejected, StringComparison.Ordinal);
        Assert.Contains(reason, rejected, StringComparison.Ordinal);
        Assert.Contains("out of sync", rejected, StringComparison.Ordinal);
        var refused = Assert.Single(Warnings(log), e => e.MessageTemplate.Text.StartsWith("No {Request}", StringComparison.Ordinal)).RenderMessage();
        Assert.Contains(reason, refused, StringComparison.Ordinal);
        Assert.Equal(2, log.Events.Count(e => e.Level == LogEventLevel.Debug && e.MessageTemplate.Text.StartsWith("No {Request}", StringComparison.Ordinal)));

        // The editor sends the whole text (as VS Code does after an undo it cannot express): in sync again.
        await ChangeAsync(client, uri, 7, new { text = Source });
        var after = await client.InlineCompletionAsync(uri, 10, 4);
        Assert.Equal(1, after.GetProperty("result").GetProperty("items").GetArrayLength());
        Assert.Equal(1, client.ModelCalls);
        Assert.Contains(Titles(await CodeActionsAsync(client, uri, 3)), title => title == "Write docstring");
        Assert.Contains(log.Events, e => e.Level == LogEventLevel.Information && e.RenderMessage().Contains("back in sync", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChangesAfterTheDocumentWentOutOfSyncAreSkippedWithoutAnotherWarning()
    {
        var log = new CapturedLog();
        await using var client = LspTestClient.Start(capture: log);
        await client.InitializeAsync(Settings());
        var uri = LspTestClient.FileUri("typing.py");
        await client.OpenAsync(uri, Source);
        await ChangeAsync(client, uri, 2, new { range = Range(99, 99), text = "x" });
        for (var version = 3; version < 8; version++)
        {
            await ChangeAsync(client, uri, version, new { range = Range(0, 0), text = "#" });
            var response = await client.InlineCompletionAsync(uri, 10, 4);
            Assert.Equal(0, response.GetProperty("result").GetProperty("items").GetArrayLength());
        }

        Assert.Equal(0, client.ModelCalls);
        Assert.Single(Warnings(log), e => e.MessageTemplate.Text.StartsWith("Change to {Uri}", StringComparison.Ordinal));
        Assert.Single(Warnings(log), e => e.MessageTemplate.Text.StartsWith("No {Request}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AChangeToADocumentNeverOpenedIsWarnedOnceAndDidOpenBringsItIn()
    {
        var log = new CapturedLog();
        await using var client = LspTestClient.Start(capture: log);
        await client.InitializeAsync(Settings());
        var uri = LspTestClient.FileUri("never-opened.py");
        await ChangeAsync(client, uri, 2, new { range = Range(0, 0), text = "x" });
        await ChangeAsync(client, uri, 3, new { text = Source });
        var refused = await client.InlineCompletionAsync(uri, 10, 4);
        Assert.Equal(0, refused.GetProperty("result").GetProperty("items").GetArrayLength());
        var rejected = Assert.Single(Warnings(log), e => e.MessageTemplate.Text.StartsWith("Change to {Uri}", StringComparison.Ordinal)).RenderMessage();
        Assert.Contains("not open", rejected, StringComparison.Ordinal);
        Assert.Contains("ours \"none\"", rejected, StringComparison.Ordinal);

        await client.OpenAsync(uri, Source);
        var answered = await client.InlineCompletionAsync(uri, 10, 4);
        Assert.Equal(1, answered.GetProperty("result").GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task ADocumentOverTheSizeLimitIsNotKeptUntilItIsOpenedAgainWithinIt()
    {
        var log = new CapturedLog();
        await using var client = LspTestClient.Start(services => services.AddSingleton(new DocumentStore(maxChars: Source.Length + 100)), log);
        await client.InitializeAsync(Settings());
        var uri = LspTestClient.FileUri("huge.py");
        await client.OpenAsync(uri, Source + new string('#', 200) + "\n");
        Assert.Equal(0, (await client.InlineCompletionAsync(uri, 10, 4)).GetProperty("result").GetProperty("items").GetArrayLength());
        var refused = Assert.Single(Warnings(log), e => e.RenderMessage().Contains("not kept", StringComparison.Ordinal)).RenderMessage();
        Assert.Contains("over the limit of", refused, StringComparison.Ordinal);

        await client.OpenAsync(uri, Source);
        Assert.Equal(1, (await client.InlineCompletionAsync(uri, 10, 4)).GetProperty("result").GetProperty("items").GetArrayLength());

        // Growing past the limit by typing: out of sync, the text released.
        await ChangeAsync(client, uri, 2, new { range = Range(0, 0), text = new string('#', 200) });
        Assert.Equal(0, (await client.InlineCompletionAsync(uri, 10, 4)).GetProperty("result").GetProperty("items").GetArrayLength());
        Assert.Contains(Warnings(log), e => e.RenderMessage().Contains("over the limit of", StringComparison.Ordinal) && e.RenderMessage().StartsWith("Change to", StringComparison.Ordinal));
        Assert.False(client.Server.IsCompleted);
    }

    private static IEnumerable<LogEvent> Warnings(CapturedLog log) => log.Events.Where(e => e.Level == LogEventLevel.Warning);

    private static object Range(int startLine, int endLine) =>
        new { start = new { line = startLine, character = 0 }, end = new { line = endLine, character = 0 } };

    private static Task ChangeAsync(LspTestClient client, string uri, int version, object change) =>
        client.NotifyAsync("textDocument/didChange", new { textDocument = new { uri, version }, contentChanges = new[] { change } });

    private static Task<JsonElement> CodeActionsAsync(LspTestClient client, string uri, int line) =>
        client.RequestAsync("textDocument/codeAction", new
        {
            textDocument = new { uri },
            range = new { start = new { line, character = 0 }, end = new { line, character = 0 } },
            context = new { diagnostics = Array.Empty<object>() },
        });

    private static string[] Titles(JsonElement response) =>
        [.. response.GetProperty("result").EnumerateArray().Select(action => action.GetProperty("title").GetString()!)];
}
