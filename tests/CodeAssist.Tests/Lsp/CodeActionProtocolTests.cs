using System.Text.Json;
using CodeAssist.Server.Inference.Remote;
using CodeAssist.Server.Protocol;
using CodeAssist.Server.Python;
using CodeAssist.Tests.Models;
using CodeAssist.Tests.Remote;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Lsp;

/// <summary>textDocument/codeAction and codeAction/resolve through the real protocol.</summary>
[Trait(TestCategory.Name, TestCategory.Protocol)]
public sealed class CodeActionProtocolTests : IAsyncLifetime
{
    private const string Implement = "Implement function with codeassist-py-tiny";
    private const string Docstring = "Write docstring";
    private const string Todo = "Complete TODO";

    private FakeModelServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeModelServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static Dictionary<string, object?> Settings() => new()
    {
        ["model"] = RepositoryPaths.TinyModel,
        ["threads"] = 1,
        ["contextSize"] = 512,
        ["maxTokens"] = 32,
        ["debounceMs"] = 0,
    };

    private Dictionary<string, object?> RemoteSettings(string? model = null)
    {
        var settings = Settings();
        if (model is not null)
        {
            settings["model"] = model;
        }

        settings["fallback"] = new { kind = "openai", endpoint = _server.EndpointFor(RemoteKind.OpenAi).AbsoluteUri, model = "coder", timeoutMs = 20000 };
        return settings;
    }

    /// <summary>A stub the shipped tiny model implements (the same file as the indentation test, four spaces).</summary>
    private const string CircleSource =
        "import math\n\n\nclass Circle:\n    def __init__(self, radius):\n        self.radius = radius\n\n    def area(self):\n        \"\"\"Return the area of the circle.\"\"\"\n        pass\n\n\ndef main():\n    print(Circle(2).area())\n";

    private static int ErrorCode(JsonElement response) => response.GetProperty("error").GetProperty("code").GetInt32();

    private static Task<JsonElement> CodeActionsAsync(LspTestClient client, string uri, int line, int character = 0, string[]? only = null) =>
        client.RequestAsync("textDocument/codeAction", new
        {
            textDocument = new { uri },
            range = new { start = new { line, character }, end = new { line, character } },
            context = only is null ? (object)new { diagnostics = Array.Empty<object>() } : new { diagnostics = Array.Empty<object>(), only },
        });

    private static string[] Titles(JsonElement response) =>
        response.GetProperty("result").EnumerateArray().Select(a => a.GetProperty("title").GetString()!).ToArray();

    private static JsonElement Action(JsonElement response, string title) =>
        response.GetProperty("result").EnumerateArray().Single(a => a.GetProperty("title").GetString() == title);

    /// <summary>Applies the one text edit of a resolved action to <paramref name="text"/>.</summary>
    internal static string Apply(string text, JsonElement resolved, string uri)
    {
        var edit = resolved.GetProperty("edit");
        var edits = edit.TryGetProperty("documentChanges", out var changes)
            ? changes[0].GetProperty("edits")
            : edit.GetProperty("changes").GetProperty(uri);
        var one = Assert.Single(edits.EnumerateArray());
        var lines = CodeAssist.Server.Documents.LineIndex.Create(text);
        int Offset(JsonElement position) => lines.OffsetAt(position.GetProperty("line").GetInt32(), position.GetProperty("character").GetInt32(), CodeAssist.Server.Documents.PositionEncoding.Utf16);
        var start = Offset(one.GetProperty("range").GetProperty("start"));
        var end = Offset(one.GetProperty("range").GetProperty("end"));
        return text[..start] + one.GetProperty("newText").GetString() + text[end..];
    }

