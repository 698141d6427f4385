using System.Text.Json;
using CodeAssist.Server.Inference.Remote;
using CodeAssist.Server.Protocol;
using CodeAssist.Tests.Models;
using CodeAssist.Tests.Remote;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Lsp;

/// <summary>
/// Select Fallback Model offers what the user already runs: the models of the configured Ollama server
/// (<c>/api/tags</c>) or OpenAI-compatible one (<c>/v1/models</c>), each marked by whether its name says a code model
/// that fills in the middle; picking one makes the fallback call that model. Real HTTP servers on 127.0.0.1.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Protocol)]
public sealed class ServedModelsProtocolTests
{
    private const string Source = "import os\n\n\ndef read_config(path):\n    with open(path) as handle:\n        return handle.read()\n";

    // The reply documented for Ollama's GET /api/tags (fields we do not read included).
    private static readonly string OllamaTags = JsonSerializer.Serialize(new
    {
        models = new object[]
        {
            Tag("qwen2.5-coder:1.5b-base", 986_000_000),
            Tag("qwen2.5-coder:7b-instruct", 4_680_000_000),
            Tag("llama3.2:3b", 2_020_000_000),
            Tag("codellama:7b-code", 3_830_000_000),
            Tag("starcoder2:3b", 1_710_000_000),
        },
    });

    private static object Tag(string name, long size) => new
    {
        name,
        model = name,
        modified_at = "2024-10-01T10:00:00.000000000Z",
        size,
        digest = "sha256:" + new string('a', 64),
        details = new { parent_model = "", format = "gguf", family = "qwen2", families = new[] { "qwen2" }, parameter_size = "1.5B", quantization_level = "Q4_K_M" },
    };

    private static Dictionary<string, object?> Settings(object fallback) => new()
    {
        ["model"] = RepositoryPaths.TinyModel,
        ["threads"] = 1,
        ["contextSize"] = 512,
        ["maxTokens"] = 16,
        ["debounceMs"] = 0,
        ["fallback"] = fallback,
    };

    private static async Task<LspTestClient> StartAsync(object fallback)
    {
        var client = LspTestClient.Start();
        await client.InitializeAsync(Settings(fallback));
        return client;
    }

    private static JsonElement[] Fallbacks(JsonElement response) =>
        [.. response.GetProperty("result").EnumerateArray().Where(m => m.GetProperty("tier").GetString() == "fallback")];

    private static JsonElement Entry(JsonElement[] models, string id) => Assert.Single(models, m => m.GetProperty("id").GetString() == id);

    [Fact]
    public async Task TheOllamaServersModelsAreListedAndTheFimCodeModelsMarkedByName()
    {
        await using var fake = await FakeModelServer.StartAsync();
        fake.Reply = (context, request) => request.Path == "/api/tags"
            ? FakeModelServer.WriteJsonAsync(context, OllamaTags)
            : FakeModelServer.WriteJsonAsync(context, """{"error":"not here"}""", 404);
        var endpoint = fake.EndpointFor(RemoteKind.Ollama).AbsoluteUri;
        await using var client = await StartAsync(new { kind = "ollama", endpoint, model = "qwen2.5-coder:1.5b-base" });

        var models = Fallbacks(await client.ExecuteCommandAsync("codeAssist.listModels", new { tier = "fallback" }));
        Assert.Contains(fake.Requests, r => r.Method == "GET" && r.Path == "/api/tags");

        // The configured model once, active; the others as the server lists them, with their size on the server.
        var configured = Entry(models, "remote:qwen2.5-coder:1.5b-base");
        Assert.True(configured.GetProperty("active").GetBoolean());
        Assert.Single(models, m => m.GetProperty("active").GetBoolean());

        var starcoder = Entry(models, "remote:starcoder2:3b");
        Assert.True(starcoder.GetProperty("fim").GetBoolean());
        Assert.Equal("starcoder", starcoder.GetProperty("family").GetString());
        Assert.Equal("FIM code model, by its name", starcoder.GetProperty("note").GetString());
        Assert.Equal(1_710_000_000, starcoder.GetProperty("sizeBytes").GetInt64());
        Assert.Equal(endpoint, starcoder.GetProperty("endpoint").GetString());
        Assert.Equal("starcoder2:3b (ollama)", starcoder.GetProperty("label").GetString());

        Assert.True(Entry(models, "remote:codellama:7b-code").GetProperty("fim").GetBoolean());
        var chat = Entry(models, "remote:qwen2.5-coder:7b-instruct");
        Assert.False(chat.GetProperty("fim").GetBoolean());
        Assert.Contains("chat fine-tune", chat.GetProperty("note").GetString(), StringComparison.Ordinal);
        var general = Entry(models, "remote:llama3.2:3b");
        Assert.False(general.GetProperty("fim").GetBoolean());
        Assert.Equal("not a FIM code model, by its name", general.GetProperty("note").GetString());
    }

