using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CodeAssist.Tests.EndToEnd;
using CodeAssist.Tests.Models;

namespace CodeAssist.Tests.Fuzz;

/// <summary>
/// The real <c>codeassist serve</c> process as the fuzz suite drives it: bytes go to its stdin exactly as a fuzzer made
/// them; its stdout is read by a strict frame parser (any byte that is not part of a well-formed frame holding valid JSON
/// is recorded as a violation); requests it sends are answered; and every id the fuzzer sent is tracked, so the suite
/// can say which requests were never answered, which were answered twice, and which answers name an id nobody sent.
/// </summary>
internal sealed class FuzzServer : IAsyncDisposable
{
    /// <summary>The document every checkpoint completes in; no fuzzer touches it.</summary>
    public const string CheckUri = "file:///fuzz/check.py";

    /// <summary>The environment variable holding the API key the remote family configures (never a real key).</summary>
    public const string ApiKeyVariable = "CODEASSIST_FUZZ_API_KEY";

    /// <summary>The API key itself: the redirect fault checks that it never reaches another port.</summary>
    public const string ApiKey = "fuzz-secret-key";

    private const string CheckSource = "import os\n\n\ndef read_config(path):\n    with open(path) as handle:\n        return handle.read()\n\n\ndef main():\n    config = read_config(\"settings.ini\")\n    \n";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Process _process;
    private readonly Stream _stdin;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _required = [];
    private readonly HashSet<string> _sent = [];
    private readonly HashSet<string> _mustNotAnswer = [];
    private readonly Dictionary<string, int> _answers = [];
    private readonly Dictionary<string, TaskCompletionSource<JsonElement>> _waiters = [];
    private readonly List<string> _strayAnswers = [];
    private readonly Queue<string> _recentLog = new();
    private readonly StringBuilder _stderr = new();
    private readonly Task _stdoutReader;
    private readonly Task _stderrReader;
    private readonly FileStream? _dump;
    private long _nextOwnId = 900_000_000;
    private long _written;
    private int _checks;
    private int _nullIdAnswers;
    private int _frames;
    private string? _violation;

    private FuzzServer(Process process, string logDirectory)
    {
        _process = process;
        LogDirectory = logDirectory;

        // CODEASSIST_FUZZ_DUMP names a folder that gets every byte sent to each server, to bisect a finding by replaying a prefix.
        if (Environment.GetEnvironmentVariable("CODEASSIST_FUZZ_DUMP") is { Length: > 0 } dump)
        {
            Directory.CreateDirectory(dump);
            _dump = new FileStream(Path.Combine(dump, string.Create(CultureInfo.InvariantCulture, $"stdin-{process.Id}.bin")), FileMode.Create);
        }
        _stdin = process.StandardInput.BaseStream;
        _stdoutReader = Task.Run(ReadStdoutAsync);
        _stderrReader = Task.Run(ReadStderrAsync);
    }

    /// <summary>Where the process writes its log file.</summary>
    public string LogDirectory { get; }

    /// <summary>Whether the process is still running.</summary>
    public bool IsAlive => !_process.HasExited;

    /// <summary>The exit code once it has exited (a native abort shows as 134, a signal as 128 + its number).</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Bytes written to its stdin so far.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Well-formed frames read from its stdout so far.</summary>
    public int Frames => Volatile.Read(ref _frames);

    /// <summary>The first thing on stdout that was not a well-formed frame of valid JSON; null while there is none.</summary>
    public string? StdoutViolation
    {
        get
        {
            lock (_gate)
            {
                return _violation;
            }
        }
    }

    /// <summary>Answers whose id was never sent, ids answered more than once, and answers to responses.</summary>
    public IReadOnlyList<string> StrayAnswers
    {
        get
        {
            lock (_gate)
            {
                return [.. _strayAnswers];
            }
        }
    }

    /// <summary>Answers that carried id null (the server's answer to a request whose id it could not read).</summary>
    public int NullIdAnswers => Volatile.Read(ref _nullIdAnswers);

