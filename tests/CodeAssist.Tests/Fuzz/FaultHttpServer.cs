using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Fuzz;

/// <summary>One request as a <see cref="FaultHttpServer"/> read it.</summary>
internal sealed record FaultRequest(string Path, string? Authorization, int BodyBytes);

/// <summary>
/// An HTTP server on 127.0.0.1 written on a raw socket, so that it can misbehave below HTTP: hang after the request,
/// drip its answer a byte at a time, answer bytes that are not HTTP, send a body without end, reset the connection,
/// or redirect elsewhere. Kestrel would not let a test do most of these.
/// </summary>
internal sealed class FaultHttpServer : LoopbackTcpServer
{
    private readonly ConcurrentQueue<FaultRequest> _requests = new();

    public FaultHttpServer(Func<FaultRequest, Stream, CancellationToken, Task> reply)
    {
        Reply = reply;
        StartAccepting();
    }

    /// <summary>What the server does once it has read a request.</summary>
    public Func<FaultRequest, Stream, CancellationToken, Task> Reply { get; set; }

    public IReadOnlyList<FaultRequest> Requests => [.. _requests];

    /// <summary>Writes a complete response with a JSON body.</summary>
    public static async Task WriteJsonAsync(Stream stream, int status, string json, CancellationToken cancellationToken, string? extraHeaders = null)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var head = string.Create(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n{extraHeaders}\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken);
        await stream.WriteAsync(body, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    protected override async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var request = await ReadRequestAsync(stream, Stopping);
                if (request is null)
                {
                    return;
                }

                _requests.Enqueue(request);
                await Reply(request, stream, Stopping);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client gave up (a timeout, a cap) or the server is stopping: that is how these faults end.
            }
        }
    }

    private static async Task<FaultRequest?> ReadRequestAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 64 * 1024)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                return null;
            }

            head.Add(one[0]);
            if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n')
            {
                break;
            }
        }

        var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n");
        var path = lines[0].Split(' ') is [_, var target, ..] ? target : "";
        string? authorization = null;
        var length = 0;
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                authorization = value;
            }
            else if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        var body = new byte[length];
        await stream.ReadExactlyAsync(body, cancellationToken);
        return new FaultRequest(path, authorization, length);
    }
}
