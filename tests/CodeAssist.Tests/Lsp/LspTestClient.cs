using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodeAssist.Server;
using CodeAssist.Server.Logging;
using CodeAssist.Server.Lsp;
using CodeAssist.Server.Routing;
using CodeAssist.Tests.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nerdbank.Streams;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace CodeAssist.Tests.Lsp;

/// <summary>
/// An editor at the byte level, talking to the real server (its DI graph, handlers and StreamJsonRpc
/// wiring) over an in-memory duplex stream. Every message the server sends is recorded; requests the
/// server sends to the client (workspace/configuration) are answered by <see cref="ConfigurationAnswer"/>.
/// </summary>
internal sealed class LspTestClient : IAsyncDisposable
{
    private readonly RawLspPeer _peer;
    private readonly ServiceProvider _services;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly List<JsonElement> _notifications = [];
    private readonly List<JsonElement> _received = [];
    private readonly Task _reader;
    private int _nextId;

    private LspTestClient(Stream clientStream, ServiceProvider services, Task<int> server)
    {
        _peer = new RawLspPeer(clientStream);
        _services = services;
        Server = server;
        _reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>Completes with the server's exit code.</summary>
    public Task<int> Server { get; }

    /// <summary>What the client answers to workspace/configuration (the codeAssist section).</summary>
    public JsonNode? ConfigurationAnswer { get; set; }

    /// <summary>What the client answers for items scoped to a workspace folder (scopeUri set); <see cref="ConfigurationAnswer"/> when null.</summary>
    public JsonNode? ScopedConfigurationAnswer { get; set; }

    /// <summary>The items of the last workspace/configuration request.</summary>
    public JsonElement? LastConfigurationItems { get; private set; }

    /// <summary>How many workspace/configuration requests the server sent.</summary>
    public int ConfigurationRequests { get; private set; }

    /// <summary>The server's services (for assertions on its state).</summary>
    public IServiceProvider Services => _services;

    /// <summary>Model calls of both tiers so far (what codeAssist/stats reports as tiers.local.calls plus tiers.fallback.calls).</summary>
    public long ModelCalls
    {
        get
        {
            var routing = _services.GetRequiredService<RoutingStatistics>();
            return routing.LocalCalls + routing.FallbackCalls;
        }
    }

    /// <summary>
    /// Starts the server; <paramref name="configure"/> registers services before the server's own (they win where it uses TryAdd).
    /// The editor gets the server's log from information up, as from <c>codeassist serve</c>; <paramref name="capture"/> gets every event.
    /// </summary>
    public static LspTestClient Start(Action<IServiceCollection>? configure = null, ILogEventSink? capture = null)
    {
        var (clientStream, serverStream) = FullDuplexStream.CreatePair();
        var client = new LanguageClient();
        var configuration = new LoggerConfiguration().MinimumLevel.Debug().WriteTo.Sink(new LanguageClientSink(client), LogEventLevel.Information);
        if (capture is not null)
        {
            configuration = configuration.WriteTo.Sink(capture);
        }

        var serilog = configuration.CreateLogger();
        var collection = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddSerilog(serilog, dispose: true))
            .AddSingleton(client);
        configure?.Invoke(collection);
        var services = collection.AddCodeAssistLanguageServer().BuildServiceProvider();
        var server = Task.Run(() => services.GetRequiredService<LspServer>().RunAsync(serverStream, serverStream, CancellationToken.None));
        return new LspTestClient(clientStream, services, server);
    }

    /// <summary>Every notification and server-to-client request, in the order they arrived.</summary>
    public JsonElement[] Received()
    {
        lock (_received)
        {
            return [.. _received];
        }
    }

    /// <summary>The server-to-client requests with <paramref name="method"/> (answered with null unless they are workspace/configuration).</summary>
    public JsonElement[] ServerRequests(string method) =>
        Received().Where(m => m.TryGetProperty("id", out _) && m.TryGetProperty("method", out var name) && name.GetString() == method).ToArray();

    /// <summary>workspace/executeCommand with the given arguments.</summary>
    public Task<JsonElement> ExecuteCommandAsync(string command, params object[] arguments) =>
        RequestAsync("workspace/executeCommand", new { command, arguments });

