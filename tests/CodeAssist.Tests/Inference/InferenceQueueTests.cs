using CodeAssist.Server.Inference;

namespace CodeAssist.Tests.Inference;

public class InferenceQueueTests
{
    private static int WaitUntilCancelled(CancellationToken token, ManualResetEventSlim started)
    {
        started.Set();
        if (!token.WaitHandle.WaitOne(TimeSpan.FromSeconds(30)))
        {
            return -1;
        }

        token.ThrowIfCancellationRequested();
        return 0;
    }

    [Fact]
    public async Task ANewerRequestForTheSameDocumentCancelsTheRunningOne()
    {
        using var queue = new InferenceQueue("test");
        using var started = new ManualResetEventSlim();
        var first = queue.RunAsync("doc", token => WaitUntilCancelled(token, started), CancellationToken.None);
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)));
        var second = queue.RunAsync("doc", _ => 2, CancellationToken.None);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal(2, await second);
    }

    [Fact]
    public async Task AQueuedRequestIsSupersededBeforeItStarts()
    {
        using var queue = new InferenceQueue("test");
        using var started = new ManualResetEventSlim();
        using var release = new CancellationTokenSource();
        var blocker = queue.RunAsync("other", token => WaitUntilCancelled(release.Token, started), CancellationToken.None);
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)));
        var ran = 0;
        var older = queue.RunAsync("doc", _ => Interlocked.Increment(ref ran), CancellationToken.None);
        var newer = queue.RunAsync("doc", _ => 42, CancellationToken.None);
        release.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocker);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => older);
        Assert.Equal(42, await newer);
        Assert.Equal(0, ran);
    }

    [Fact]
    public async Task RequestsForOtherDocumentsAreNotCancelled()
    {
        using var queue = new InferenceQueue("test");
        var a = queue.RunAsync("a", _ => 1, CancellationToken.None);
        var b = queue.RunAsync("b", _ => 2, CancellationToken.None);
        Assert.Equal(1, await a);
        Assert.Equal(2, await b);
    }

    [Fact]
    public async Task TheCallersTokenCancelsAndErrorsPropagate()
    {
        using var queue = new InferenceQueue("test");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.RunAsync<int>(null, _ => 1, cancelled.Token));
        await Assert.ThrowsAsync<InvalidOperationException>(() => queue.RunAsync<int>(null, _ => throw new InvalidOperationException("boom"), CancellationToken.None));
        Assert.Equal(3, await queue.RunAsync(null, _ => 3, CancellationToken.None));
    }
}
