using System.Diagnostics;
using System.Text;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Remote;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Remote;

[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class RemoteFaultTests : IAsyncLifetime
{
    private FakeModelServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeModelServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static readonly CompletionRequest Request = new("x = ", "\n", 16);

    private RemoteModel Model(RemoteKind kind, Func<RemoteModelOptions, RemoteModelOptions>? tweak = null, RemoteEndpointPool? pool = null)
    {
        var options = new RemoteModelOptions { Kind = kind, Endpoint = _server.EndpointFor(kind), Model = "coder", TimeoutMs = 3000 };
        return RemoteModel.Create(tweak is null ? options : tweak(options), pool);
    }

    private static async Task<RemoteModelException> FailsAsync(RemoteModel model, string reason)
    {
        var ex = await Assert.ThrowsAsync<RemoteModelException>(() => model.CompleteAsync(Request, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal(reason, ex.Reason);
        Assert.Equal(model.Options.Kind, ex.Kind);
        return ex;
    }

    [Theory]
    [InlineData(RemoteKind.OpenAi)]
    [InlineData(RemoteKind.LlamaCpp)]
    [InlineData(RemoteKind.Ollama)]
    public async Task ADocumentedReplyCompletes(RemoteKind kind)
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.Completion(kind, "42"));
        using var model = Model(kind);
        var result = await model.CompleteAsync(Request, CancellationToken.None);
        Assert.Equal("42", result.Text);
        Assert.Equal(WireReplies.CompletionPath(kind), _server.Last.Path);
        Assert.Equal(RemoteBreakerState.Closed, model.BreakerState);
    }

    [Theory]
    [InlineData(RemoteKind.OpenAi)]
    [InlineData(RemoteKind.LlamaCpp)]
    [InlineData(RemoteKind.Ollama)]
    public async Task ARefusedConnectionIsAConnectionFailure(RemoteKind kind)
    {
        var port = FakeModelServer.FreePort();
        using var model = Model(kind, o => o with { Endpoint = new Uri($"http://127.0.0.1:{port}/v1") });
        var ex = await FailsAsync(model, RemoteModelException.Connection);
        Assert.Contains($"127.0.0.1:{port}", ex.Endpoint);
    }

    [Theory]
    [InlineData(RemoteKind.OpenAi, 500)]
    [InlineData(RemoteKind.LlamaCpp, 500)]
    [InlineData(RemoteKind.Ollama, 500)]
    [InlineData(RemoteKind.OpenAi, 429)]
    [InlineData(RemoteKind.LlamaCpp, 429)]
    [InlineData(RemoteKind.Ollama, 429)]
    public async Task AnErrorStatusIsAFailureNamingTheStatus(RemoteKind kind, int status)
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, """{"error":{"message":"busy"}}""", status);
        using var model = Model(kind);
        var ex = await FailsAsync(model, $"http-{status}");
        Assert.Equal(status, ex.StatusCode);
        Assert.Contains("busy", ex.Message);
    }

    [Theory]
    [InlineData(RemoteKind.OpenAi)]
    [InlineData(RemoteKind.LlamaCpp)]
    [InlineData(RemoteKind.Ollama)]
    public async Task ASlowReplyTimesOutWithinTheTimeout(RemoteKind kind)
    {
        _server.Reply = async (context, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(15), context.RequestAborted);
            await FakeModelServer.WriteJsonAsync(context, WireReplies.Completion(kind, "late"));
        };
        using var model = Model(kind, o => o with { TimeoutMs = 500 });
        var stopwatch = Stopwatch.StartNew();
        await FailsAsync(model, RemoteModelException.Timeout);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromMilliseconds(500 + 2000), $"took {stopwatch.ElapsedMilliseconds} ms");
        Assert.True(await _server.NextDisconnectAsync(TimeSpan.FromSeconds(5)), "the server never saw the client leave");
    }

    [Theory]
    [InlineData(RemoteKind.OpenAi)]
    [InlineData(RemoteKind.LlamaCpp)]
    [InlineData(RemoteKind.Ollama)]
    public async Task MalformedJsonIsABadReply(RemoteKind kind)
    {
        var full = WireReplies.Completion(kind, "42");
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, full[..(full.Length / 2)]);
        using var model = Model(kind);
        await FailsAsync(model, RemoteModelException.BadReply);
    }

    [Theory]
    [InlineData(RemoteKind.OpenAi)]
    [InlineData(RemoteKind.LlamaCpp)]
    [InlineData(RemoteKind.Ollama)]
    public async Task ABodyCutShortOnTheWireIsAConnectionFailure(RemoteKind kind)
    {
        _server.Reply = async (context, _) =>
        {
            var bytes = Encoding.UTF8.GetBytes(WireReplies.Completion(kind, "42"));
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
            await context.Response.Body.FlushAsync();
            context.Abort();
        };
        using var model = Model(kind);
        await FailsAsync(model, RemoteModelException.Connection);
    }

    [Theory]
    [InlineData(RemoteKind.OpenAi)]
    [InlineData(RemoteKind.LlamaCpp)]
    [InlineData(RemoteKind.Ollama)]
    public async Task AReplyWithoutTheTextFieldIsABadReply(RemoteKind kind)
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, """{"choices":[],"done":true,"stop":true,"unknown":{"a":[1,2]}}""");
        using var model = Model(kind);
        var ex = await FailsAsync(model, RemoteModelException.BadReply);
        Assert.Contains("has no", ex.Message);
    }

    [Theory]
    [InlineData(RemoteKind.OpenAi, false)]
    [InlineData(RemoteKind.LlamaCpp, false)]
    [InlineData(RemoteKind.Ollama, false)]
    [InlineData(RemoteKind.OpenAi, true)]
    [InlineData(RemoteKind.LlamaCpp, true)]
    [InlineData(RemoteKind.Ollama, true)]
    public async Task AReplyOverTheCapFailsWithoutBeingRead(RemoteKind kind, bool declaresLength)
    {
        const int cap = 64 * 1024;
        _server.Reply = async (context, _) =>
        {
            var block = Encoding.UTF8.GetBytes(new string(' ', 16 * 1024));
            context.Response.ContentType = "application/json";
            if (declaresLength)
            {
                context.Response.ContentLength = block.Length * 64L;
            }

            for (var i = 0; i < 64; i++)
            {
                await context.Response.Body.WriteAsync(block, context.RequestAborted);
            }
        };
        using var model = Model(kind, o => o with { MaxResponseBytes = cap });
        await FailsAsync(model, RemoteModelException.TooLarge);
    }

    [Fact]
    public async Task TheDefaultCapIsOneMebibyte()
    {
        var text = new string('x', 1024 * 1024);
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.OllamaGenerate(text));
        using var model = Model(RemoteKind.Ollama);
        Assert.Equal(1024 * 1024, model.Options.MaxResponseBytes);
        await FailsAsync(model, RemoteModelException.TooLarge);

        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.OllamaGenerate(text[..(900 * 1024)]));
        // Under the cap the reply is read whole, then cut to the characters the tokens asked for can hold.
        Assert.Equal(Request.MaxTokens * RemoteModel.MaxCharsPerToken, (await model.CompleteAsync(Request, CancellationToken.None)).Text.Length);
    }

    [Theory]
    [InlineData(RemoteKind.OpenAi)]
    [InlineData(RemoteKind.LlamaCpp)]
    [InlineData(RemoteKind.Ollama)]
    public async Task TheBreakerOpensAfterConsecutiveFailuresAndThenFailsFastWithoutCallingTheServer(RemoteKind kind)
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, "{}", 500);
        using var model = Model(kind, o => o with { BreakerFailures = 3 });
        for (var i = 0; i < 3; i++)
        {
            await FailsAsync(model, "http-500");
        }

        Assert.Equal(RemoteBreakerState.Open, model.BreakerState);
        var stopwatch = Stopwatch.StartNew();
        await FailsAsync(model, RemoteModelException.BreakerOpen);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1));
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task TheBreakerLetsATrialThroughAfterTheBreakAndClosesOnSuccess()
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, "{}", 503);
        using var model = Model(RemoteKind.Ollama, o => o with { BreakerFailures = 2, BreakerDuration = TimeSpan.FromMilliseconds(500) });
        await FailsAsync(model, "http-503");
        await FailsAsync(model, "http-503");
        await FailsAsync(model, RemoteModelException.BreakerOpen);

        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, WireReplies.OllamaGenerate("back"));
        await Task.Delay(TimeSpan.FromMilliseconds(800));
        var result = await model.CompleteAsync(Request, CancellationToken.None);
        Assert.Equal("back", result.Text);
        Assert.Equal(RemoteBreakerState.Closed, model.BreakerState);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task ModelsOnOneEndpointShareAPooledBreaker()
    {
        _server.Reply = (context, _) => FakeModelServer.WriteJsonAsync(context, "{}", 500);
        using var pool = new RemoteEndpointPool();
        using var first = Model(RemoteKind.OpenAi, pool: pool);
        using var second = Model(RemoteKind.OpenAi, o => o with { Model = "other" }, pool);
        for (var i = 0; i < 3; i++)
        {
            await FailsAsync(first, "http-500");
        }

        await FailsAsync(second, RemoteModelException.BreakerOpen);
        Assert.Equal(RemoteBreakerState.Open, second.BreakerState);
    }

    [Fact]
    public async Task ASuccessBetweenFailuresKeepsTheBreakerClosed()
    {
        var calls = 0;
        _server.Reply = (context, _) => Interlocked.Increment(ref calls) == 3
            ? FakeModelServer.WriteJsonAsync(context, WireReplies.OpenAiCompletion("ok"))
            : FakeModelServer.WriteJsonAsync(context, "{}", 500);
        using var model = Model(RemoteKind.OpenAi, o => o with { BreakerFailures = 3 });
        await FailsAsync(model, "http-500");
        await FailsAsync(model, "http-500");
        await model.CompleteAsync(Request, CancellationToken.None);
        await FailsAsync(model, "http-500");
        Assert.Equal(RemoteBreakerState.Closed, model.BreakerState);
    }

    [Theory]
    [InlineData(RemoteKind.OpenAi)]
    [InlineData(RemoteKind.LlamaCpp)]
    [InlineData(RemoteKind.Ollama)]
    public async Task CancellingAbortsTheRequestAndIsNotAFailure(RemoteKind kind)
    {
        _server.Reply = async (context, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(15), context.RequestAborted);
            await FakeModelServer.WriteJsonAsync(context, WireReplies.Completion(kind, "late"));
        };
        using var model = Model(kind, o => o with { TimeoutMs = 10_000, BreakerFailures = 2 });
        for (var i = 0; i < 2; i++)
        {
            using var cts = new CancellationTokenSource();
            var call = model.CompleteAsync(Request, cts.Token);
            Assert.True(await _server.NextArrivalAsync(TimeSpan.FromSeconds(5)), "the request never arrived");
            var stopwatch = Stopwatch.StartNew();
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(5)));
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"took {stopwatch.ElapsedMilliseconds} ms");
            Assert.True(await _server.NextDisconnectAsync(TimeSpan.FromSeconds(5)), "the server never saw the client leave");
        }

        Assert.Equal(RemoteBreakerState.Closed, model.BreakerState);
    }

    [Fact]
    public async Task AnErrorNamesTheEndpointByHostAndNeverShowsItsPathOrTheKey()
    {
        // The server's error page echoes the path it was asked for, as many do.
        _server.Reply = (context, request) => FakeModelServer.WriteJsonAsync(context, $$"""{"error":"Cannot POST {{request.Path}}"}""", 500);
        using var model = Model(RemoteKind.OpenAi, o => o with { ApiKey = "sk-never-shown" });
        var ex = await FailsAsync(model, "http-500");
        Assert.Equal($"http://127.0.0.1:{_server.BaseAddress.Port}", ex.Endpoint);
        Assert.DoesNotContain("sk-never-shown", ex.ToString());
        Assert.DoesNotContain("/v1", ex.Message);
        Assert.Contains("…/completions", ex.Message);
    }
}