    public static TheoryData<string, int, string[]> Offers => new()
    {
        // A stub body: pass, ..., raise NotImplementedError, empty, after a docstring; on the def line or in the body.
        { "def area(width, height):\n    pass\n", 0, [Implement, Docstring] },
        { "def area(width, height):\n    pass\n", 1, [Implement, Docstring] },
        { "def area(width, height):\n    ...\n", 1, [Implement, Docstring] },
        { "def area(width, height):\n    raise NotImplementedError\n", 0, [Implement, Docstring] },
        { "def area(width, height):\n    raise NotImplementedError(\"later\")\n", 1, [Implement, Docstring] },
        { "def area(width, height):\n    \"\"\"The area.\"\"\"\n    pass\n", 2, [Implement] },
        { "def area(width, height):\n    \"\"\"The area.\"\"\"\n", 0, [Implement] },
        { "def area(width, height):\n", 0, [Implement, Docstring] },
        { "async def fetch(url):\n    ...\n", 0, [Implement, Docstring] },
        { "def area(width, height): pass\n", 0, [Implement] },
        { "def area(\n    width,\n    height,\n):\n    pass\n", 2, [Implement, Docstring] },

        // Real code: only the docstring, and not when there is one.
        { "def area(width, height):\n    return width * height\n", 1, [Docstring] },
        { "def area(width, height):\n    \"\"\"The area.\"\"\"\n    return width * height\n", 0, [] },

        // Classes get a docstring, methods are functions of their own.
        { "class Shape:\n    sides = 0\n", 0, [Docstring] },
        { "class Shape:\n    \"\"\"A shape.\"\"\"\n\n    def area(self):\n        pass\n", 4, [Implement, Docstring] },
        { "class Shape:\n    \"\"\"A shape.\"\"\"\n\n    def area(self):\n        pass\n", 1, [] },

        // TODO comments, alone on their line.
        { "def load(path):\n    \"\"\"Load.\"\"\"\n    # TODO: parse the header\n    return None\n", 2, [Todo] },
        { "# TODO\nx = 1\n", 0, [Todo] },
        { "x = 1  # TODO: not alone on its line\n", 0, [] },
        { "# TODOS are not a TODO\n", 0, [] },
        { "text = \"\"\"\n# TODO: inside a string\n\"\"\"\n", 1, [] },

        // Elsewhere: nothing.
        { "import os\n\nx = 1\n", 2, [] },
        { "import os\n\ndef area(width, height):\n    pass\n", 0, [] },
    };

    [Theory]
    [MemberData(nameof(Offers))]
    public async Task CodeActionsAreOfferedOnTheRightLinesAndNotElsewhere(string source, int line, string[] expected)
    {
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(Settings());
        var uri = LspTestClient.FileUri("shapes.py");
        await client.OpenAsync(uri, source);
        var response = await CodeActionsAsync(client, uri, line);
        Assert.Equal(expected.Order(), Titles(response).Order());

        // Offers carry no edit, only the data resolve needs.
        foreach (var action in response.GetProperty("result").EnumerateArray())
        {
            Assert.False(action.TryGetProperty("edit", out _));
            Assert.Equal("refactor.rewrite", action.GetProperty("kind").GetString());
            var data = action.GetProperty("data");
            Assert.Equal(uri, data.GetProperty("uri").GetString());
            Assert.Equal(1, data.GetProperty("version").GetInt32());
        }
    }