    public JsonElement[] Notifications(string method)
    {
        lock (_notifications)
        {
            return _notifications.Where(n => n.TryGetProperty("method", out var m) && m.GetString() == method).ToArray();
        }
    }

    public Task SendRawAsync(string json) => _peer.SendAsync(json);

    public Task SendRawBytesAsync(byte[] body) => _peer.SendBytesAsync(body);

    /// <summary>Writes bytes without framing them (frames with wrong headers, junk).</summary>
    public Task SendUnframedAsync(byte[] bytes) => _peer.SendUnframedAsync(bytes);

    /// <summary>Waits for the answer to a request this client did not send itself (a raw frame's), by its id.</summary>
    public async Task<JsonElement> WaitForAnswerAsync(JsonElement id, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            JsonElement[] seen;
            lock (_notifications)
            {
                seen = [.. _notifications];
            }

            foreach (var message in seen)
            {
                if (!message.TryGetProperty("method", out _) && message.TryGetProperty("id", out var got) && got.GetRawText() == id.GetRawText())
                {
                    return message;
                }
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"no answer with id {id.GetRawText()}");
    }

    public async Task NotifyAsync(string method, object? parameters)
    {
        var message = new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method };
        if (parameters is not null)
        {
            message["params"] = ToNode(parameters);
        }

