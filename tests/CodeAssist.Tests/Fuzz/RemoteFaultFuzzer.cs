using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using CodeAssist.Server.Inference.Remote;
using CodeAssist.Tests.Remote;

namespace CodeAssist.Tests.Fuzz;

/// <summary>
/// Remote faults: the fallback tier pointed at a loopback server that hangs, drips its answer or its status line,
/// answers bytes that are not HTTP or JSON that is not the protocol's, sends a body without end (declared or chunked),
/// resets the connection, answers 500, or redirects (to another port, or to itself). An invoked completion escalates to
/// the fallback at once; it must be answered with a result within the routing deadline plus the local model's time,
/// far below the fallback's own timeout, so a server that waited for the fault would fail. The fault server must have
/// been called (otherwise the case proved nothing), and the API key must never reach the port a redirect points to.
/// </summary>
internal static class RemoteFaultFuzzer
{
    private const int DeadlineMs = 500;
    private const string Source = "import json\n\n\ndef load(path):\n    with open(path) as handle:\n        \n";
    private const int FallbackTimeoutMs = 30_000;

    // The deadline plus room for the local model on a busy machine; a server that waited for a hanging fallback would
    // take the fallback's 30 s timeout.
    private static readonly TimeSpan AnswerBound = TimeSpan.FromMilliseconds(DeadlineMs) + TimeSpan.FromSeconds(8);

    private static readonly string[] Faults =
    [
        "hang", "drip-body", "drip-status", "garbage", "garbage-json", "huge-body", "huge-chunked", "reset", "status-500",
        "redirect", "redirect-loop", "html",
    ];

    private static readonly (string Setting, RemoteKind Kind)[] Kinds =
        [("openai", RemoteKind.OpenAi), ("llamacpp", RemoteKind.LlamaCpp), ("ollama", RemoteKind.Ollama)];

