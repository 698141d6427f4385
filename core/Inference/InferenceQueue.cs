using System.Threading.Channels;

namespace CodeAssist.Server.Inference;

/// <summary>
/// One worker thread per model that runs inference jobs in order. LLamaSharp serializes every decode
/// in the process behind a global lock anyway, so a queue makes the waiting explicit. A job whose token is cancelled
/// (the completion pipeline cancels superseded requests, in one place) is dropped before it starts or aborted while it decodes.
/// </summary>
public sealed class InferenceQueue : IDisposable
{
    private readonly Channel<Job> _jobs = Channel.CreateUnbounded<Job>(new UnboundedChannelOptions { SingleReader = true });
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

    /// <summary>Runs <paramref name="work"/> on the worker; cancelling <paramref name="cancellationToken"/> drops it while it waits and aborts it while it runs.</summary>
    public Task<T> RunAsync<T>(Func<CancellationToken, T> work, CancellationToken cancellationToken)
    {
        var job = new Job(cancellationToken, _shutdown.Token, token => work(token));
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

    private sealed class Job(CancellationToken requestToken, CancellationToken shutdownToken, Func<CancellationToken, object?> work)
    {
        public TaskCompletionSource<object?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Execute()
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestToken, shutdownToken);
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
        }
    }
}