        await _peer.SendAsync(message.ToJsonString());
    }

    /// <summary>Sends a request and returns the whole response message (result or error).</summary>
    public async Task<JsonElement> RequestAsync(string method, object? parameters, TimeSpan? timeout = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var waiter = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiter;
        var message = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method };
        if (parameters is not null)
        {
            message["params"] = ToNode(parameters);
        }

        await _peer.SendAsync(message.ToJsonString());
        return await waiter.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(60));
    }

    /// <summary>Sends a request and returns its id and the task of its response, without waiting (cancel it with <see cref="CancelAsync"/>).</summary>
    public async Task<(int Id, Task<JsonElement> Response)> StartRequestAsync(string method, object parameters)
    {
        var id = Interlocked.Increment(ref _nextId);
        var waiter = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiter;
        var message = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = ToNode(parameters) };
        await _peer.SendAsync(message.ToJsonString());
        return (id, waiter.Task.WaitAsync(TimeSpan.FromSeconds(60)));
    }

    /// <summary>$/cancelRequest for the request with <paramref name="id"/>.</summary>
    public Task CancelAsync(int id) => NotifyAsync("$/cancelRequest", new { id });

    /// <summary>Sends a request, and after <paramref name="cancelAfter"/> a $/cancelRequest for it.</summary>
    public async Task<JsonElement> RequestAndCancelAsync(string method, object parameters, TimeSpan cancelAfter)
    {
        var id = Interlocked.Increment(ref _nextId);
        var waiter = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiter;
        var message = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = ToNode(parameters) };
        await _peer.SendAsync(message.ToJsonString());
        await Task.Delay(cancelAfter);
        await NotifyAsync("$/cancelRequest", new { id });
        return await waiter.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>initialize (with the given options) then initialized.</summary>
    public async Task<JsonElement> InitializeAsync(
        object? initializationOptions = null, bool offerUtf8 = false, bool pullConfiguration = false, int? processId = null, string[]? workspaceFolders = null,
        bool workDoneProgress = false, bool documentChanges = false)
    {
        var capabilities = new JsonObject
        {
            ["general"] = new JsonObject { ["positionEncodings"] = offerUtf8 ? new JsonArray("utf-8", "utf-16") : new JsonArray("utf-16") },
            ["workspace"] = new JsonObject { ["configuration"] = pullConfiguration, ["workspaceEdit"] = new JsonObject { ["documentChanges"] = documentChanges } },
            ["textDocument"] = new JsonObject
            {
                ["inlineCompletion"] = new JsonObject { ["dynamicRegistration"] = false },
                ["codeAction"] = new JsonObject { ["dataSupport"] = true, ["resolveSupport"] = new JsonObject { ["properties"] = new JsonArray("edit") } },
            },
            ["window"] = new JsonObject { ["workDoneProgress"] = workDoneProgress },
        };
        var parameters = new JsonObject
        {
            ["processId"] = processId ?? Environment.ProcessId,
            ["clientInfo"] = new JsonObject { ["name"] = "test-editor", ["version"] = "1.0" },
            ["rootUri"] = null,
            ["capabilities"] = capabilities,
            ["initializationOptions"] = initializationOptions is null ? null : ToNode(initializationOptions),
        };
        if (workspaceFolders is not null)
        {
            parameters["workspaceFolders"] = new JsonArray([.. workspaceFolders.Select(uri => (JsonNode)new JsonObject { ["uri"] = uri, ["name"] = uri.Split('/')[^1] })]);
        }

        var response = await RequestAsync("initialize", parameters);
        await NotifyAsync("initialized", new { });
        return response;
    }

    public Task OpenAsync(string uri, string text, int version = 1) =>
        NotifyAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "python", version, text } });

    public Task<JsonElement> InlineCompletionAsync(string uri, int line, int character, int triggerKind = 1) =>
        RequestAsync("textDocument/inlineCompletion", new
        {
            textDocument = new { uri },
            position = new { line, character },
            context = new { triggerKind },
        });

    /// <summary>Waits until a notification matching <paramref name="predicate"/> has arrived.</summary>
    public async Task<JsonElement> WaitForNotificationAsync(string method, Func<JsonElement, bool> predicate, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            var match = Notifications(method).FirstOrDefault(predicate);
            if (match.ValueKind != JsonValueKind.Undefined)
            {
                return match;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"no {method} notification matched");
    }

    private async Task ReadLoopAsync()
    {
        while (true)
        {
            JsonElement? read;
            try
            {
                read = await _peer.ReadAsync(TimeSpan.FromHours(1));
            }
            catch (Exception)
            {
                break;
            }

            if (read is not { } message)
            {
                break;
            }

            var hasId = message.TryGetProperty("id", out var id);
            var hasMethod = message.TryGetProperty("method", out var method);
            if (hasMethod)
            {
                lock (_received)
                {
                    _received.Add(message);
                }
            }

            if (hasMethod && hasId)
            {
                await AnswerServerRequestAsync(id, method.GetString()!, message);
            }
            else if (hasMethod)
            {
                lock (_notifications)
                {
                    _notifications.Add(message);
                }
            }
            else if (hasId && id.ValueKind == JsonValueKind.Number && _pending.TryRemove(id.GetInt32(), out var waiter))
            {
                waiter.TrySetResult(message);
            }
            else
            {
                lock (_notifications)
                {
                    _notifications.Add(message);
                }
            }
        }

        foreach (var waiter in _pending.Values)
        {
            waiter.TrySetException(new EndOfStreamException("the server closed the connection"));
        }
    }

    private async Task AnswerServerRequestAsync(JsonElement id, string method, JsonElement message)
    {
        var response = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = JsonNode.Parse(id.GetRawText()) };
        if (method == "workspace/configuration")
        {
            var items = message.GetProperty("params").GetProperty("items").Clone();
            LastConfigurationItems = items;
            var answers = new JsonArray();
            foreach (var item in items.EnumerateArray())
            {
                var scoped = item.TryGetProperty("scopeUri", out var scope) && scope.ValueKind == JsonValueKind.String;
                answers.Add((scoped ? ScopedConfigurationAnswer ?? ConfigurationAnswer : ConfigurationAnswer)?.DeepClone());
            }

            response["result"] = answers;
            ConfigurationRequests++;
        }
        else
        {
            response["result"] = null;
        }

        await _peer.SendAsync(response.ToJsonString());
    }

    private static JsonNode? ToNode(object value) => value as JsonNode ?? JsonSerializer.SerializeToNode(value, value.GetType(), JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new() { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };

    public async ValueTask DisposeAsync()
    {
        await _peer.DisposeAsync();
        try
        {
            await Server.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception)
        {
        }

        await _services.DisposeAsync();
    }

    public static string FileUri(string name) => string.Create(CultureInfo.InvariantCulture, $"file:///work/project/{name}");
}
