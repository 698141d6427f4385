using System.Diagnostics;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Inference.Local;

/// <summary>
/// Keeps a loaded model's <see cref="TokenIndex"/> of a <see cref="ICopyCorpus"/> (the workspace) in the model's own
/// tokens. Building runs on a low-priority background thread, never on a request's path: a request gets the last index
/// finished (or none yet) and, when the corpus changed since, starts the next build. A rebuild reads every file's stamp
/// and tokenizes only the files that changed.
/// </summary>
internal sealed class CorpusIndexer(Func<string, LLamaToken[]> tokenize, InferenceStatistics? statistics, ILogger logger) : IDisposable
{
    // A changing workspace (a branch switch, a formatter over every file) is indexed again at most this often.
    private static readonly TimeSpan RebuildInterval = TimeSpan.FromSeconds(2);

    // Held while the model's tokenizer is in use here; Dispose takes it, so the weights are never freed under a build.
    private readonly Lock _tokenizer = new();
    private readonly Lock _gate = new();
    private TokenIndex? _index;
    private BuildKey? _built;
    private BuildKey? _building;
    private Task _build = Task.CompletedTask;
    private long _startedAt;
    private bool _disposed;

    /// <summary>The index to search for <paramref name="view"/>: the last one built for its corpus, possibly a little stale; null before the first is done.</summary>
    public TokenIndex? For(CorpusView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var key = new BuildKey(view.Files, view.Files.Generation, view.MaxTokens);
        lock (_gate)
        {
            if (key != _built && key != _building && _build.IsCompleted && !_disposed
                && (_built is null || _built.Corpus != key.Corpus || Stopwatch.GetElapsedTime(_startedAt) >= RebuildInterval))
            {
                Start(key);
            }

            return _built is { } built && built.Corpus == key.Corpus && built.MaxTokens == key.MaxTokens ? _index : null;
        }
    }

    /// <summary>Builds the index for <paramref name="view"/> now unless it is current, and waits for it (evaluation, tests, the bench).</summary>
    public async Task<TokenIndex?> BuildAsync(CorpusView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var key = new BuildKey(view.Files, view.Files.Generation, view.MaxTokens);
        Task build;
        lock (_gate)
        {
            build = _build;
        }

        await build.ConfigureAwait(false);
        lock (_gate)
        {
            if (key != _built && !_disposed)
            {
                Start(key);
            }

            build = _build;
        }

        await build.ConfigureAwait(false);
        lock (_gate)
        {
            return _built == key ? _index : null;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        lock (_tokenizer)
        {
            // A build in progress stops at its next file; from here on it never touches the tokenizer.
        }
    }

    private void Start(BuildKey key)
    {
        _building = key;
        _startedAt = Stopwatch.GetTimestamp();
        var previous = _built is { } built && built.Corpus == key.Corpus ? _index : null;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _build = done.Task;
        var thread = new Thread(() =>
        {
            try
            {
                Build(key, previous);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                logger.LogWarning("Workspace index: building failed: {Error}", ex.Message);
            }
            finally
            {
                lock (_gate)
                {
                    _building = null;
                }

                done.SetResult();
            }
        })
        {
            IsBackground = true,
            Priority = ThreadPriority.BelowNormal,
            Name = "codeassist-index",
        };
        thread.Start();
    }

    private void Build(BuildKey key, TokenIndex? previous)
    {
        var stopwatch = Stopwatch.StartNew();
        var files = new List<IndexedFile>();
        long tokens = 0;
        int reused = 0, skipped = 0;
        foreach (var path in key.Corpus.Files())
        {
            var stamp = key.Corpus.Stamp(path);
            if (stamp < 0)
            {
                skipped++;
                continue;
            }

            var ids = previous?.TokensOf(path, stamp);
            if (ids is not null)
            {
                reused++;
            }
            else if (key.Corpus.Read(path) is { } text)
            {
                lock (_tokenizer)
                {
                    if (Volatile.Read(ref _disposed))
                    {
                        return;
                    }

                    var read = tokenize(text);
                    ids = new int[read.Length];
                    for (var i = 0; i < read.Length; i++)
                    {
                        ids[i] = (int)read[i];
                    }
                }
            }
            else
            {
                skipped++;
                continue;
            }

            if (tokens + ids.Length > key.MaxTokens)
            {
                // The cap: the files after this one are left out (the stats say how many are indexed).
                break;
            }

            tokens += ids.Length;
            files.Add(new IndexedFile(path, stamp, ids));
        }

        var index = TokenIndex.Build(files);
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _index = index;
            _built = key;
        }

        statistics?.RecordIndex(index.FileCount, index.TokenCount, index.Bytes, stopwatch.Elapsed);
        logger.LogInformation(
            "Workspace index: {Files} files, {Tokens:N0} tokens, {MegaBytes:0.0} MB in {ElapsedMs:0} ms ({Reused} reused, {Skipped} skipped)",
            index.FileCount, index.TokenCount, index.Bytes / 1048576.0, stopwatch.Elapsed.TotalMilliseconds, reused, skipped);
    }

    private sealed record BuildKey(ICopyCorpus Corpus, int Generation, long MaxTokens);
}
