using System.Text.Json;
using CodeAssist.Server.Protocol;
using CodeAssist.Tests.Testing;
using Nerdbank.Streams;
using StreamJsonRpc;
using StreamJsonRpc.Protocol;
using Xunit.Abstractions;

namespace CodeAssist.Tests.Protocol;

/// <summary>
/// What StreamJsonRpc, configured with <see cref="LspJsonContext"/>, does on the wire. The LSP wiring relies on these facts.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Protocol)]
public sealed class StreamJsonRpcWireTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string ValidInlineCompletionParams = """{"textDocument":{"uri":"file:///w/a.py"},"position":{"line":2,"character":4},"context":{"triggerKind":1}}""";

    private readonly FakeLspServer _target = new();
    private readonly List<IAsyncDisposable> _disposables = [];

    [Fact]
    public async Task TypedClientCallsInlineCompletionAndGetsTheListBack()
    {
        (Stream serverStream, Stream clientStream) = FullDuplexStream.CreatePair();
        JsonRpc server = StartServer(serverStream);
        JsonRpc client = Track(new JsonRpc(new HeaderDelimitedMessageHandler(clientStream, LspJsonContext.CreateFormatter())));
        client.StartListening();

        var request = new InlineCompletionParams
        {
            TextDocument = new TextDocumentIdentifier { Uri = "file:///w/a.py" },
            Position = new Position { Line = 2, Character = 4 },
            Context = new InlineCompletionContext { TriggerKind = InlineCompletionTriggerKind.Invoked },
        };

        InlineCompletionList list = await client.InvokeWithParameterObjectAsync<InlineCompletionList>(
            LspMethods.TextDocumentInlineCompletion, request, CancellationToken.None);

        InlineCompletionItem item = Assert.Single(list.Items);
        Assert.Equal("return 2:4", item.InsertText);
        Assert.Equal("req-1", item.Command?.Arguments?[0].GetString());
        Assert.Equal(request, _target.LastInlineCompletion);
        Assert.False(server.IsDisposed);
    }

    [Fact]
    public async Task WireResultOmitsNullsBecauseTheFormatterGetsTheContextOptions()
    {
        RawLspPeer peer = StartRawServer();

        await peer.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{},"initializationOptions":{"a":[1,2]}}}""");
        JsonElement response = await peer.ReadResponseAsync(1);
        output.WriteLine(response.GetRawText());

        Assert.Equal(
            """{"capabilities":{"textDocumentSync":{"openClose":true,"change":2},"inlineCompletionProvider":{}},"serverInfo":{"name":"fake"}}""",
            response.GetProperty("result").GetRawText());

        // The JsonElement in the params outlives StreamJsonRpc's disposal of the message buffer.
        await Task.Delay(50);
        Assert.Equal(2, _target.LastInitialize?.InitializationOptions?.GetProperty("a")[1].GetInt32());
    }

    [Fact]
    public async Task UnknownMethodIsAnsweredWithMethodNotFound()
    {
        RawLspPeer peer = StartRawServer();

        await peer.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"textDocument/hover","params":{}}""");
        JsonElement response = await peer.ReadResponseAsync(1);
        output.WriteLine(response.GetRawText());

        Assert.Equal(LspErrorCodes.MethodNotFound, response.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Theory]
    [InlineData("missing required field", """{"textDocument":{"uri":"file:///w/a.py"},"context":{"triggerKind":1}}""")]
    [InlineData("null in non-nullable field", """{"textDocument":null,"position":{"line":0,"character":0},"context":{"triggerKind":1}}""")]
    [InlineData("wrong JSON type", """{"textDocument":{"uri":"file:///w/a.py"},"position":{"line":"two","character":0},"context":{"triggerKind":1}}""")]
    public async Task MalformedParamsOfASingleObjectMethodAreAnsweredWithInvocationErrorNotInvalidParams(string what, string badParams)
    {
        RawLspPeer peer = StartRawServer();

        await peer.SendAsync($$"""{"jsonrpc":"2.0","id":1,"method":"textDocument/inlineCompletion","params":{{badParams}}}""");
        JsonElement response = await peer.ReadResponseAsync(1);
        output.WriteLine($"{what}: {response.GetRawText()}");

        // -32000 is StreamJsonRpc's JsonRpcErrorCode.InvocationError; data is CommonErrorData with the stack trace.
        JsonElement error = response.GetProperty("error");
        Assert.Equal(-32000, error.GetProperty("code").GetInt32());
        Assert.Equal("System.Text.Json.JsonException", error.GetProperty("data").GetProperty("type").GetString());
        Assert.Null(_target.LastInlineCompletion);

        // Only that request failed: the connection still serves the next one.
        await peer.SendAsync($$"""{"jsonrpc":"2.0","id":2,"method":"textDocument/inlineCompletion","params":{{ValidInlineCompletionParams}}}""");
        JsonElement next = await peer.ReadResponseAsync(2);
        Assert.True(next.TryGetProperty("result", out _), next.GetRawText());
    }

    [Fact]
    public async Task MalformedParamsCanBeMappedToInvalidParamsByOverridingCreateErrorDetails()
    {
        RawLspPeer peer = StartRawServer(handler => new InvalidParamsJsonRpc(handler));

        await peer.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"textDocument/inlineCompletion","params":{"textDocument":{"uri":"file:///w/a.py"}}}""");
        JsonElement response = await peer.ReadResponseAsync(1);
        output.WriteLine(response.GetRawText());

        Assert.Equal(LspErrorCodes.InvalidParams, response.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task RequestWithoutParamsToASingleObjectMethod()
    {
        RawLspPeer peer = StartRawServer();

        await peer.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"textDocument/inlineCompletion"}""");
        JsonElement response = await peer.ReadResponseAsync(1);
        output.WriteLine(response.GetRawText());

        Assert.Equal(LspErrorCodes.InvalidParams, response.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task LocalRpcExceptionCodeIsSentAsIs()
    {
        RawLspPeer peer = StartRawServer();

        await peer.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"codeAssist/status"}""");
        JsonElement response = await peer.ReadResponseAsync(1);
        output.WriteLine(response.GetRawText());

        JsonElement error = response.GetProperty("error");
        Assert.Equal(LspErrorCodes.ServerNotInitialized, error.GetProperty("code").GetInt32());
        Assert.Equal("Server not initialized.", error.GetProperty("message").GetString());
        Assert.False(error.TryGetProperty("data", out _));
    }

    [Fact]
    public async Task NotificationWithMalformedParamsIsDroppedAndTheConnectionSurvives()
    {
        RawLspPeer peer = StartRawServer();

        await peer.SendAsync("""{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///w/a.py"}}}""");
        await peer.SendAsync("""{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///w/b.py","languageId":"python","version":1,"text":""}}}""");
        await peer.SendAsync($$"""{"jsonrpc":"2.0","id":3,"method":"textDocument/inlineCompletion","params":{{ValidInlineCompletionParams}}}""");

        JsonElement response = await peer.ReadAsync() ?? throw new EndOfStreamException();
        output.WriteLine(response.GetRawText());

        // Nothing is sent for the bad notification; the next message on the wire is the answer to id 3.
        Assert.Equal(3, response.GetProperty("id").GetInt32());
        Assert.Equal(["file:///w/b.py"], _target.Opened);
    }

    [Fact]
    public async Task CancelRequestFromTheClientCancelsTheHandlerAndAnswersRequestCancelled()
    {
        RawLspPeer peer = StartRawServer();

        await peer.SendAsync("""{"jsonrpc":"2.0","id":40,"method":"test/slow"}""");
        await _target.SlowStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await peer.SendAsync("""{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":40}}""");
        JsonElement response = await peer.ReadResponseAsync(40);
        output.WriteLine(response.GetRawText());

        Assert.Equal(LspErrorCodes.RequestCancelled, response.GetProperty("error").GetProperty("code").GetInt32());
        Assert.True(_target.SlowCancelled.Task.IsCompleted);
    }

    [Fact]
    public async Task TypedClientCancellationSendsCancelRequestThatTheServerUnderstands()
    {
        (Stream serverStream, Stream clientStream) = FullDuplexStream.CreatePair();
        StartServer(serverStream);
        JsonRpc client = Track(new JsonRpc(new HeaderDelimitedMessageHandler(clientStream, LspJsonContext.CreateFormatter())));
        client.StartListening();

        using var cts = new CancellationTokenSource();
        Task<string> call = client.InvokeWithCancellationAsync<string>("test/slow", [], cts.Token);
        await _target.SlowStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await _target.SlowCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task NullParamsAreTreatedAsNoParams()
    {
        RawLspPeer peer = StartRawServer();

        await peer.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"shutdown","params":null}""");
        JsonElement response = await peer.ReadResponseAsync(1);

        Assert.Equal(JsonValueKind.Null, response.GetProperty("result").ValueKind);
    }

    [Theory]
    [InlineData(""","params":{}""", true)]
    [InlineData(""","params":{"unknown":1}""", true)]
    [InlineData(""","params":null""", false)]
    [InlineData("", false)]
    public async Task NotificationWithoutParamsOnlyReachesASingleObjectHandlerWhoseParameterIsOptional(string paramsPart, bool deliveredToRequiredParameter)
    {
        RawLspPeer peer = StartRawServer();

        await peer.SendAsync($$"""{"jsonrpc":"2.0","method":"initialized"{{paramsPart}}}""");
        await peer.SendAsync($$"""{"jsonrpc":"2.0","method":"test/optional"{{paramsPart}}}""");
        await peer.SendAsync("""{"jsonrpc":"2.0","id":2,"method":"shutdown"}""");
        await peer.ReadResponseAsync(2);

        Assert.Equal(deliveredToRequiredParameter ? 1 : 0, _target.InitializedCount);
        Assert.Equal(1, _target.OptionalCount);
    }

    [Fact]
    public async Task NullResultIsWrittenAsNull()
    {
        RawLspPeer peer = StartRawServer();

        await peer.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"shutdown"}""");
        JsonElement response = await peer.ReadResponseAsync(1);
        output.WriteLine(response.GetRawText());

        Assert.Equal(JsonValueKind.Null, response.GetProperty("result").ValueKind);
    }

    [Theory]
    [InlineData("not JSON", "{not json")]
    [InlineData("JSON but not an object", "[1,2]")]
    [InlineData("params neither object, array nor null", """{"jsonrpc":"2.0","id":1,"method":"shutdown","params":"text"}""")]
    public async Task MessagesThatCannotBeReadAsJsonRpcCloseTheConnection(string what, string body)
    {
        (Stream serverStream, Stream clientStream) = FullDuplexStream.CreatePair();
        JsonRpc server = StartServer(serverStream);
        var disconnected = new TaskCompletionSource<JsonRpcDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Disconnected += (_, e) => disconnected.TrySetResult(e);
        var peer = new RawLspPeer(clientStream);
        _disposables.Add(peer);

        await peer.SendAsync(body);

        JsonRpcDisconnectedEventArgs e = await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        output.WriteLine($"{what}: {e.Reason}: {e.Description}");
        Assert.Equal(DisconnectedReason.StreamError, e.Reason);
        Assert.Null(await peer.ReadAsync());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (IAsyncDisposable d in _disposables)
        {
            await d.DisposeAsync();
        }
    }

    private JsonRpc StartServer(Stream stream, Func<IJsonRpcMessageHandler, JsonRpc>? create = null)
    {
        var handler = new HeaderDelimitedMessageHandler(stream, LspJsonContext.CreateFormatter());
        JsonRpc server = Track(create?.Invoke(handler) ?? new JsonRpc(handler));
        server.AddLocalRpcTarget(_target);
        server.StartListening();
        return server;
    }

    private RawLspPeer StartRawServer(Func<IJsonRpcMessageHandler, JsonRpc>? create = null)
    {
        (Stream serverStream, Stream clientStream) = FullDuplexStream.CreatePair();
        StartServer(serverStream, create);
        var peer = new RawLspPeer(clientStream);
        _disposables.Add(peer);
        return peer;
    }

    private JsonRpc Track(JsonRpc rpc)
    {
        _disposables.Add(new DisposeAsAsync(rpc));
        return rpc;
    }

    private sealed class DisposeAsAsync(IDisposable inner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            inner.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>What the LSP wiring can do to answer -32602 for params that do not deserialize.</summary>
    private sealed class InvalidParamsJsonRpc(IJsonRpcMessageHandler handler) : JsonRpc(handler)
    {
        protected override JsonRpcError.ErrorDetail CreateErrorDetails(JsonRpcRequest request, Exception exception)
        {
            JsonRpcError.ErrorDetail detail = base.CreateErrorDetails(request, exception);
            if (exception is JsonException)
            {
                detail.Code = (JsonRpcErrorCode)LspErrorCodes.InvalidParams;
                detail.Data = null;
            }

            return detail;
        }
    }
}

