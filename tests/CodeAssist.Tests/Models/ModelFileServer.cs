using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Models;

/// <summary>One GET as a <see cref="ModelFileServer"/> read it and answered it.</summary>
internal sealed record FileRequest(string Path, string? Range, int Status, long BodyBytesSent);

/// <summary>
/// An HTTP/1.1 file server on 127.0.0.1 written on a raw socket, so that a test can throttle it, cut the connection in the
/// middle of a body, ignore range requests, announce a wrong length or answer 404. It serves <see cref="Body"/> at
/// <see cref="FilePath"/> (anything else is a 404) and honours <c>Range: bytes=N-</c> with 206 and Content-Range.
/// </summary>
internal sealed class ModelFileServer : LoopbackTcpServer
{
    public const string FilePath = "/models/test-model.gguf";

    private readonly ConcurrentQueue<FileRequest> _requests = new();

    public ModelFileServer(byte[] body)
    {
        Body = body;
        StartAccepting();
    }

    public string Url => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}{FilePath}");

    /// <summary>The file served.</summary>
    public byte[] Body { get; set; }

    /// <summary>Sends at most this many body bytes per second (null: as fast as the socket takes them).</summary>
    public int? BytesPerSecond { get; set; }

    /// <summary>The next answer closes the connection after this many body bytes (once; then it is cleared).</summary>
    public long? CutAfter { get; set; }

    /// <summary>Answers 200 with the whole file to a range request, as servers without range support do.</summary>
    public bool IgnoreRange { get; set; }

    /// <summary>Announces this Content-Length instead of the body's (and sends the body as it is).</summary>
    public long? AnnouncedLength { get; set; }

    /// <summary>Answers this status with an empty body instead of the file (404, 500, …).</summary>
    public int? Status { get; set; }

    /// <summary>Answers without a length: <c>Transfer-Encoding: chunked</c> (a cut then ends without the last chunk).</summary>
    public bool Chunked { get; set; }

    /// <summary>Called once the headers of a 200/206 answer are sent, before its body (a test can cancel there).</summary>
    public Action? OnBodyStarted { get; set; }

    /// <summary>The requests served so far, each recorded once its answer ended (waits for answers under way).</summary>
    public IReadOnlyList<FileRequest> Requests
    {
        get
        {
            WaitForConnectionsServed();
            return [.. _requests];
        }
    }

    protected override async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            string? path = null;
            string? range = null;
            var status = 0;
            long sent = 0;
            try
            {
                (path, range) = await ReadRequestAsync(stream, Stopping);
                if (path is null)
                {
                    return;
                }

                var body = Body;
                long start = 0;
                if (Status is not null || path != FilePath)
                {
                    status = Status ?? 404;
                    await WriteHeadAsync(stream, status, "Content-Length: 0\r\n");
                    return;
                }

                if (range is not null && !IgnoreRange && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
                {
                    start = long.Parse(range["bytes=".Length..^1], CultureInfo.InvariantCulture);
                    if (start >= body.Length)
                    {
                        status = 416;
                        await WriteHeadAsync(stream, status, string.Create(CultureInfo.InvariantCulture, $"Content-Range: bytes */{body.Length}\r\nContent-Length: 0\r\n"));
                        return;
                    }

                    status = 206;
                    await WriteHeadAsync(stream, status, string.Create(CultureInfo.InvariantCulture,
                        $"Content-Range: bytes {start}-{body.Length - 1}/{body.Length}\r\nContent-Length: {AnnouncedLength ?? body.Length - start}\r\n"));
                }
                else
                {
                    status = 200;
                    await WriteHeadAsync(stream, status, Chunked
                        ? "Transfer-Encoding: chunked\r\nAccept-Ranges: bytes\r\n"
                        : string.Create(CultureInfo.InvariantCulture, $"Content-Length: {AnnouncedLength ?? body.Length}\r\nAccept-Ranges: bytes\r\n"));
                }

                // Chunk framing applies to the whole-file answer (a range answer announces its length).
                var framed = Chunked && status == 200;
                OnBodyStarted?.Invoke();
                var cut = CutAfter;
                CutAfter = null;
                var end = cut is { } c ? Math.Min(body.Length, start + c) : body.Length;
                var chunk = BytesPerSecond is { } rate ? Math.Max(1, rate / 20) : 64 * 1024;
                for (var offset = start; offset < end; offset += chunk)
                {
                    var count = (int)Math.Min(chunk, end - offset);
                    if (framed)
                    {
                        await stream.WriteAsync(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{count:x}\r\n")), Stopping);
                    }

                    await stream.WriteAsync(body.AsMemory((int)offset, count), Stopping);
                    if (framed)
                    {
                        await stream.WriteAsync("\r\n"u8.ToArray(), Stopping);
                    }

                    sent += count;
                    if (BytesPerSecond is not null)
                    {
                        await Task.Delay(50, Stopping);
                    }
                }

                if (framed && cut is null)
                {
                    await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), Stopping);
                }

                // A cut closes the connection here, short of the length announced: the client reads every byte sent, then the end.
                await stream.FlushAsync(Stopping);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away (cancelled) or the server is stopping.
            }
            finally
            {
                if (path is not null)
                {
                    _requests.Enqueue(new FileRequest(path, range, status, sent));
                }
            }
        }
    }

    private async Task WriteHeadAsync(Stream stream, int status, string headers)
    {
        var reason = status switch { 200 => "OK", 206 => "Partial Content", 404 => "Not Found", 416 => "Range Not Satisfiable", _ => "Status" };
        var head = string.Create(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {reason}\r\nContent-Type: application/octet-stream\r\n{headers}Connection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Stopping);
        await stream.FlushAsync(Stopping);
    }

    private static async Task<(string? Path, string? Range)> ReadRequestAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 64 * 1024)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                return (null, null);
            }

            head.Add(one[0]);
            if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n')
            {
                break;
            }
        }

        var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n");
        var path = lines[0].Split(' ') is [_, var target, ..] ? target : "";
        string? range = null;
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim().Equals("Range", StringComparison.OrdinalIgnoreCase))
            {
                range = line[(colon + 1)..].Trim();
            }
        }

        return (path, range);
    }
}
