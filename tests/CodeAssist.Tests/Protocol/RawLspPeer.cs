using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CodeAssist.Tests.Protocol;

/// <summary>The client end of an LSP connection at the byte level: writes framed JSON text and reads framed replies.</summary>
internal sealed class RawLspPeer(Stream stream) : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public Task SendAsync(string json) => SendBytesAsync(Encoding.UTF8.GetBytes(json));

    public async Task SendBytesAsync(byte[] body)
    {
        byte[] header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n\r\n"));
        await stream.WriteAsync(header);
        await stream.WriteAsync(body);
        await stream.FlushAsync();
    }

    /// <summary>Writes <paramref name="bytes"/> as they are: a frame of one's own making, or none.</summary>
    public async Task SendUnframedAsync(byte[] bytes)
    {
        await stream.WriteAsync(bytes);
        await stream.FlushAsync();
    }

    /// <summary>Reads the next message; null when the other side closed the stream.</summary>
    public async Task<JsonElement?> ReadAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        int? contentLength = null;
        while (true)
        {
            string? line = await ReadHeaderLineAsync(cts.Token);
            if (line is null)
            {
                return null;
            }

            if (line.Length == 0)
            {
                break;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (line[..colon].Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                contentLength = int.Parse(line[(colon + 1)..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        byte[] body = new byte[contentLength ?? throw new InvalidDataException("No Content-Length header.")];
        await stream.ReadExactlyAsync(body, cts.Token);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Reads messages until one with the given id arrives (skipping server-initiated notifications).</summary>
    public async Task<JsonElement> ReadResponseAsync(int id)
    {
        while (true)
        {
            JsonElement message = await ReadAsync() ?? throw new EndOfStreamException("The server closed the connection.");
            if (message.TryGetProperty("id", out JsonElement idElement) && idElement.ValueKind == JsonValueKind.Number && idElement.GetInt32() == id)
            {
                return message;
            }
        }
    }

    public ValueTask DisposeAsync() => stream.DisposeAsync();

    private async Task<string?> ReadHeaderLineAsync(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        byte[] one = new byte[1];
        while (true)
        {
            int read = await stream.ReadAsync(one, cancellationToken);
            if (read == 0)
            {
                return line.Length == 0 ? null : throw new EndOfStreamException("Stream ended inside a header.");
            }

            if (one[0] == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            line.Append((char)one[0]);
        }
    }
}
