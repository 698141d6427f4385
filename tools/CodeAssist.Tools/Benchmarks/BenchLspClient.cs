using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CodeAssist.Tools.Benchmarks;

/// <summary>
/// The editor side of an LSP session, as lean as a benchmark needs: Content-Length framing, requests matched to
/// responses by id, server-to-client requests answered with null, notifications dropped.
/// </summary>
internal sealed class BenchLspClient : IAsyncDisposable
{
    private readonly Stream _input;
    private readonly Stream _output;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly Task _reader;
    private int _nextId;

    /// <summary>Talks to a server that reads <paramref name="toServer"/> and writes <paramref name="fromServer"/>.</summary>
    public BenchLspClient(Stream fromServer, Stream toServer)
    {
        _input = fromServer;
        _output = toServer;
        _reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>Sends a request and returns the response message (result or error).</summary>
    public Task<JsonElement> RequestAsync(string method, Action<Utf8JsonWriter>? writeParams) =>
        RequestAsync(method, writeParams, out _);

    /// <summary>Sends a request and returns the response message; <paramref name="id"/> is its id, for $/cancelRequest.</summary>
    public Task<JsonElement> RequestAsync(string method, Action<Utf8JsonWriter>? writeParams, out int id)
    {
        id = Interlocked.Increment(ref _nextId);
        var waiter = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiter;
        var requestId = id;
        var send = SendAsync(writer =>
        {
            writer.WriteString("jsonrpc", "2.0");
            writer.WriteNumber("id", requestId);
            writer.WriteString("method", method);
            if (writeParams is not null)
            {
                writer.WritePropertyName("params");
                writeParams(writer);
            }
        });
        return AwaitBothAsync(send, waiter.Task);
    }

    /// <summary>Sends a notification.</summary>
    public Task NotifyAsync(string method, Action<Utf8JsonWriter>? writeParams) =>
        SendAsync(writer =>
        {
            writer.WriteString("jsonrpc", "2.0");
            writer.WriteString("method", method);
            if (writeParams is not null)
            {
                writer.WritePropertyName("params");
                writeParams(writer);
            }
        });

    /// <summary>didChange with one incremental change.</summary>
    public Task ChangeAsync(string uri, int version, int startLine, int startCharacter, int endLine, int endCharacter, string text) =>
        NotifyAsync("textDocument/didChange", w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("textDocument");
            w.WriteString("uri", uri);
            w.WriteNumber("version", version);
            w.WriteEndObject();
            w.WriteStartArray("contentChanges");
            w.WriteStartObject();
            w.WriteStartObject("range");
            WritePosition(w, "start", startLine, startCharacter);
            WritePosition(w, "end", endLine, endCharacter);
            w.WriteEndObject();
            w.WriteString("text", text);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        });

    /// <summary>textDocument/inlineCompletion at a position, triggered automatically (as by typing).</summary>
    public Task<JsonElement> InlineCompletionAsync(string uri, int line, int character, out int id) =>
        RequestAsync("textDocument/inlineCompletion", w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("textDocument");
            w.WriteString("uri", uri);
            w.WriteEndObject();
            WritePosition(w, "position", line, character);
            w.WriteStartObject("context");
            w.WriteNumber("triggerKind", 2);
            w.WriteEndObject();
            w.WriteEndObject();
        }, out id);

    /// <summary>Cancels a request the way editors do; the answer still arrives (as an error).</summary>
    public Task CancelAsync(int id) =>
        NotifyAsync("$/cancelRequest", w =>
        {
            w.WriteStartObject();
            w.WriteNumber("id", id);
            w.WriteEndObject();
        });

    /// <summary>The suggestion text of an inlineCompletion response; empty for none or an error.</summary>
    public static string SuggestionOf(JsonElement response) =>
        response.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Object
        && result.TryGetProperty("items", out var items) && items.GetArrayLength() > 0
        && items[0].TryGetProperty("insertText", out var text) && text.ValueKind == JsonValueKind.String
            ? text.GetString()!
            : string.Empty;

    private static void WritePosition(Utf8JsonWriter w, string name, int line, int character)
    {
        w.WriteStartObject(name);
        w.WriteNumber("line", line);
        w.WriteNumber("character", character);
        w.WriteEndObject();
    }

    private static async Task<JsonElement> AwaitBothAsync(Task send, Task<JsonElement> response)
    {
        await send.ConfigureAwait(false);
        return await response.ConfigureAwait(false);
    }

    private async Task SendAsync(Action<Utf8JsonWriter> writeBody)
    {
        var body = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writeBody(writer);
            writer.WriteEndObject();
        }

        var header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"Content-Length: {body.WrittenCount}\r\n\r\n"));
        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            await _output.WriteAsync(header).ConfigureAwait(false);
            await _output.WriteAsync(body.WrittenMemory).ConfigureAwait(false);
            await _output.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                var headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
                if (headerEnd < 0)
                {
                    if (filled == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    var read = await _input.ReadAsync(buffer.AsMemory(filled)).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    filled += read;
                    continue;
                }

                var length = ContentLength(buffer.AsSpan(0, headerEnd));
                var bodyStart = headerEnd + 4;
                while (filled < bodyStart + length)
                {
                    if (buffer.Length < bodyStart + length)
                    {
                        Array.Resize(ref buffer, Math.Max(buffer.Length * 2, bodyStart + length));
                    }

                    var read = await _input.ReadAsync(buffer.AsMemory(filled)).ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw new EndOfStreamException("the server closed the stream inside a message");
                    }

                    filled += read;
                }

                using (var document = JsonDocument.Parse(buffer.AsMemory(bodyStart, length)))
                {
                    await DispatchAsync(document.RootElement).ConfigureAwait(false);
                }

                var consumed = bodyStart + length;
                Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                filled -= consumed;
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or EndOfStreamException or InvalidOperationException)
        {
            // The server went away, or we closed the stream (a pipe then says reading is over); the waiters are failed below.
        }

        foreach (var waiter in _pending.Values)
        {
            waiter.TrySetException(new EndOfStreamException("the server closed the connection"));
        }
    }

    private async Task DispatchAsync(JsonElement message)
    {
        var hasId = message.TryGetProperty("id", out var id);
        var hasMethod = message.TryGetProperty("method", out _);
        if (hasId && hasMethod)
        {
            // A request from the server (progress, registration): answer it so it never waits on us.
            var answer = id.Clone();
            await SendAsync(w =>
            {
                w.WriteString("jsonrpc", "2.0");
                w.WritePropertyName("id");
                answer.WriteTo(w);
                w.WriteNull("result");
            }).ConfigureAwait(false);
        }
        else if (hasId && id.ValueKind == JsonValueKind.Number && _pending.TryRemove(id.GetInt32(), out var waiter))
        {
            waiter.TrySetResult(message.Clone());
        }
    }

    private static int ContentLength(ReadOnlySpan<byte> header)
    {
        foreach (var range in header.Split("\r\n"u8))
        {
            var line = header[range];
            var colon = line.IndexOf((byte)':');
            if (colon > 0 && Ascii.EqualsIgnoreCase(line[..colon], "Content-Length"u8))
            {
                return int.Parse(Encoding.ASCII.GetString(line[(colon + 1)..]).Trim(), CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidDataException("a message without Content-Length");
    }

    public async ValueTask DisposeAsync()
    {
        await _output.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _reader.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The reader ends when the server closes its side; a server that hangs is not ours to wait for.
        }

        _writeGate.Dispose();
    }
}
