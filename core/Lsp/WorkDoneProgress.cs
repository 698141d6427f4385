using CodeAssist.Server.Protocol;

namespace CodeAssist.Server.Lsp;

/// <summary>
/// Reports a long operation as LSP work-done progress: with the token the client sent in the request, or with one
/// the server creates (window/workDoneProgress/create) when the client advertised window.workDoneProgress.
/// Without either, nothing is sent.
/// </summary>
public sealed class WorkDoneProgress(ServerLifecycle lifecycle, LanguageClient client)
{
    private long _next;

    /// <summary>Sends the begin report (after creating a token if needed); dispose the result, or call End, to send the end report.</summary>
    public async Task<WorkDoneProgressScope> BeginAsync(ProgressToken? clientToken, string title, CancellationToken cancellationToken)
    {
        var token = clientToken;
        if (token is null && lifecycle.Client?.Capabilities.Window?.WorkDoneProgress == true)
        {
            ProgressToken created = $"codeassist/{Environment.ProcessId}/{Interlocked.Increment(ref _next)}";
            if (await client.CreateWorkDoneProgressAsync(created, cancellationToken).ConfigureAwait(false))
            {
                token = created;
            }
        }

        if (token is { } begun)
        {
            await client.NotifyAsync(LspMethods.Progress, new ProgressParams { Token = begun, Value = new WorkDoneProgressBegin { Title = title, Cancellable = false } }).ConfigureAwait(false);
        }

        return new WorkDoneProgressScope(client, token);
    }
}

/// <summary>One reported operation; the end report is sent once.</summary>
public sealed class WorkDoneProgressScope : IAsyncDisposable
{
    private readonly LanguageClient _client;
    private readonly ProgressToken? _token;
    private int _ended;

    internal WorkDoneProgressScope(LanguageClient client, ProgressToken? token)
    {
        _client = client;
        _token = token;
    }

    /// <summary>Sends the end report with <paramref name="message"/>.</summary>
    public async Task EndAsync(string? message)
    {
        if (_token is { } token && Interlocked.Exchange(ref _ended, 1) == 0)
        {
            await _client.NotifyAsync(LspMethods.Progress, new ProgressParams { Token = token, Value = new WorkDoneProgressEnd { Message = message } }).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await EndAsync(null).ConfigureAwait(false);
}