/// <summary>A target object with handlers shaped like the real ones.</summary>
public sealed class FakeLspServer
{
    public InlineCompletionParams? LastInlineCompletion { get; private set; }

    public InitializeParams? LastInitialize { get; private set; }

    public List<string> Opened { get; } = [];

    public TaskCompletionSource SlowStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource SlowCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [JsonRpcMethod(LspMethods.Initialize, UseSingleObjectParameterDeserialization = true)]
    public InitializeResult Initialize(InitializeParams p)
    {
        LastInitialize = p;
        return new InitializeResult
        {
            Capabilities = new ServerCapabilities
            {
                TextDocumentSync = new TextDocumentSyncOptions { OpenClose = true, Change = TextDocumentSyncKind.Incremental },
                InlineCompletionProvider = new InlineCompletionOptions(),
            },
            ServerInfo = new ServerInfo { Name = "fake" },
        };
    }

    public int InitializedCount { get; private set; }

    [JsonRpcMethod(LspMethods.Initialized, UseSingleObjectParameterDeserialization = true)]
    public void Initialized(InitializedParams p) => InitializedCount++;

    public int OptionalCount { get; private set; }

    [JsonRpcMethod("test/optional", UseSingleObjectParameterDeserialization = true)]
    public void Optional(InitializedParams? p = null) => OptionalCount++;

