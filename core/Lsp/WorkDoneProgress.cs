using System.Collections.Concurrent;
using CodeAssist.Server.Protocol;

namespace CodeAssist.Server.Lsp;

/// <summary>
/// Reports a long operation as LSP work-done progress: with the token the client sent in the request, or with one
/// the server creates (window/workDoneProgress/create) when the client advertised window.workDoneProgress.
/// Without either, nothing is sent. A cancellable operation is cancelled by window/workDoneProgress/cancel with its token.
/// </summary>
public sealed class WorkDoneProgress(ServerLifecycle lifecycle, LanguageClient client)
{
    private readonly ConcurrentDictionary<string, WorkDoneProgressScope> _cancellable = new(StringComparer.Ordinal);
    private long _next;

    /// <summary>
    /// Sends the begin report (after creating a token if needed); dispose the result, or call End, to send the end report.
    /// When <paramref name="cancellable"/>, the client may cancel it (<see cref="Cancel"/>): the scope's
    /// <see cref="WorkDoneProgressScope.Cancelled"/> then fires.
    /// </summary>
    public async Task<WorkDoneProgressScope> BeginAsync(ProgressToken? clientToken, string title, CancellationToken cancellationToken, bool cancellable = false)
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

        var scope = new WorkDoneProgressScope(client, token, scope => _cancellable.TryRemove(Key(scope.Token!.Value), out _));
        if (token is { } begun)
        {
            if (cancellable)
            {
                _cancellable[Key(begun)] = scope;
            }

            await client.NotifyAsync(LspMethods.Progress, new ProgressParams { Token = begun, Value = new WorkDoneProgressBegin { Title = title, Cancellable = cancellable } }).ConfigureAwait(false);
        }

        return scope;
    }

    /// <summary>window/workDoneProgress/cancel: cancels the cancellable operation reported with <paramref name="token"/>; false when none is running.</summary>
    public bool Cancel(ProgressToken token)
    {
        if (_cancellable.TryGetValue(Key(token), out var scope))
        {
            scope.Cancel();
            return true;
        }

        return false;
    }

    // 1 and "1" are different tokens.
    private static string Key(ProgressToken token) => token.String is { } text ? "s:" + text : "n:" + token;
}

/// <summary>One reported operation; the end report is sent once.</summary>
public sealed class WorkDoneProgressScope : IAsyncDisposable
{
    private readonly LanguageClient _client;
    private readonly Action<WorkDoneProgressScope> _ended;
    private readonly CancellationTokenSource _cancel = new();
    private int _endedOnce;

    internal WorkDoneProgressScope(LanguageClient client, ProgressToken? token, Action<WorkDoneProgressScope> ended)
    {
        _client = client;
        Token = token;
        _ended = ended;
        Cancelled = _cancel.Token;
    }

    /// <summary>The token the reports carry; null when the client gets none.</summary>
    public ProgressToken? Token { get; }

    /// <summary>Fires when the client cancels the operation (window/workDoneProgress/cancel).</summary>
    public CancellationToken Cancelled { get; }

    internal void Cancel()
    {
        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Ended meanwhile: nothing left to cancel.
        }
    }

    /// <summary>Sends a report with <paramref name="message"/> and, when known, the <paramref name="percentage"/> done (0–100).</summary>
    public async Task ReportAsync(string message, int? percentage)
    {
        if (Token is { } token && Volatile.Read(ref _endedOnce) == 0)
        {
            await _client.NotifyAsync(LspMethods.Progress, new ProgressParams { Token = token, Value = new WorkDoneProgressReport { Message = message, Percentage = percentage } }).ConfigureAwait(false);
        }
    }

    /// <summary>Sends the end report with <paramref name="message"/>.</summary>
    public async Task EndAsync(string? message)
    {
        if (Interlocked.Exchange(ref _endedOnce, 1) != 0)
        {
            return;
        }

        if (Token is { } token)
        {
            _ended(this);
            await _client.NotifyAsync(LspMethods.Progress, new ProgressParams { Token = token, Value = new WorkDoneProgressEnd { Message = message } }).ConfigureAwait(false);
        }

        _cancel.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await EndAsync(null).ConfigureAwait(false);
}