    /// <summary>Starts the process, initializes it with the shipped tiny model and waits for a first completion.</summary>
    public static async Task<FuzzServer> StartAsync(string modelsFolder)
    {
        var logs = Directory.CreateTempSubdirectory("codeassist-fuzz-logs-").FullName;
        var environment = new Dictionary<string, string?>
        {
            ["CODEASSIST_MODELS_DIR"] = modelsFolder,
            [ApiKeyVariable] = ApiKey,
        };
        var process = ServerProcess.Start(logs, environment, "serve");
        var server = new FuzzServer(process, logs);
        var initialize = await server.RequestAsync("initialize", InitializeParams(), TimeSpan.FromSeconds(60));
        if (!initialize.TryGetProperty("result", out _))
        {
            throw new InvalidOperationException($"initialize failed: {initialize.GetRawText()}");
        }

        await server.NotifyAsync("initialized", "{}");
        await server.NotifyAsync("textDocument/didOpen", JsonText.Fill("""{"textDocument":{"uri":"@0","languageId":"python","version":1,"text":@1}}""", CheckUri, JsonSerializer.Serialize(CheckSource)));
        var first = await server.CompleteFreshAsync(TimeSpan.FromSeconds(120));
        if (!first.TryGetProperty("result", out _))
        {
            throw new InvalidOperationException($"the first completion failed: {first.GetRawText()}");
        }

        return server;
    }

    /// <summary>
    /// The settings every fuzz session starts with, and that families restore: the tiny model, one thread, no debounce,
    /// short completions, code actions without sampled candidates (so a resolve that gets through is quick).
    /// </summary>
    public static string Settings() => JsonText.Fill("""
        {"model":@0,"threads":1,"contextSize":512,"maxTokens":16,"debounceMs":0,
         "codeActions":{"candidates":0,"budgetMs":200},"fallback":{"kind":"none"}}
        """, JsonSerializer.Serialize(RepositoryPaths.TinyModel));

    private static string InitializeParams() =>
        JsonText.Fill("""{"processId":@0,"rootUri":null,"capabilities":{},"initializationOptions":@1}""", Environment.ProcessId, Settings());

    /// <summary>The key under which an id is tracked: integers by value, strings by text; null for anything else.</summary>
    public static string? IdKey(JsonElement id) => id.ValueKind switch
    {
        JsonValueKind.Number when id.TryGetInt64(out var number) => "n:" + number.ToString(CultureInfo.InvariantCulture),
        JsonValueKind.String => "s:" + id.GetString(),
        _ => null,
    };

