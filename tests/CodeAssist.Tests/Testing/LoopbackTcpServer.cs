using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace CodeAssist.Tests.Testing;

/// <summary>
/// A server on 127.0.0.1 written on a raw socket, for tests that need it to misbehave below HTTP (cut a body, drip it,
/// answer what is not HTTP). It accepts connections until disposed and hands each to <see cref="ServeAsync"/>; a
/// derived class calls <see cref="StartAccepting"/> at the end of its constructor, once its own state is set.
/// </summary>
internal abstract class LoopbackTcpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _connections = [];
    private Task _accepting = Task.CompletedTask;

    protected LoopbackTcpServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
    }

    public int Port { get; }

    /// <summary>Cancelled when the server is disposed: every read and write of a connection should take it.</summary>
    protected CancellationToken Stopping => _stop.Token;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await Task.WhenAny(Task.WhenAll([_accepting, .. _connections]), Task.Delay(TimeSpan.FromSeconds(5)));
        _stop.Dispose();
    }

    /// <summary>
    /// Waits (at most 5 s) until every connection accepted so far is served to its end. A client can read the whole answer
    /// before the server's code after its last write has run, so what a server records there is read after this.
    /// </summary>
    protected void WaitForConnectionsServed() => Task.WhenAll(_connections).Wait(TimeSpan.FromSeconds(5));

    /// <summary>Serves one connection, and disposes <paramref name="client"/> when done.</summary>
    protected abstract Task ServeAsync(TcpClient client);

    protected void StartAccepting() => _accepting = Task.Run(AcceptAsync);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            // Counted before it starts, so that a connection already answered is never missing from the wait.
            var served = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections.Add(served.Task);
            _ = Task.Run(async () =>
            {
                try
                {
                    await ServeAsync(client);
                }
                finally
                {
                    served.TrySetResult();
                }
            });
        }
    }
}
