using System.Text.Json;
using CodeAssist.Server.Protocol;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp;

/// <summary>Messages the server sends to the editor. Safe to call before a connection exists (they are dropped).</summary>
public sealed class LanguageClient
{
    private JsonRpc? _rpc;

    /// <summary>Binds the connection once it is listening.</summary>
    public void Attach(JsonRpc rpc) => _rpc = rpc;

    /// <summary>True while a connection is attached and open.</summary>
    public bool IsConnected => _rpc is { IsDisposed: false };

    /// <summary>window/logMessage; never throws.</summary>
    public void LogMessage(MessageType type, string message) =>
        Notify(LspMethods.WindowLogMessage, new LogMessageParams { Type = type, Message = message });

    /// <summary>Sends a notification, ignoring a connection that has gone away.</summary>
    public void Notify<T>(string method, T argument)
    {
        if (_rpc is not { IsDisposed: false } rpc)
        {
            return;
        }

        _ = rpc.NotifyWithParameterObjectAsync(method, argument).ContinueWith(
            static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    /// <summary>Sends a notification and completes when it is written; false when there is no connection or it failed.</summary>
    public async Task<bool> NotifyAsync<T>(string method, T argument)
    {
        if (_rpc is not { IsDisposed: false } rpc)
        {
            return false;
        }

        try
        {
            await rpc.NotifyWithParameterObjectAsync(method, argument).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is ObjectDisposedException or ConnectionLostException or IOException)
        {
            return false;
        }
    }

    /// <summary>window/workDoneProgress/create; true when the client accepted the token.</summary>
    public async Task<bool> CreateWorkDoneProgressAsync(ProgressToken token, CancellationToken cancellationToken)
    {
        if (_rpc is not { IsDisposed: false } rpc)
        {
            return false;
        }

        try
        {
            await rpc.InvokeWithParameterObjectAsync(
                LspMethods.WindowWorkDoneProgressCreate, new WorkDoneProgressCreateParams { Token = token }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RemoteInvocationException)
        {
            // The client refused the token: no progress for this operation, and nothing else goes wrong.
            return false;
        }
    }

    /// <summary>workspace/configuration for several items, one answer per item (fewer when the client answers fewer); empty without a connection.</summary>
    public async Task<IReadOnlyList<JsonElement>> GetConfigurationAsync(IReadOnlyList<ConfigurationItem> items, CancellationToken cancellationToken)
    {
        if (_rpc is not { IsDisposed: false } rpc)
        {
            return [];
        }

        var request = new ConfigurationParams { Items = items };
        var result = await rpc.InvokeWithParameterObjectAsync<JsonElement[]>(LspMethods.WorkspaceConfiguration, request, cancellationToken).ConfigureAwait(false);
        return result ?? [];
    }
}