    /// <summary>The tracking key of an id written as JSON text; null when the text is not a JSON value.</summary>
    public static string? IdKey(string idJson)
    {
        try
        {
            using var document = JsonDocument.Parse(idJson);
            return IdKey(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Records that a request with this id went out in a frame the server must read: it must be answered.</summary>
    public void Require(string idJson, string what)
    {
        var key = IdKey(idJson) ?? throw new ArgumentException($"id {idJson} cannot be tracked", nameof(idJson));
        lock (_gate)
        {
            _sent.Add(key);
            _required[key] = what;
        }
    }

    /// <summary>Records that this id went out (an answer with it is not stray) without requiring an answer.</summary>
    public void Sent(string idJson)
    {
        if (IdKey(idJson) is { } key)
        {
            lock (_gate)
            {
                _sent.Add(key);
            }
        }
    }

    /// <summary>Records a response the fuzzer sent to the server: answering it would be answering an answer.</summary>
    public void MustNotAnswer(string idJson)
    {
        if (IdKey(idJson) is { } key)
        {
            lock (_gate)
            {
                _mustNotAnswer.Add(key);
            }
        }
    }

    /// <summary>Writes bytes to stdin as they are; false when the process is gone.</summary>
    public async Task<bool> SendRawAsync(byte[] bytes)
    {
        await _writeGate.WaitAsync();
        try
        {
            await _stdin.WriteAsync(bytes);
            await _stdin.FlushAsync();
            Interlocked.Add(ref _written, bytes.Length);
            _dump?.Write(bytes);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Writes bytes in small pieces with pauses between them, as a slow pipe would deliver them.</summary>
    public async Task<bool> SendDrippedAsync(byte[] bytes, Random random)
    {
        var position = 0;
        while (position < bytes.Length)
        {
            var piece = Math.Min(bytes.Length - position, 1 + random.Next(7));
            if (!await SendRawAsync(bytes[position..(position + piece)]))
            {
                return false;
            }

            position += piece;
            await Task.Delay(random.Next(3));
        }

        return true;
    }

    /// <summary>A well-formed frame around <paramref name="body"/>.</summary>
    public static byte[] Frame(byte[] body) =>
        [.. Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n\r\n")), .. body];

    /// <summary>A well-formed frame around a JSON text.</summary>
    public static byte[] Frame(string json) => Frame(Encoding.UTF8.GetBytes(json));

    public Task<bool> NotifyAsync(string method, string? paramsJson) =>
        SendRawAsync(Frame(paramsJson is null
            ? JsonText.Fill("""{"jsonrpc":"2.0","method":"@0"}""", method)
            : JsonText.Fill("""{"jsonrpc":"2.0","method":"@0","params":@1}""", method, paramsJson)));

    /// <summary>Sends a request with an id of the suite's own and waits for its answer (result or error).</summary>
    public async Task<JsonElement> RequestAsync(string method, string? paramsJson, TimeSpan timeout)
    {
        var id = Interlocked.Increment(ref _nextOwnId).ToString(CultureInfo.InvariantCulture);
        var key = IdKey(id)!;
        var waiter = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiters[key] = waiter;
        }

        Require(id, method);
        var json = paramsJson is null
            ? JsonText.Fill("""{"jsonrpc":"2.0","id":@0,"method":"@1"}""", id, method)
            : JsonText.Fill("""{"jsonrpc":"2.0","id":@0,"method":"@1","params":@2}""", id, method, paramsJson);
        if (!await SendRawAsync(Frame(json)))
        {
            throw new IOException($"the server is gone (exit code {ExitCode})");
        }

        var finished = await Task.WhenAny(waiter.Task, Task.Delay(timeout), _process.WaitForExitAsync());
        if (finished == waiter.Task)
        {
            return await waiter.Task;
        }

        throw _process.HasExited
            ? new IOException($"the server exited (code {_process.ExitCode}) before answering {method}")
            : new TimeoutException($"no answer to {method} within {timeout.TotalSeconds:0} s");
    }

    /// <summary>
    /// An invoked inline completion in the check document after a change to its first line, so that the answer cannot
    /// come from the completion cache: the model (and the router) must run.
    /// </summary>
    public async Task<JsonElement> CompleteFreshAsync(TimeSpan timeout)
    {
        var check = Interlocked.Increment(ref _checks);
        var text = JsonSerializer.Serialize(string.Create(CultureInfo.InvariantCulture, $"# check {check}\n") + CheckSource);
        await NotifyAsync("textDocument/didChange", JsonText.Fill("""{"textDocument":{"uri":"@0","version":@1},"contentChanges":[{"text":@2}]}""", CheckUri, check + 1, text));
        return await CompleteAsync(CheckUri, 11, 4, timeout);
    }

    /// <summary>An invoked inline completion at a position.</summary>
    public Task<JsonElement> CompleteAsync(string uri, int line, int character, TimeSpan timeout) =>
        RequestAsync("textDocument/inlineCompletion", JsonText.Fill("""{"textDocument":{"uri":"@0"},"position":{"line":@1,"character":@2},"context":{"triggerKind":1}}""", uri, line, character), timeout);

    /// <summary>
    /// Waits until every required id has been answered, the process has exited, or <paramref name="timeout"/> passed;
    /// returns what is still unanswered (at most 20, with how many more).
    /// </summary>
    public async Task<IReadOnlyList<string>> WaitForRequiredAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            List<string> missing;
            lock (_gate)
            {
                missing = [.. _required.Where(r => !_answers.ContainsKey(r.Key)).Select(r => $"{r.Key} ({r.Value})")];
            }

            if (missing.Count == 0 || deadline.Elapsed > timeout || _process.HasExited)
            {
                return missing.Count <= 20 ? missing : [.. missing.Take(20), $"… and {missing.Count - 20} more"];
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Whether an answer with this id has arrived.</summary>
    public bool WasAnswered(string idJson)
    {
        var key = IdKey(idJson);
        lock (_gate)
        {
            return key is not null && _answers.ContainsKey(key);
        }
    }

    /// <summary>The last lines the server logged (window/logMessage) and wrote to stderr, for a failure report.</summary>
    public string RecentOutput()
    {
        lock (_gate)
        {
            var stderr = _stderr.Length > 4000 ? _stderr.ToString(_stderr.Length - 4000, 4000) : _stderr.ToString();
            return "log:\n  " + string.Join("\n  ", _recentLog) + "\nstderr:\n" + stderr;
        }
    }

    /// <summary>shutdown then exit; returns the exit code (null when the process did not exit in time).</summary>
    public async Task<int?> ShutdownAsync()
    {
        var answer = await RequestAsync("shutdown", null, TimeSpan.FromSeconds(30));
        if (!answer.TryGetProperty("result", out _))
        {
            throw new InvalidOperationException($"shutdown failed: {answer.GetRawText()}");
        }

        await NotifyAsync("exit", null);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        await Task.WhenAny(_stdoutReader, Task.Delay(TimeSpan.FromSeconds(10)));
        return _process.ExitCode;
    }

    private async Task ReadStdoutAsync()
    {
        var stream = _process.StandardOutput.BaseStream;
        var buffer = new byte[1 << 16];
        var pending = new MemoryStream();
        while (true)
        {
            int read;
            try
            {
                read = await stream.ReadAsync(buffer);
            }
            catch (IOException)
            {
                read = 0;
            }

            if (read == 0)
            {
                if (pending.Length > 0)
                {
                    Violate($"{pending.Length} bytes after the last frame: {Preview(pending.ToArray())}");
                }

                return;
            }

            if (StdoutViolation is not null)
            {
                // Keep draining so the server never blocks on a full pipe; the violation is already recorded.
                continue;
            }

            pending.Write(buffer, 0, read);
            pending = ParseFrames(pending);
        }
    }

    /// <summary>Takes every complete frame off the front of <paramref name="pending"/>; returns what is left.</summary>
    private MemoryStream ParseFrames(MemoryStream pending)
    {
        var bytes = pending.GetBuffer().AsSpan(0, (int)pending.Length);
        var position = 0;
        while (StdoutViolation is null)
        {
            var rest = bytes[position..];
            var headerEnd = rest.IndexOf("\r\n\r\n"u8);
            if (headerEnd < 0)
            {
                if (rest.Length > 1024)
                {
                    Violate($"no header end in {rest.Length} bytes: {Preview(rest.ToArray())}");
                }

                break;
            }

            if (StrictHeader(rest[..headerEnd]) is not { } length)
            {
                break;
            }

            if (rest.Length < headerEnd + 4 + length)
            {
                break;
            }

            var body = rest.Slice(headerEnd + 4, length).ToArray();
            position += headerEnd + 4 + length;
            Dispatch(body);
        }

        var left = new MemoryStream();
        left.Write(bytes[position..]);
        return left;
    }

    /// <summary>The body length of a header that is exactly what LSP allows; null (and a violation) otherwise.</summary>
    private int? StrictHeader(ReadOnlySpan<byte> header)
    {
        int? length = null;
        foreach (var line in Encoding.ASCII.GetString(header).Split("\r\n"))
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            var name = colon > 0 ? line[..colon] : null;
            var value = colon > 0 ? line[(colon + 2)..] : "";
            if (name == "Content-Length" && length is null && value.Length is > 0 and < 10 && value.All(char.IsAsciiDigit))
            {
                length = int.Parse(value, CultureInfo.InvariantCulture);
            }
            else if (name != "Content-Type")
            {
                Violate($"a header line that is not Content-Length or Content-Type: '{line}'");
                return null;
            }
        }

        if (length is null)
        {
            Violate("a header without Content-Length");
        }

        return length;
    }

    private void Dispatch(byte[] body)
    {
        JsonElement message;
        try
        {
            message = JsonDocument.Parse(StrictUtf8.GetString(body)).RootElement.Clone();
        }
        catch (Exception ex) when (ex is JsonException or DecoderFallbackException)
        {
            Violate($"a frame whose body is not valid JSON ({ex.GetType().Name}): {Preview(body)}");
            return;
        }

        Interlocked.Increment(ref _frames);
        if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || version.GetString() != "2.0")
        {
            Violate($"a message that is not a JSON-RPC 2.0 object: {Preview(body)}");
            return;
        }

        var hasId = message.TryGetProperty("id", out var id);
        if (message.TryGetProperty("method", out var method))
        {
            if (hasId)
            {
                _ = Task.Run(() => AnswerServerRequestAsync(id, method.GetString(), message));
            }
            else if (method.GetString() == "window/logMessage" && message.TryGetProperty("params", out var log))
            {
                lock (_gate)
                {
                    _recentLog.Enqueue(log.GetProperty("message").GetString() ?? "");
                    while (_recentLog.Count > 40)
                    {
                        _recentLog.Dequeue();
                    }
                }
            }

            return;
        }

        if (!hasId)
        {
            Violate($"a message with neither method nor id: {Preview(body)}");
            return;
        }

        if (id.ValueKind == JsonValueKind.Null)
        {
            Interlocked.Increment(ref _nullIdAnswers);
            return;
        }

        var key = IdKey(id) ?? "raw:" + id.GetRawText();
        TaskCompletionSource<JsonElement>? waiter;
        lock (_gate)
        {
            var count = _answers.GetValueOrDefault(key) + 1;
            _answers[key] = count;
            if (!_sent.Contains(key))
            {
                _strayAnswers.Add($"an answer with id {id.GetRawText()}, which was never sent: {Preview(body)}");
            }
            else if (_mustNotAnswer.Contains(key))
            {
                _strayAnswers.Add($"an answer to the response with id {id.GetRawText()}: {Preview(body)}");
            }
            else if (count == 2)
            {
                _strayAnswers.Add($"a second answer with id {id.GetRawText()}: {Preview(body)}");
            }

            _waiters.Remove(key, out waiter);
        }

        waiter?.TrySetResult(message);
    }

    private async Task AnswerServerRequestAsync(JsonElement id, string? method, JsonElement message)
    {
        // workspace/configuration wants one value per item; the client has nothing to add to initializationOptions.
        var result = "null";
        if (method == "workspace/configuration" && message.TryGetProperty("params", out var parameters)
            && parameters.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            result = "[" + string.Join(",", Enumerable.Repeat("null", items.GetArrayLength())) + "]";
        }

        await SendRawAsync(Frame(JsonText.Fill("""{"jsonrpc":"2.0","id":@0,"result":@1}""", id.GetRawText(), result)));
    }

    private async Task ReadStderrAsync()
    {
        var buffer = new char[4096];
        var reader = _process.StandardError;
        while (await reader.ReadAsync(buffer) is var read and > 0)
        {
            lock (_gate)
            {
                _stderr.Append(buffer, 0, read);
                if (_stderr.Length > 64_000)
                {
                    _stderr.Remove(0, _stderr.Length - 32_000);
                }
            }
        }
    }

    private void Violate(string what)
    {
        lock (_gate)
        {
            _violation ??= what;
        }
    }

    private static string Preview(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 200));
        return new string([.. text.Select(c => char.IsControl(c) ? '?' : c)]) + (bytes.Length > 200 ? "…" : "");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        await Task.WhenAny(Task.WhenAll(_stdoutReader, _stderrReader), Task.Delay(TimeSpan.FromSeconds(5)));
        _process.Dispose();
        _writeGate.Dispose();
        _dump?.Dispose();
    }
}
