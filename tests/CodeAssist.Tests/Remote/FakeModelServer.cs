using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CodeAssist.Server.Inference.Remote;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Tests.Remote;

/// <summary>One request as the fake server saw it.</summary>
public sealed record RecordedRequest(string Method, string Path, string Body, string? Authorization)
{
    /// <summary>The body parsed as JSON.</summary>
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>
/// A Kestrel server on 127.0.0.1 with a dynamic port that speaks whichever protocol the test sets in
/// <see cref="Reply"/>, records every request, and notices when a client goes away mid-request.
/// </summary>
public sealed class FakeModelServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly SemaphoreSlim _arrivals = new(0);
    private readonly SemaphoreSlim _disconnects = new(0);

    private FakeModelServer(WebApplication app) => _app = app;

    /// <summary>Answers each request; the default is 404.</summary>
    public Func<HttpContext, RecordedRequest, Task> Reply { get; set; } = (context, _) =>
    {
        context.Response.StatusCode = 404;
        return Task.CompletedTask;
    };

    /// <summary>The server's base address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Requests received so far.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>Waits (bounded) for the next request to have been read; true when one was.</summary>
    public Task<bool> NextArrivalAsync(TimeSpan timeout) => _arrivals.WaitAsync(timeout);

    /// <summary>Waits (bounded) for the next client to disconnect before its reply was finished; true when one did.</summary>
    public Task<bool> NextDisconnectAsync(TimeSpan timeout) => _disconnects.WaitAsync(timeout);

    /// <summary>The last request.</summary>
    public RecordedRequest Last => Requests[^1];

    /// <summary>Starts a server on a free loopback port.</summary>
    public static async Task<FakeModelServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeModelServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(20));
        server.BaseAddress = new Uri(app.Urls.First().TrimEnd('/') + "/");
        return server;
    }

    /// <summary>Starts a server that answers OpenAI completions with <paramref name="text"/> and 404 to anything else.</summary>
    public static async Task<FakeModelServer> StartOpenAiCompletingAsync(string text)
    {
        var server = await StartAsync();
        server.Reply = (context, request) => request.Path == WireReplies.CompletionPath(RemoteKind.OpenAi)
            ? WriteJsonAsync(context, WireReplies.OpenAiCompletion(text))
            : WriteJsonAsync(context, """{"error":"not here"}""", 404);
        return server;
    }

    /// <summary>The endpoint a backend of <paramref name="kind"/> is configured with (OpenAI's includes /v1).</summary>
    public Uri EndpointFor(RemoteKind kind) => kind == RemoteKind.OpenAi ? new Uri(BaseAddress, "v1") : BaseAddress;

    /// <summary>Writes <paramref name="json"/> with status 200.</summary>
    public static Task WriteJsonAsync(HttpContext context, string json, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json, context.RequestAborted);
    }

    /// <summary>A loopback port with nothing listening on it.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var request = new RecordedRequest(
            context.Request.Method, context.Request.Path.Value ?? "", body, context.Request.Headers.Authorization.FirstOrDefault());
        _requests.Enqueue(request);
        using var watch = context.RequestAborted.Register(() => _disconnects.Release());
        _arrivals.Release();
        try
        {
            await Reply(context, request);
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client left; nothing to answer.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stopping.Token);
        await _app.DisposeAsync();
        _arrivals.Dispose();
        _disconnects.Dispose();
    }
}

/// <summary>Replies shaped as each protocol's public documentation shows them (with fields we do not read).</summary>
public static class WireReplies
{
    /// <summary>OpenAI <c>/v1/completions</c>, legacy logprobs.</summary>
    public static string OpenAiCompletion(string text, string finish = "stop") => JsonSerializer.Serialize(new
    {
        id = "cmpl-1",
        @object = "text_completion",
        created = 1700000000,
        model = "m",
        system_fingerprint = (string?)null,
        choices = new[]
        {
            new
            {
                text,
                index = 0,
                logprobs = new { tokens = new[] { "a", "b" }, token_logprobs = new[] { -0.5, -1.5 }, top_logprobs = new[] { new { a = -0.5 }, new { a = -1.5 } }, text_offset = new[] { 0, 1 } },
                finish_reason = finish,
            },
        },
        usage = new { prompt_tokens = 7, completion_tokens = 2, total_tokens = 9 },
    });

    /// <summary>llama.cpp <c>/infill</c>.</summary>
    public static string LlamaInfill(string content) => JsonSerializer.Serialize(new
    {
        index = 0,
        content,
        tokens = Array.Empty<int>(),
        id_slot = 0,
        stop = true,
        model = "qwen2.5-coder",
        tokens_predicted = 4,
        tokens_evaluated = 21,
        generation_settings = new { n_predict = 16, temperature = 0.0 },
        prompt = "<|fim_prefix|>…",
        has_new_line = false,
        truncated = false,
        stop_type = "eos",
        stopping_word = "",
        tokens_cached = 17,
        timings = new { prompt_n = 4, prompt_ms = 1.5, predicted_n = 4, predicted_ms = 8.0 },
    });

    /// <summary>Ollama <c>/api/generate</c>, not streamed.</summary>
    public static string OllamaGenerate(string response) => JsonSerializer.Serialize(new
    {
        model = "m",
        created_at = "2023-08-04T19:22:45.499127Z",
        response,
        done = true,
        done_reason = "stop",
        context = new[] { 1, 2, 3 },
        total_duration = 5043500667L,
        load_duration = 5025959L,
        prompt_eval_count = 26,
        prompt_eval_duration = 325953000L,
        eval_count = 5,
        eval_duration = 4709213000L,
    });

    /// <summary>The documented success reply of <paramref name="kind"/>'s completion endpoint.</summary>
    public static string Completion(RemoteKind kind, string text) => kind switch
    {
        RemoteKind.OpenAi => OpenAiCompletion(text),
        RemoteKind.LlamaCpp => LlamaInfill(text),
        _ => OllamaGenerate(text),
    };

    /// <summary>The path of <paramref name="kind"/>'s completion endpoint.</summary>
    public static string CompletionPath(RemoteKind kind) => kind switch
    {
        RemoteKind.OpenAi => "/v1/completions",
        RemoteKind.LlamaCpp => "/infill",
        _ => "/api/generate",
    };
}
