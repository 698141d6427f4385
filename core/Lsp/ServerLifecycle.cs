using CodeAssist.Server.Documents;
using CodeAssist.Server.Protocol;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp;

/// <summary>
/// Where the session is in the LSP lifecycle (initialize → initialized → shutdown → exit), and what
/// was negotiated at initialize. Handlers ask it whether a message may be served.
/// </summary>
public sealed class ServerLifecycle
{
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _phase;
    private int _inFlight;
    private TaskCompletionSource _idle = CompletedIdle();

    /// <summary>True once shutdown has been received.</summary>
    public bool IsShuttingDown => Volatile.Read(ref _phase) >= 2;

    /// <summary>The client's initialize parameters.</summary>
    public InitializeParams? Client { get; private set; }

    /// <summary>The position encoding agreed with the client.</summary>
    public PositionEncoding Encoding { get; private set; } = PositionEncoding.Utf16;

    /// <summary>Completes with the process exit code when the client sends exit.</summary>
    public Task<int> ExitRequested => _exit.Task;

    /// <summary>Whether the client answers workspace/configuration requests.</summary>
    public bool ClientPullsConfiguration => Client?.Capabilities.Workspace?.Configuration == true;

    /// <summary>Records a successful initialize; a second initialize is an error.</summary>
    public void MarkInitialized(InitializeParams client, PositionEncoding encoding)
    {
        if (Interlocked.CompareExchange(ref _phase, 1, 0) != 0)
        {
            throw new LocalRpcException("initialize may only be sent once") { ErrorCode = LspErrorCodes.InvalidRequest };
        }

        Client = client;
        Encoding = encoding;
    }

    /// <summary>Records shutdown.</summary>
    public void MarkShutdown()
    {
        ThrowIfNotServing();
        Volatile.Write(ref _phase, 2);
    }

    /// <summary>Records exit: code 0 after shutdown, 1 without (as the specification asks).</summary>
    public void MarkExit() => _exit.TrySetResult(IsShuttingDown ? 0 : 1);

    /// <summary>Throws the LSP error for a request the server may not serve now.</summary>
    public void ThrowIfNotServing()
    {
        var phase = Volatile.Read(ref _phase);
        if (phase == 0)
        {
            throw new LocalRpcException("the server is not initialized: send initialize first") { ErrorCode = LspErrorCodes.ServerNotInitialized };
        }

        if (phase >= 2)
        {
            throw new LocalRpcException("the server is shutting down") { ErrorCode = LspErrorCodes.InvalidRequest };
        }
    }

    /// <summary>
    /// Checks that a request may be served and counts it as in flight until the returned handle is
    /// disposed, so that shutdown can answer after the requests before it.
    /// </summary>
    public IDisposable BeginRequest()
    {
        ThrowIfNotServing();
        lock (_exit)
        {
            if (_inFlight++ == 0)
            {
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        return new RequestScope(this);
    }

    /// <summary>Completes when no request is in flight, or after <paramref name="timeout"/>.</summary>
    public Task WaitForIdleAsync(TimeSpan timeout)
    {
        Task idle;
        lock (_exit)
        {
            idle = _idle.Task;
        }

        return Task.WhenAny(idle, Task.Delay(timeout));
    }

    private void EndRequest()
    {
        lock (_exit)
        {
            if (--_inFlight == 0)
            {
                _idle.TrySetResult();
            }
        }
    }

    private static TaskCompletionSource CompletedIdle()
    {
        var source = new TaskCompletionSource();
        source.SetResult();
        return source;
    }

    private sealed class RequestScope(ServerLifecycle owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.EndRequest();
            }
        }
    }

    /// <summary>Notifications are dropped before initialize and after shutdown.</summary>
    public bool AcceptsNotifications => Volatile.Read(ref _phase) == 1;
}