    [Fact]
    public async Task AnOpenAiCompatibleServersModelsComeFromV1Models()
    {
        await using var fake = await FakeModelServer.StartAsync();
        fake.Reply = (context, request) => request.Path == "/v1/models"
            ? FakeModelServer.WriteJsonAsync(context, """
                {"object": "list", "data": [
                  {"id": "Qwen/Qwen2.5-Coder-1.5B", "object": "model", "created": 1727000000, "owned_by": "vllm", "max_model_len": 32768},
                  {"id": "meta-llama/Llama-3.1-8B-Instruct", "object": "model", "created": 1727000000, "owned_by": "vllm"}]}
                """)
            : FakeModelServer.WriteJsonAsync(context, """{"error":"not here"}""", 404);
        var endpoint = fake.EndpointFor(RemoteKind.OpenAi).AbsoluteUri;
        await using var client = await StartAsync(new { kind = "openai", endpoint, model = "Qwen/Qwen2.5-Coder-1.5B" });

        var models = Fallbacks(await client.ExecuteCommandAsync("codeAssist.listModels", new { tier = "fallback" }));
        Assert.Contains(fake.Requests, r => r.Method == "GET" && r.Path == "/v1/models");
        Assert.True(Entry(models, "remote:Qwen/Qwen2.5-Coder-1.5B").GetProperty("active").GetBoolean());
        var llama = Entry(models, "remote:meta-llama/Llama-3.1-8B-Instruct");
        Assert.False(llama.GetProperty("fim").GetBoolean());
        Assert.False(llama.GetProperty("active").GetBoolean());
        Assert.False(llama.TryGetProperty("sizeBytes", out _));
    }

    [Fact]
    public async Task PickingAServerModelMakesTheFallbackCallIt()
    {
        await using var fake = await FakeModelServer.StartAsync();
        fake.Reply = (context, request) => request.Path switch
        {
            "/api/tags" => FakeModelServer.WriteJsonAsync(context, OllamaTags),
            "/api/generate" => FakeModelServer.WriteJsonAsync(context, WireReplies.OllamaGenerate("handle.read()")),
            _ => FakeModelServer.WriteJsonAsync(context, """{"error":"not here"}""", 404),
        };
        var endpoint = fake.EndpointFor(RemoteKind.Ollama).AbsoluteUri;
        await using var client = await StartAsync(new { kind = "ollama", endpoint, model = "qwen2.5-coder:1.5b-base" });
        Assert.NotEmpty(Fallbacks(await client.ExecuteCommandAsync("codeAssist.listModels", new { tier = "fallback" })));

        var selected = await client.ExecuteCommandAsync("codeAssist.selectModel", new { tier = "fallback", id = "remote:starcoder2:3b" });
        Assert.True(selected.TryGetProperty("result", out var result), selected.GetRawText());
        Assert.Equal("starcoder2:3b (ollama)", result.GetProperty("label").GetString());
        Assert.True(result.GetProperty("active").GetBoolean());
        await client.WaitForNotificationAsync(
            CodeAssistMethods.Status,
            s => s.GetProperty("params").GetProperty("tiers").EnumerateArray().Any(t => t.GetProperty("tier").GetString() == "fallback" && t.GetProperty("model").GetString() == "starcoder2:3b (ollama)"));

        // An explicit invocation escalates to the fallback, which now asks the server for the picked model.
        var uri = LspTestClient.FileUri("served.py");
        await client.OpenAsync(uri, Source + "\n\ndef main():\n    return read_config(\"a\")\n");
        await client.InlineCompletionAsync(uri, 8, 0, triggerKind: 1);
        var generate = fake.Requests.Last(r => r.Path == "/api/generate");
        Assert.Equal("starcoder2:3b", generate.Json.GetProperty("model").GetString());

        var relisted = Fallbacks(await client.ExecuteCommandAsync("codeAssist.listModels", new { tier = "fallback" }));
        Assert.True(Entry(relisted, "remote:starcoder2:3b").GetProperty("active").GetBoolean());
        Assert.False(Entry(relisted, "remote:qwen2.5-coder:1.5b-base").GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task AServerThatCannotListItsModelsIsANoteNotAnError()
    {
        await using var fake = await FakeModelServer.StartAsync();
        var endpoint = fake.EndpointFor(RemoteKind.Ollama).AbsoluteUri;
        await using var client = await StartAsync(new { kind = "ollama", endpoint, model = "qwen2.5-coder:1.5b-base" });
        var models = Fallbacks(await client.ExecuteCommandAsync("codeAssist.listModels", new { tier = "fallback" }));
        var configured = Entry(models, "remote:qwen2.5-coder:1.5b-base");
        Assert.Contains("could not list the server's models", configured.GetProperty("note").GetString(), StringComparison.Ordinal);
        Assert.Contains("404", configured.GetProperty("note").GetString(), StringComparison.Ordinal);
        Assert.False(client.Server.IsCompleted);
    }
}
