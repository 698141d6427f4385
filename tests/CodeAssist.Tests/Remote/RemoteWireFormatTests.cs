using System.Text.Json;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Remote;
using CodeAssist.Server.Prompting;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Remote;

[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class RemoteWireFormatTests : IAsyncLifetime
{
    private FakeModelServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeModelServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static CompletionRequest Request(string prefix = "def add(a, b):\n    return ", string suffix = "\n\nprint(add(1, 2))\n") =>
        new(prefix, suffix, 32);

    private RemoteModelOptions Options(RemoteKind kind) => new()
    {
        Kind = kind,
        Endpoint = _server.EndpointFor(kind),
        Model = "coder",
        TimeoutMs = 5000,
    };

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    [Fact]
    public async Task OpenAiServerModeSendsPromptAndSuffixAndReadsTextLogprobsAndUsage()
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.OpenAiCompletion("a + b"));
        using var model = new OpenAiCompatibleModel(Options(RemoteKind.OpenAi) with { Stop = ["\n\n"] });

        var result = await model.CompleteAsync(Request(), CancellationToken.None);

        var sent = _server.Last;
        Assert.Equal("POST", sent.Method);
        Assert.Equal("/v1/completions", sent.Path);
        var json = sent.Json;
        Assert.Equal("coder", json.GetProperty("model").GetString());
        Assert.Equal("def add(a, b):\n    return ", json.GetProperty("prompt").GetString());
        Assert.Equal("\n\nprint(add(1, 2))\n", json.GetProperty("suffix").GetString());
        Assert.Equal(32, json.GetProperty("max_tokens").GetInt32());
        Assert.Equal(0, json.GetProperty("temperature").GetDouble());
        Assert.Equal(["\n\n"], Strings(json.GetProperty("stop")));
        Assert.Equal(1, json.GetProperty("logprobs").GetInt32());
        Assert.Null(sent.Authorization);

        Assert.Equal("a + b", result.Text);
        Assert.Equal(2, result.GeneratedTokens);
        Assert.Equal(7, result.PromptTokens);
        Assert.Equal(-1.0, result.MeanLogprob, 6);
        Assert.Equal(-1.5, result.MinLogprob, 6);
        Assert.Equal(StopReason.EndToken, result.StopReason);
        Assert.True(result.Elapsed > TimeSpan.Zero);
    }

    [Fact]
    public async Task OpenAiClientModeRendersTheQwenTemplateAndSendsNoSuffix()
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.OpenAiCompletion("a + b"));
        using var model = new OpenAiCompatibleModel(Options(RemoteKind.OpenAi) with
        {
            FimMode = RemoteFimMode.Client,
            Template = FimFamily.Qwen,
            RequestLogprobs = false,
        });

        await model.CompleteAsync(Request("P", "S"), CancellationToken.None);

        var json = _server.Last.Json;
        Assert.Equal("<|fim_prefix|>P<|fim_suffix|>S<|fim_middle|>", json.GetProperty("prompt").GetString());
        Assert.False(json.TryGetProperty("suffix", out _));
        Assert.False(json.TryGetProperty("logprobs", out _));
        var stops = Strings(json.GetProperty("stop"));
        Assert.Contains("<|endoftext|>", stops);
        Assert.Contains("<|fim_middle|>", stops);
        Assert.Equal(FimFamily.Qwen, model.Description.Template.Family);
    }

    [Fact]
    public async Task OpenAiReadsChatShapedLogprobsAndMissingLogprobsGiveNaN()
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context,
            """{"choices":[{"text":"x","index":0,"logprobs":{"content":[{"token":"x","logprob":-0.25,"bytes":[120],"top_logprobs":[]},{"token":"y","logprob":-0.75}]},"finish_reason":"length"}]}""");
        using var model = new OpenAiCompatibleModel(Options(RemoteKind.OpenAi));
        var withContent = await model.CompleteAsync(Request(), CancellationToken.None);
        Assert.Equal(-0.5, withContent.MeanLogprob, 6);
        Assert.Equal(2, withContent.GeneratedTokens);
        Assert.Equal(StopReason.Length, withContent.StopReason);

        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, """{"choices":[{"text":"x","finish_reason":"stop"}]}""");
        var without = await model.CompleteAsync(Request(), CancellationToken.None);
        Assert.True(double.IsNaN(without.MeanLogprob));
        Assert.True(double.IsNaN(without.MinLogprob));
        Assert.Equal(0, without.GeneratedTokens);
    }

    [Fact]
    public async Task TheBearerHeaderIsSentOnlyWithAKey()
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.OpenAiCompletion("x"));
        using (var keyed = new OpenAiCompatibleModel(Options(RemoteKind.OpenAi) with { ApiKey = "sk-test-123" }))
        {
            await keyed.CompleteAsync(Request(), CancellationToken.None);
            Assert.Equal("Bearer sk-test-123", _server.Last.Authorization);
        }

        using (var anonymous = new OpenAiCompatibleModel(Options(RemoteKind.OpenAi) with { ApiKey = "" }))
        {
            await anonymous.CompleteAsync(Request(), CancellationToken.None);
            Assert.Null(_server.Last.Authorization);
        }
    }

    [Fact]
    public async Task AnErrorMessageNeverContainsTheApiKey()
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, """{"error":{"message":"bad key sk-secret-9"}}""", 401);
        using var model = new OpenAiCompatibleModel(Options(RemoteKind.OpenAi) with { ApiKey = "sk-secret-9" });
        var ex = await Assert.ThrowsAsync<RemoteModelException>(() => model.CompleteAsync(Request(), CancellationToken.None));
        Assert.Equal("http-401", ex.Reason);
        Assert.DoesNotContain("sk-secret-9", ex.Message);
    }

    [Fact]
    public async Task LlamaInfillAlwaysSendsInputSuffix()
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.LlamaInfill("a + b"));
        using var model = new LlamaServerModel(Options(RemoteKind.LlamaCpp) with { Model = null });

        var result = await model.CompleteAsync(Request("x = ", ""), CancellationToken.None);

        var sent = _server.Last;
        Assert.Equal("/infill", sent.Path);
        var json = sent.Json;
        Assert.Equal("x = ", json.GetProperty("input_prefix").GetString());
        Assert.Equal("", json.GetProperty("input_suffix").GetString());
        Assert.Equal(32, json.GetProperty("n_predict").GetInt32());
        Assert.Equal(0, json.GetProperty("temperature").GetDouble());
        Assert.Equal(JsonValueKind.Array, json.GetProperty("stop").ValueKind);
        Assert.False(json.GetProperty("stream").GetBoolean());
        Assert.False(json.TryGetProperty("model", out _));

        Assert.Equal("a + b", result.Text);
        Assert.Equal(4, result.GeneratedTokens);
        Assert.Equal(21, result.PromptTokens);
        Assert.Equal(17, result.ReusedPromptTokens);
        Assert.Equal(StopReason.EndToken, result.StopReason);
        Assert.True(double.IsNaN(result.MeanLogprob));
        Assert.Equal("llamacpp", model.Description.Id);
    }

    [Fact]
    public async Task OllamaGenerateSendsSuffixStreamFalseAndOptions()
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.OllamaGenerate("a + b"));
        using var model = new OllamaModel(Options(RemoteKind.Ollama) with { Temperature = 0.2, Stop = ["\n\n"] });

        var result = await model.CompleteAsync(Request("P", "S"), CancellationToken.None);

        var sent = _server.Last;
        Assert.Equal("/api/generate", sent.Path);
        var json = sent.Json;
        Assert.Equal("coder", json.GetProperty("model").GetString());
        Assert.Equal("P", json.GetProperty("prompt").GetString());
        Assert.Equal("S", json.GetProperty("suffix").GetString());
        Assert.False(json.GetProperty("stream").GetBoolean());
        Assert.False(json.GetProperty("raw").GetBoolean());
        var options = json.GetProperty("options");
        Assert.Equal(32, options.GetProperty("num_predict").GetInt32());
        Assert.Equal(0.2, options.GetProperty("temperature").GetDouble(), 6);
        Assert.Equal(["\n\n"], Strings(options.GetProperty("stop")));

        Assert.Equal("a + b", result.Text);
        Assert.Equal(5, result.GeneratedTokens);
        Assert.Equal(26, result.PromptTokens);
        Assert.Equal(StopReason.EndToken, result.StopReason);
    }

    [Fact]
    public async Task OllamaOmitsAnEmptyStopListSoTheModelfileStopsStay()
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.OllamaGenerate("x"));
        using var model = new OllamaModel(Options(RemoteKind.Ollama));
        await model.CompleteAsync(Request(), CancellationToken.None);
        Assert.False(_server.Last.Json.GetProperty("options").TryGetProperty("stop", out _));
    }

    [Fact]
    public async Task OllamaClientModeSendsTheRenderedTemplateRaw()
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.OllamaGenerate("x"));
        using var model = new OllamaModel(Options(RemoteKind.Ollama) with { FimMode = RemoteFimMode.Client, Template = FimFamily.Qwen });
        await model.CompleteAsync(Request("P", "S"), CancellationToken.None);
        var json = _server.Last.Json;
        Assert.Equal("<|fim_prefix|>P<|fim_suffix|>S<|fim_middle|>", json.GetProperty("prompt").GetString());
        Assert.True(json.GetProperty("raw").GetBoolean());
        Assert.False(json.TryGetProperty("suffix", out _));
    }

    [Fact]
    public async Task StopStringsAndTheStopConditionCutTheText()
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.OpenAiCompletion("a + b\n    x = 1\n<|endoftext|>junk"));
        using var model = new OpenAiCompatibleModel(Options(RemoteKind.OpenAi) with { FimMode = RemoteFimMode.Client, Template = FimFamily.Qwen });

        var marker = await model.CompleteAsync(Request(), CancellationToken.None);
        Assert.Equal("a + b\n    x = 1\n", marker.Text);
        Assert.Equal("a + b\n    x = 1\n<|endoftext|>junk", marker.RawText);

        var oneLine = await model.CompleteAsync(Request() with { StopWhen = text => text.Contains('\n') }, CancellationToken.None);
        Assert.Equal("a + b\n", oneLine.Text);
        Assert.Equal(StopReason.StopCondition, oneLine.StopReason);
    }

    [Fact]
    public void TheDescriptionNamesModelEndpointAndContextAndTokensAreEstimated()
    {
        using var model = new OpenAiCompatibleModel(Options(RemoteKind.OpenAi) with { ContextLength = 8192 });
        Assert.Equal("coder", model.Description.Id);
        Assert.Equal(_server.EndpointFor(RemoteKind.OpenAi).AbsoluteUri.TrimEnd('/'), model.Description.Path);
        Assert.Equal(8192, model.Description.ContextLength);
        Assert.Equal(3, model.CountTokens("0123456789"));
        Assert.Equal(0, model.CountTokens(""));
    }

    [Theory]
    [InlineData(RemoteKind.OpenAi)]
    [InlineData(RemoteKind.LlamaCpp)]
    [InlineData(RemoteKind.Ollama)]
    public async Task SampledCandidatesAreSeededCallsBesideTheGreedyOne(RemoteKind kind)
    {
        // Each call answers with its seed, so the candidates say which call made them.
        _server.Reply = (context, request) =>
        {
            var json = request.Json;
            var options = kind == RemoteKind.Ollama ? json.GetProperty("options") : json;
            var text = options.TryGetProperty("seed", out var seed) ? $"sample{seed.GetInt32()}" : "greedy";
            return FakeModelServer.WriteJsonAsync(context, kind switch
            {
                RemoteKind.OpenAi => WireReplies.OpenAiCompletion(text),
                RemoteKind.LlamaCpp => WireReplies.LlamaInfill(text),
                _ => WireReplies.OllamaGenerate(text),
            });
        };
        using var model = RemoteModel.Create(Options(kind));
        var sampling = new SamplingOptions(Count: 10, Temperature: 0.7, TopP: 0.9, Seed: 5, Budget: TimeSpan.FromSeconds(10));

        var result = await model.CompleteAsync(Request() with { Sampling = sampling }, CancellationToken.None);

        Assert.Equal("greedy", result.Text);
        Assert.Equal(["sample5", "sample6", "sample7", "sample8"], result.Alternatives.Select(a => a.Text).Order(StringComparer.Ordinal));
        Assert.Equal(1 + RemoteModel.MaxSamples, _server.Requests.Count);
        foreach (var sent in _server.Requests.Select(r => kind == RemoteKind.Ollama ? r.Json.GetProperty("options") : r.Json))
        {
            if (sent.TryGetProperty("seed", out _))
            {
                Assert.Equal(0.7, sent.GetProperty("temperature").GetDouble(), 6);
                Assert.Equal(0.9, sent.GetProperty("top_p").GetDouble(), 6);
            }
            else
            {
                Assert.False(sent.TryGetProperty("top_p", out _));
            }
        }
    }

    [Fact]
    public async Task ASampleThatFailsOrIsLateIsLeftOutAndTheGreedyAnswerStands()
    {
        _server.Reply = async (context, request) =>
        {
            var seed = request.Json.TryGetProperty("seed", out var value) ? value.GetInt32() : -1;
            if (seed == 1)
            {
                await FakeModelServer.WriteJsonAsync(context, """{"error":"boom"}""", 500);
                return;
            }

            if (seed == 2)
            {
                await Task.Delay(TimeSpan.FromSeconds(20), context.RequestAborted);
            }

            await FakeModelServer.WriteJsonAsync(context, WireReplies.OpenAiCompletion(seed < 0 ? "greedy" : $"sample{seed}"));
        };
        using var model = RemoteModel.Create(Options(RemoteKind.OpenAi));
        var sampling = new SamplingOptions(Count: 3, Temperature: 0.8, TopP: 0.95, Seed: 1, Budget: TimeSpan.FromMilliseconds(300));

        var started = System.Diagnostics.Stopwatch.StartNew();
        var result = await model.CompleteAsync(Request() with { Sampling = sampling }, CancellationToken.None);

        Assert.Equal("greedy", result.Text);
        Assert.Equal(["sample3"], result.Alternatives.Select(a => a.Text));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"{started.Elapsed}");
    }

    [Theory]
    [InlineData(RemoteKind.OpenAi)]
    [InlineData(RemoteKind.LlamaCpp)]
    [InlineData(RemoteKind.Ollama)]
    public async Task AnAnswerFarLongerThanAskedForIsCutToTheTokensAskedFor(RemoteKind kind)
    {
        var huge = new string('x', 450_000);
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, kind switch
        {
            RemoteKind.OpenAi => WireReplies.OpenAiCompletion(huge),
            RemoteKind.LlamaCpp => WireReplies.LlamaInfill(huge),
            _ => WireReplies.OllamaGenerate(huge),
        });
        using var model = RemoteModel.Create(Options(kind) with { MaxResponseBytes = 1 << 20 });

        var result = await model.CompleteAsync(Request(), CancellationToken.None);

        Assert.Equal(32 * RemoteModel.MaxCharsPerToken, result.Text.Length);
        Assert.Equal(StopReason.Length, result.StopReason);
    }
}
