using System.Threading.Channels;

namespace CodeAssist.Server.Inference;

/// <summary>
/// One worker thread per model that runs inference jobs in order. LLamaSharp serializes every decode
/// in the process behind a global lock anyway, so a queue makes the waiting explicit, and lets the
/// newest request for a document cancel the older ones before they start or while they decode.
/// </summary>
public sealed class InferenceQueue : IDisposable
{
    private readonly Channel<Job> _jobs = Channel.CreateUnbounded<Job>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, Job> _latestByKey = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Thread _worker;
    private int _pending;

    /// <summary>Starts the worker thread.</summary>
    public InferenceQueue(string name)
    {
        _worker = new Thread(Run) { IsBackground = true, Name = $"inference:{name}" };
        _worker.Start();
    }

    /// <summary>Jobs waiting or running.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>
    /// Runs <paramref name="work"/> on the worker. A later job with the same <paramref name="supersedeKey"/>
    /// cancels this one, whether it is still waiting or already running.
    /// </summary>
    public Task<T> RunAsync<T>(string? supersedeKey, Func<CancellationToken, T> work, CancellationToken cancellationToken)
    {
        var job = new Job(supersedeKey, cancellationToken, _shutdown.Token, token => work(token));
        lock (_gate)
        {
            if (supersedeKey is not null)
            {
                if (_latestByKey.TryGetValue(supersedeKey, out var older))
                {
                    older.Supersede();
                }

                _latestByKey[supersedeKey] = job;
            }
        }

        Interlocked.Increment(ref _pending);
        if (!_jobs.Writer.TryWrite(job))
        {
            Interlocked.Decrement(ref _pending);
            throw new ObjectDisposedException(nameof(InferenceQueue));
        }

        return job.Completion.Task.ContinueWith(
            static t => (T)t.GetAwaiter().GetResult()!,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private void Run()
    {
        var reader = _jobs.Reader;
        while (true)
        {
            Job job;
            try
            {
                if (!reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                {
                    return;
                }

                if (!reader.TryRead(out job!))
                {
                    continue;
                }
            }
            catch (ChannelClosedException)
            {
                return;
            }

            try
            {
                job.Execute();
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
                lock (_gate)
                {
                    if (job.Key is not null && _latestByKey.TryGetValue(job.Key, out var latest) && ReferenceEquals(latest, job))
                    {
                        _latestByKey.Remove(job.Key);
                    }
                }
            }
        }
    }

    /// <summary>Stops taking jobs, cancels the queued and running ones, and waits for the worker to finish.</summary>
    public void Dispose()
    {
        _jobs.Writer.TryComplete();
        _shutdown.Cancel();
        if (Thread.CurrentThread != _worker)
        {
            _worker.Join();
        }

        _shutdown.Dispose();
    }

    private sealed class Job(string? key, CancellationToken requestToken, CancellationToken shutdownToken, Func<CancellationToken, object?> work)
    {
        private readonly CancellationTokenSource _superseded = new();

        public string? Key { get; } = key;

        public TaskCompletionSource<object?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Supersede()
        {
            try
            {
                _superseded.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public void Execute()
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestToken, _superseded.Token, shutdownToken);
            try
            {
                linked.Token.ThrowIfCancellationRequested();
                Completion.TrySetResult(work(linked.Token));
            }
            catch (OperationCanceledException)
            {
                Completion.TrySetCanceled(requestToken.IsCancellationRequested ? requestToken : linked.Token);
            }
            catch (Exception ex)
            {
                Completion.TrySetException(ex);
            }
            finally
            {
                _superseded.Dispose();
            }
        }
    }
}