    public static async Task RunAsync(FuzzContext context, FamilyReport report, int count)
    {
        var random = context.RandomFor("remote");
        await using var target = new FaultHttpServer((_, _, _) => Task.CompletedTask);
        var servers = new List<FaultHttpServer>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                report.Inputs++;

                // Every fault once, then seeded repeats.
                var fault = i < Faults.Length ? Faults[i] : Faults[random.Next(Faults.Length)];

                var (setting, kind) = Kinds[random.Next(Kinds.Length)];
                if (fault == "redirect")
                {
                    // OpenAI's kind sends the key as Authorization, so the check that it does not follow the redirect can fail.
                    (setting, kind) = Kinds[0];
                }

                target.Reply = (request, stream, token) => FaultHttpServer.WriteJsonAsync(stream, 200, WireReplies.Completion(kind, "redirected()"), token);
                var server = new FaultHttpServer(Fault(fault, kind, target.Port, random));
                servers.Add(server);
                await RunCaseAsync(context, report, server, target, fault, setting, kind, i, $"remote input {i} ({fault}, {setting})");
                if ((i + 1) % 4 == 0 || i == count - 1)
                {
                    await context.CheckpointAsync(report, $"remote input {i} (seed {context.Seed})");
                }
            }
        }
        finally
        {
            var fuzz = await context.ServerAsync();
            await fuzz.NotifyAsync("workspace/didChangeConfiguration", """{"settings":{"codeAssist":{"fallback":{"kind":"none"},"routing":{"deadlineMs":1500,"breakerFailures":3}}}}""");
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    private static async Task RunCaseAsync(FuzzContext context, FamilyReport report, FaultHttpServer server, FaultHttpServer target, string fault, string setting, RemoteKind kind, int index, string input)
    {
        var fuzz = await context.ServerAsync();
        var endpoint = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{server.Port}{(kind == RemoteKind.OpenAi ? "/v1" : "")}");
        await fuzz.NotifyAsync("workspace/didChangeConfiguration", JsonText.Fill("""
            {"settings":{"codeAssist":{"fallback":{"kind":"@0","endpoint":"@1","model":"fuzz-model","apiKeyEnv":"@2","timeoutMs":@3},
             "routing":{"deadlineMs":@4,"breakerFailures":1000}}}}
            """, setting, endpoint, FuzzServer.ApiKeyVariable, FallbackTimeoutMs, DeadlineMs));
        // A text of its own: the same text at the same place would be answered from the cache, asking no tier.
        var uri = string.Create(CultureInfo.InvariantCulture, $"file:///fuzz/remote-{index}.py");
        await fuzz.NotifyAsync("textDocument/didOpen", JsonText.Fill("""{"textDocument":{"uri":"@0","languageId":"python","version":1,"text":@1}}""", uri, System.Text.Json.JsonSerializer.Serialize(string.Create(CultureInfo.InvariantCulture, $"# case {index}\n") + Source)));
        var targetCalls = target.Requests.Count;
        var clock = Stopwatch.StartNew();
        try
        {
            var answer = await fuzz.CompleteAsync(uri, 6, 8, TimeSpan.FromSeconds(60));
            clock.Stop();
            if (!answer.TryGetProperty("result", out _))
            {
                report.Failures.Add($"{input}: the completion answered an error: {answer.GetRawText()}");
            }

            if (clock.Elapsed > AnswerBound)
            {
                report.Failures.Add($"{input}: the completion took {clock.ElapsedMilliseconds} ms, over the bound of {AnswerBound.TotalMilliseconds} ms (deadline {DeadlineMs} ms)");
            }
        }
        catch (Exception ex) when (ex is TimeoutException or IOException)
        {
            report.Failures.Add($"{input}: {ex.Message}");
            await context.RecoverAsync(report, input);
            return;
        }

        // The invoked request calls the fallback at once; give a slow connection a moment to be read.
        var waited = Stopwatch.StartNew();
        while (server.Requests.Count == 0 && waited.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(20);
        }

        if (server.Requests.Count == 0)
        {
            report.Failures.Add($"{input}: the fallback was never called, so the fault was not exercised");
        }

        if (fault == "redirect")
        {
            if (server.Requests[0].Authorization is null)
            {
                report.Failures.Add($"{input}: the configured endpoint got no API key, so whether the key follows a redirect was not tested");
            }

            var reached = target.Requests.Skip(targetCalls).ToList();
            if (reached.Any(r => r.Authorization is not null))
            {
                report.Failures.Add($"{input}: the API key went to the port the redirect named ({reached.First(r => r.Authorization is not null).Authorization![..10]}…)");
            }

            report.Notes.Add($"{input}: answered in {clock.ElapsedMilliseconds} ms; the redirect to another port was {(reached.Count > 0 ? $"followed ({reached[0].BodyBytes} bytes of prompt sent there, without the API key)" : "not followed")}");
        }
        else
        {
            report.Notes.Add($"{input}: answered in {clock.ElapsedMilliseconds} ms");
        }
    }

    private static Func<FaultRequest, Stream, CancellationToken, Task> Fault(string fault, RemoteKind kind, int targetPort, Random random)
    {
        var garbage = new byte[1 + random.Next(4096)];
        random.NextBytes(garbage);
        var json = RandomJson.Value(random);
        return fault switch
        {
            "hang" => (_, _, token) => Task.Delay(Timeout.Infinite, token),
            "drip-body" => (_, stream, token) => DripBodyAsync(stream, kind, token),
            "drip-status" => (_, stream, token) => DripAsync(stream, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"u8.ToArray(), 300, token),
            "garbage" => (_, stream, token) => stream.WriteAsync(garbage, token).AsTask(),
            "garbage-json" => (_, stream, token) => FaultHttpServer.WriteJsonAsync(stream, 200, json, token),
            "huge-body" => (_, stream, token) => HugeBodyAsync(stream, token),
            "huge-chunked" => (_, stream, token) => EndlessChunksAsync(stream, token),
            "reset" => (_, stream, _) => ResetAsync(stream),
            "status-500" => (_, stream, token) => FaultHttpServer.WriteJsonAsync(stream, 500, """{"error":{"message":"fuzz"}}""", token),
            "redirect" => (request, stream, token) => FaultHttpServer.WriteJsonAsync(stream, 307, "{}", token,
                string.Create(CultureInfo.InvariantCulture, $"Location: http://127.0.0.1:{targetPort}{request.Path}\r\n")),
            "redirect-loop" => (request, stream, token) => FaultHttpServer.WriteJsonAsync(stream, 302, "{}", token, $"Location: {request.Path}\r\n"),
            _ => (_, stream, token) => HtmlAsync(stream, token),
        };
    }

    /// <summary>A complete, valid answer, one byte every 200 ms: far longer than the deadline.</summary>
    private static async Task DripBodyAsync(Stream stream, RemoteKind kind, CancellationToken token)
    {
        var body = Encoding.UTF8.GetBytes(WireReplies.Completion(kind, "dripped()"));
        await stream.WriteAsync(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n")), token);
        await DripAsync(stream, body, 200, token);
    }

    private static async Task DripAsync(Stream stream, byte[] bytes, int pauseMs, CancellationToken token)
    {
        foreach (var b in bytes)
        {
            await stream.WriteAsync(new[] { b }, token);
            await stream.FlushAsync(token);
            await Task.Delay(pauseMs, token);
        }
    }

    /// <summary>A body that declares a gibibyte and sends it, until the client stops reading.</summary>
    private static async Task HugeBodyAsync(Stream stream, CancellationToken token)
    {
        await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{\"response\":\""u8.ToArray(), token);
        var block = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
        for (var sent = 0L; sent < 1L << 30; sent += block.Length)
        {
            await stream.WriteAsync(block, token);
        }
    }

    /// <summary>A chunked body without a last chunk, until the client stops reading.</summary>
    private static async Task EndlessChunksAsync(Stream stream, CancellationToken token)
    {
        await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"u8.ToArray(), token);
        var chunk = Encoding.ASCII.GetBytes("10000\r\n" + new string(' ', 0x10000) + "\r\n");
        while (true)
        {
            await stream.WriteAsync(chunk, token);
        }
    }

    /// <summary>Closes with a reset (linger 0) instead of an orderly end, answering nothing.</summary>
    private static Task ResetAsync(Stream stream)
    {
        if (stream is NetworkStream network)
        {
            network.Socket.LingerState = new LingerOption(true, 0);
            network.Socket.Close();
        }

        return Task.CompletedTask;
    }

    /// <summary>A proxy's error page with status 200.</summary>
    private static async Task HtmlAsync(Stream stream, CancellationToken token)
    {
        var html = "<html><body>502 Bad Gateway</body></html>"u8.ToArray();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {html.Length}\r\n\r\n")), token);
        await stream.WriteAsync(html, token);
    }
}