    [Fact]
    public async Task TheCapabilityIsAdvertisedAndOnlyFiltersByKind()
    {
        await using var client = LspTestClient.Start();
        var initialize = await client.InitializeAsync(Settings());
        var provider = initialize.GetProperty("result").GetProperty("capabilities").GetProperty("codeActionProvider");
        Assert.True(provider.GetProperty("resolveProvider").GetBoolean());
        Assert.Equal(["refactor.rewrite"], provider.GetProperty("codeActionKinds").EnumerateArray().Select(k => k.GetString()));

        var uri = LspTestClient.FileUri("a.py");
        await client.OpenAsync(uri, "def f():\n    pass\n");
        Assert.Equal(2, Titles(await CodeActionsAsync(client, uri, 0, only: ["refactor"])).Length);
        Assert.Empty(Titles(await CodeActionsAsync(client, uri, 0, only: ["quickfix"])));

        // Not Python: nothing.
        var text = LspTestClient.FileUri("notes.txt");
        await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri = text, languageId = "plaintext", version = 1, text = "def f():\n    pass\n" } });
        Assert.Empty(Titles(await CodeActionsAsync(client, text, 0)));
    }

    // The shipped tiny model writes bodies in four spaces; in a file indented with tabs it writes nothing that passes
    // the checks, so a remote model that answers in spaces shows the conversion there.
    [Theory]
    [InlineData("    ")]
    [InlineData("\t")]
    public async Task ImplementingReplacesTheStubWithABodyIndentedLikeTheFile(string indent)
    {
        var source = $"import math\n\n\nclass Circle:\n{indent}def __init__(self, radius):\n{indent}{indent}self.radius = radius\n\n{indent}def area(self):\n{indent}{indent}\"\"\"Return the area of the circle.\"\"\"\n{indent}{indent}pass\n\n\ndef main():\n{indent}print(Circle(2).area())\n";
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.OpenAiCompletion("r = self.radius\n        return math.pi * r * r\n"));
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(indent == "\t" ? RemoteSettings() : Settings());
        var uri = LspTestClient.FileUri("circle.py");
        await client.OpenAsync(uri, source);
        var offered = Action(await CodeActionsAsync(client, uri, 9), indent == "\t" ? "Implement function with coder (openai)" : Implement);
        var resolved = await client.RequestAsync("codeAction/resolve", offered);
        Assert.True(resolved.TryGetProperty("result", out var action), resolved.GetRawText());

        var after = Apply(source, action, uri);
        var outline = PythonOutline.Analyze(after);
        var area = Assert.Single(outline.Definitions, d => after.Split('\n')[d.Header.First].Contains("def area", StringComparison.Ordinal));
        Assert.Null(area.Stub);
        var body = after.Split('\n')[(area.Header.Last + 1)..(area.Body.Last + 1)].Where(line => line.Trim().Length > 0).ToList();
        Assert.NotEmpty(body);
        Assert.All(body, line => Assert.StartsWith(indent + indent, line));
        Assert.All(body, line => Assert.True(Indentation.LeadingText(line).All(c => c == indent[0]), $"mixed indentation: '{line}'"));

        // The code around it is untouched.
        Assert.StartsWith(source[..source.IndexOf(indent + indent + "pass", StringComparison.Ordinal)], after);
        Assert.EndsWith("\n\n\ndef main():\n" + indent + "print(Circle(2).area())\n", after);
    }

    [Fact]
    public async Task ResolveUsesTheRemoteFallbackWhenOneIsConfigured()
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.OpenAiCompletion("result = width * height\n    return result\n"));
        const string source = "def area(width, height):\n    \"\"\"The area of a rectangle.\"\"\"\n    raise NotImplementedError\n\n\nprint(area(2, 3))\n";
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(RemoteSettings(), documentChanges: true);
        var uri = LspTestClient.FileUri("area.py");
        await client.OpenAsync(uri, source);
        var offers = await CodeActionsAsync(client, uri, 2);
        var offered = Action(offers, "Implement function with coder (openai)");
        var resolved = (await client.RequestAsync("codeAction/resolve", offered)).GetProperty("result");

        // Versioned documentChanges, since the client takes them.
        var change = resolved.GetProperty("edit").GetProperty("documentChanges")[0];
        Assert.Equal(1, change.GetProperty("textDocument").GetProperty("version").GetInt32());
        var after = Apply(source, resolved, uri);
        Assert.Equal("def area(width, height):\n    \"\"\"The area of a rectangle.\"\"\"\n    result = width * height\n    return result\n\n\nprint(area(2, 3))\n", after);

        // The fallback got a FIM prompt: the text up to the stub, and what follows it.
        var request = _server.Last.Json;
        Assert.EndsWith("\"\"\"The area of a rectangle.\"\"\"\n    ", request.GetProperty("prompt").GetString());
        Assert.StartsWith("\n\n\nprint(area(2, 3))", request.GetProperty("suffix").GetString());
    }

    [Fact]
    public async Task WriteDocstringInsertsAQuotedDocstringAfterTheHeader()
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.OpenAiCompletion("Return the area of a rectangle.\"\"\"\n"));
        const string source = "class Shapes:\n    def area(self, width, height):\n        return width * height\n";
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(RemoteSettings());
        var uri = LspTestClient.FileUri("shapes.py");
        await client.OpenAsync(uri, source);
        var offered = Action(await CodeActionsAsync(client, uri, 2), Docstring);
        var resolved = (await client.RequestAsync("codeAction/resolve", offered)).GetProperty("result");
        Assert.True(resolved.GetProperty("edit").TryGetProperty("changes", out _));
        Assert.Equal(
            "class Shapes:\n    def area(self, width, height):\n        \"\"\"Return the area of a rectangle.\"\"\"\n        return width * height\n",
            Apply(source, resolved, uri));
    }

    [Fact]
    public async Task CompleteTodoReplacesThePlaceholderAfterTheComment()
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.OpenAiCompletion("return sorted(items, key=len)\n"));
        const string source = "def order(items):\n    # TODO: sort by length\n    pass\n";
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(RemoteSettings());
        var uri = LspTestClient.FileUri("order.py");
        await client.OpenAsync(uri, source);
        var offered = Action(await CodeActionsAsync(client, uri, 1), Todo);
        var resolved = (await client.RequestAsync("codeAction/resolve", offered)).GetProperty("result");
        Assert.Equal("def order(items):\n    # TODO: sort by length\n    return sorted(items, key=len)\n", Apply(source, resolved, uri));
    }

    [Fact]
    public async Task ResolvingAfterTheDocumentChangedIsAnError()
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.OpenAiCompletion("return 1\n"));
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(RemoteSettings());
        var uri = LspTestClient.FileUri("stale.py");
        await client.OpenAsync(uri, "def one():\n    pass\n");
        var offered = Action(await CodeActionsAsync(client, uri, 0), "Implement function with coder (openai)");
        await client.NotifyAsync("textDocument/didChange", new
        {
            textDocument = new { uri, version = 2 },
            contentChanges = new object[] { new { text = "def one():\n    return 1\n" } },
        });
        var resolved = await client.RequestAsync("codeAction/resolve", offered);
        Assert.Equal(LspErrorCodes.RequestFailed, ErrorCode(resolved));
        Assert.Contains("changed", resolved.GetProperty("error").GetProperty("message").GetString());
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task AGenerationThatYieldsNothingIsAnErrorNotAnEmptyEdit()
    {
        // The fallback answers only the placeholder again, and there is no local model to try.
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.OpenAiCompletion("pass\n"));
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(RemoteSettings(model: Path.Combine(Path.GetTempPath(), "no-such-model.gguf")));
        var uri = LspTestClient.FileUri("empty.py");
        await client.OpenAsync(uri, "def one():\n    pass\n");
        var offered = Action(await CodeActionsAsync(client, uri, 0), "Implement function with coder (openai)");
        var resolved = await client.RequestAsync("codeAction/resolve", offered);
        Assert.Equal(LspErrorCodes.RequestFailed, ErrorCode(resolved));
        Assert.Contains("nothing usable", resolved.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task AFailingFallbackLeavesTheActionToTheLocalModelAndCountsApartFromCompletions()
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, """{"error":"down"}""", 500);
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(RemoteSettings());
        var uri = LspTestClient.FileUri("failing.py");
        await client.OpenAsync(uri, CircleSource);
        var offered = Action(await CodeActionsAsync(client, uri, 9), "Implement function with coder (openai)");
        var response = await client.RequestAsync("codeAction/resolve", offered);
        Assert.True(response.TryGetProperty("result", out var resolved), response.GetRawText());
        var after = Apply(CircleSource, resolved, uri);
        Assert.Null(PythonOutline.Analyze(after).Definitions.Single(d => after.Split('\n')[d.Header.First].Contains("def area", StringComparison.Ordinal)).Stub);

        // One greedy call (its sampled calls beside it are cancelled when it fails).
        Assert.Single(_server.Requests, r => !r.Json.TryGetProperty("seed", out _));

        var stats = (await client.RequestAsync(CodeAssistMethods.Stats, null)).GetProperty("result");
        var actions = stats.GetProperty("codeActions");
        Assert.Equal(1, actions.GetProperty("tiers").GetProperty("fallback").GetProperty("calls").GetInt64());
        Assert.Equal(0, actions.GetProperty("tiers").GetProperty("fallback").GetProperty("answers").GetInt64());
        Assert.Equal(1, actions.GetProperty("tiers").GetProperty("local").GetProperty("answers").GetInt64());
        Assert.Equal(1, actions.GetProperty("failed").GetInt64());
        Assert.Equal(0, actions.GetProperty("used").GetInt64());
        Assert.Equal(1, actions.GetProperty("failures").GetProperty("http-500").GetInt64());

        // Completions' counters saw none of it.
        Assert.Equal(0, stats.GetProperty("tiers").GetProperty("fallback").GetProperty("calls").GetInt64());
        Assert.Equal(0, stats.GetProperty("tiers").GetProperty("local").GetProperty("calls").GetInt64());
        Assert.False(stats.GetProperty("fallback").GetProperty("failures").TryGetProperty("http-500", out _));
    }

    [Fact]
    public async Task AFallbackPastTheCodeActionDeadlineIsNotWaitedFor()
    {
        _server.Reply = (context, _) => Task.Delay(TimeSpan.FromSeconds(60), context.RequestAborted);
        var settings = RemoteSettings();
        settings["routing"] = new { codeActionDeadlineMs = 300 };
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(settings);
        var uri = LspTestClient.FileUri("late.py");
        await client.OpenAsync(uri, CircleSource);
        var offered = Action(await CodeActionsAsync(client, uri, 9), "Implement function with coder (openai)");
        var response = await client.RequestAsync("codeAction/resolve", offered);
        Assert.True(response.TryGetProperty("result", out var resolved), response.GetRawText());
        Assert.True(resolved.TryGetProperty("edit", out _), resolved.GetRawText());

        var actions = (await client.RequestAsync(CodeAssistMethods.Stats, null)).GetProperty("result").GetProperty("codeActions");
        Assert.Equal(1, actions.GetProperty("late").GetInt64());
        Assert.Equal(1, actions.GetProperty("tiers").GetProperty("local").GetProperty("answers").GetInt64());
    }

    [Fact]
    public async Task WhenNoTierWritesAnythingTheErrorSaysWhyForEach()
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, """{"error":"down"}""", 500);
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(RemoteSettings(model: Path.Combine(Path.GetTempPath(), "no-such-model.gguf")));
        var uri = LspTestClient.FileUri("nothing.py");
        await client.OpenAsync(uri, "def one():\n    pass\n");
        var offered = Action(await CodeActionsAsync(client, uri, 0), "Implement function with coder (openai)");
        var resolved = await client.RequestAsync("codeAction/resolve", offered);
        Assert.Equal(LspErrorCodes.RequestFailed, ErrorCode(resolved));
        var message = resolved.GetProperty("error").GetProperty("message").GetString()!;
        Assert.Contains("coder", message, StringComparison.Ordinal);
        Assert.Contains("500", message, StringComparison.Ordinal);
        Assert.Contains("no local model", message, StringComparison.Ordinal);
        Assert.True((await client.RequestAsync("shutdown", null)).TryGetProperty("result", out _));
    }

    [Fact]
    public async Task ResolveWithoutOurDataIsInvalidParams()
    {
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(Settings());
        var resolved = await client.RequestAsync("codeAction/resolve", new { title = "Something else", data = new { foo = 1 } });
        Assert.Equal(LspErrorCodes.InvalidParams, ErrorCode(resolved));
    }

    [Fact]
    public async Task CancellingAResolveAnswersRequestCancelledAndAbortsTheRemoteCall()
    {
        _server.Reply = (context, _) => Task.Delay(TimeSpan.FromSeconds(60), context.RequestAborted);
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(RemoteSettings());
        var uri = LspTestClient.FileUri("slow.py");
        await client.OpenAsync(uri, "def slow():\n    pass\n");
        var offered = Action(await CodeActionsAsync(client, uri, 0), "Implement function with coder (openai)");
        var (id, response) = await client.StartRequestAsync("codeAction/resolve", offered);
        Assert.True(await _server.NextArrivalAsync(TimeSpan.FromSeconds(20)), "the resolve never reached the fallback");
        await client.CancelAsync(id);
        Assert.Equal(LspErrorCodes.RequestCancelled, ErrorCode(await response));
        Assert.True(await _server.NextDisconnectAsync(TimeSpan.FromSeconds(10)), "the remote call was not aborted");
        Assert.True((await client.RequestAsync("shutdown", null)).TryGetProperty("result", out _));
    }

    // The fallback answers by seed: the greedy call and four samples, two of which the checks reject and one of
    // which differs from the greedy answer only in spacing.
    private void ReplyBySeed()
    {
        _server.Reply = (context, request) =>
        {
            var text = request.Json.TryGetProperty("seed", out var seed) ? seed.GetInt32() switch
            {
                1 => "return height * width",
                2 => "return  width *  height",
                3 => "return wdth",
                _ => "pass",
            } : "return width * height";
            return FakeModelServer.WriteJsonAsync(context, WireReplies.OpenAiCompletion(text));
        };
    }

    private static Task ChangeAsync(LspTestClient client, string uri, int version, string text) =>
        client.NotifyAsync("textDocument/didChange", new { textDocument = new { uri, version }, contentChanges = new[] { new { text } } });

    [Fact]
    public async Task AnotherCandidateThatPassedIsOfferedAsAnAlternativeAndWrittenWhenPicked()
    {
        ReplyBySeed();
        const string source = "def area(width, height):\n    \"\"\"Return the area of a rectangle.\"\"\"\n    raise NotImplementedError\n\n\nprint(area(2, 3))\n";
        await using var client = LspTestClient.Start();
        await client.InitializeAsync(RemoteSettings());
        var uri = LspTestClient.FileUri("alternatives.py");
        await client.OpenAsync(uri, source);

        // No alternative before anything was written.
        Assert.DoesNotContain(Titles(await CodeActionsAsync(client, uri, 0)), t => t.Contains("alternative", StringComparison.Ordinal));
        var resolved = (await client.RequestAsync("codeAction/resolve", Action(await CodeActionsAsync(client, uri, 0), "Implement function with coder (openai)"))).GetProperty("result");
        var first = Apply(source, resolved, uri);
        Assert.Contains("    return width * height\n", first, StringComparison.Ordinal);
        await ChangeAsync(client, uri, 2, first);

        // Of the four samples one passed and differs (after spacing) from what was written: alternative 2, on the
        // def line and in the body, not elsewhere.
        var offered = await CodeActionsAsync(client, uri, 1);
        Assert.Equal(["Implement function (alternative 2)"], Titles(offered).Where(t => t.Contains("alternative", StringComparison.Ordinal)));
        Assert.DoesNotContain(Titles(await CodeActionsAsync(client, uri, 5)), t => t.Contains("alternative", StringComparison.Ordinal));
        var second = Apply(first, (await client.RequestAsync("codeAction/resolve", Action(offered, "Implement function (alternative 2)"))).GetProperty("result"), uri);
        Assert.Equal(source.Replace("raise NotImplementedError", "return height * width", StringComparison.Ordinal), second);
        await ChangeAsync(client, uri, 3, second);

        // Now the first one is the alternative.
        var back = await CodeActionsAsync(client, uri, 0);
        Assert.Equal(["Implement function (alternative 1)"], Titles(back).Where(t => t.Contains("alternative", StringComparison.Ordinal)));

        // An edit of the written code ends the offer; a stale alternative fails with a reason.
        await ChangeAsync(client, uri, 4, second.Replace("height * width", "height * width * 1", StringComparison.Ordinal));
        Assert.DoesNotContain(Titles(await CodeActionsAsync(client, uri, 1)), t => t.Contains("alternative", StringComparison.Ordinal));
        var stale = Action(back, "Implement function (alternative 1)");
        var refused = await client.RequestAsync("codeAction/resolve", stale);
        Assert.Equal(LspErrorCodes.RequestFailed, ErrorCode(refused));
    }

    [Fact]
    public async Task WhenNoCandidatePassesTheErrorSaysWhichChecksFailedAndSuggestsALargerTier()
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.OpenAiCompletion("return wdth"));
        const string source = "def area(width, height):\n    \"\"\"Return the area of a rectangle.\"\"\"\n    raise NotImplementedError\n";
        await using var client = LspTestClient.Start();
        var settings = RemoteSettings(CodeAssist.Tests.Gguf.TestModel.Get(new CodeAssist.Tests.Gguf.TestModelOptions { OutputScale = 4f, Seed = 77 }).Path);
        await client.InitializeAsync(settings);
        var uri = LspTestClient.FileUri("rejected.py");
        await client.OpenAsync(uri, source);
        var response = await client.RequestAsync("codeAction/resolve", Action(await CodeActionsAsync(client, uri, 0), "Implement function with coder (openai)"));

        Assert.Equal(LspErrorCodes.RequestFailed, ErrorCode(response));
        var message = response.GetProperty("error").GetProperty("message").GetString()!;
        Assert.Contains("coder: none of its 5 candidates passed the checks: names 5 (e.g. 'wdth' is not bound)", message, StringComparison.Ordinal);
        Assert.EndsWith("a larger fallback model may do better", message, StringComparison.Ordinal);
    }
}
