using CodeAssist.Server.Inference;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Inference;

[Trait(TestCategory.Name, TestCategory.Unit)]
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
    public async Task CancellingARunningJobAbortsItAndTheNextOneRuns()
    {
        using var queue = new InferenceQueue("test");
        using var started = new ManualResetEventSlim();
        using var superseded = new CancellationTokenSource();
        var first = queue.RunAsync(token => WaitUntilCancelled(token, started), superseded.Token);
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)));
        var second = queue.RunAsync(_ => 2, CancellationToken.None);
        await superseded.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal(2, await second);
    }

    [Fact]
    public async Task ACancelledQueuedJobNeverStarts()
    {
        using var queue = new InferenceQueue("test");
        using var started = new ManualResetEventSlim();
        using var release = new CancellationTokenSource();
        using var superseded = new CancellationTokenSource();
        var blocker = queue.RunAsync(token => WaitUntilCancelled(release.Token, started), CancellationToken.None);
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)));
        var ran = 0;
        var older = queue.RunAsync(_ => Interlocked.Increment(ref ran), superseded.Token);
        var newer = queue.RunAsync(_ => 42, CancellationToken.None);
        await superseded.CancelAsync();
        release.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocker);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => older);
        Assert.Equal(42, await newer);
        Assert.Equal(0, ran);
    }

    [Fact]
    public async Task JobsRunInOrder()
    {
        using var queue = new InferenceQueue("test");
        var a = queue.RunAsync(_ => 1, CancellationToken.None);
        var b = queue.RunAsync(_ => 2, CancellationToken.None);
        Assert.Equal(1, await a);
        Assert.Equal(2, await b);
    }

    [Fact]
    public async Task TheCallersTokenCancelsAndErrorsPropagate()
    {
        using var queue = new InferenceQueue("test");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.RunAsync<int>(_ => 1, cancelled.Token));
        await Assert.ThrowsAsync<InvalidOperationException>(() => queue.RunAsync<int>(_ => throw new InvalidOperationException("boom"), CancellationToken.None));
        Assert.Equal(3, await queue.RunAsync(_ => 3, CancellationToken.None));
    }
}