    [JsonRpcMethod(LspMethods.Shutdown)]
    public object? Shutdown() => null;

    [JsonRpcMethod(LspMethods.TextDocumentInlineCompletion, UseSingleObjectParameterDeserialization = true)]
    public Task<InlineCompletionList> InlineCompletionAsync(InlineCompletionParams p, CancellationToken cancellationToken)
    {
        LastInlineCompletion = p;
        return Task.FromResult(new InlineCompletionList
        {
            Items = [new InlineCompletionItem { InsertText = $"return {p.Position.Line}:{p.Position.Character}", Command = Command.Create("Accept", "codeAssist.accept", "req-1") }],
        });
    }

    [JsonRpcMethod(LspMethods.TextDocumentDidOpen, UseSingleObjectParameterDeserialization = true)]
    public void DidOpen(DidOpenTextDocumentParams p)
    {
        lock (Opened)
        {
            Opened.Add(p.TextDocument.Uri);
        }
    }

    [JsonRpcMethod(CodeAssistMethods.Status)]
    public object Status() => throw new LocalRpcException("Server not initialized.") { ErrorCode = LspErrorCodes.ServerNotInitialized };

    [JsonRpcMethod("test/slow")]
    public async Task<string> SlowAsync(CancellationToken cancellationToken)
    {
        SlowStarted.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return "never";
        }
        catch (OperationCanceledException)
        {
            SlowCancelled.TrySetResult();
            throw;
        }
    }
}
