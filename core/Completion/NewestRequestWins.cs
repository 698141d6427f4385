using System.Collections.Concurrent;

namespace CodeAssist.Server.Completion;

/// <summary>
/// The one place where a newer completion request for a document cancels the older ones, wherever they are: in the
/// debounce, waiting for a model, or decoding (the token reaches the inference queue and the remote calls).
/// </summary>
internal sealed class NewestRequestWins
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _latestByDocument = new(StringComparer.Ordinal);

    /// <summary>Cancels the older request for <paramref name="documentKey"/> and returns this one's turn; dispose it when the request is done.</summary>
    public Turn Begin(string documentKey, CancellationToken cancellationToken)
    {
        var superseding = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_latestByDocument.TryGetValue(documentKey, out var older))
        {
            CancelQuietly(older);
        }

        _latestByDocument[documentKey] = superseding;
        return new Turn(this, documentKey, superseding);
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // It finished and was disposed in between: nothing left to cancel.
        }
    }

    /// <summary>One request's turn: its token is cancelled when a newer request for the same document begins.</summary>
    internal sealed class Turn(NewestRequestWins owner, string documentKey, CancellationTokenSource source) : IDisposable
    {
        /// <summary>Cancelled by the caller or by a newer request.</summary>
        public CancellationToken Token { get; } = source.Token;

        /// <inheritdoc />
        public void Dispose()
        {
            owner._latestByDocument.TryRemove(new KeyValuePair<string, CancellationTokenSource>(documentKey, source));
            source.Dispose();
        }
    }
}
