using System.Collections.Concurrent;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Models;
using CodeAssist.Server.Prompting;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace CodeAssist.Tests.Models;

/// <summary>The lifecycle both tiers' models go through, with fake models: the load gate, failed settings, state events, switching and retiring.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ModelLifecycleTests
{
    private static readonly Key A = new("a");
    private static readonly Key B = new("b");
    private static readonly Key Broken = new("broken", Fails: true);

    [Fact]
    public async Task ConcurrentCallersShareOneLoad()
    {
        var loader = new Loader { Blocked = true };
        using var lifecycle = new ModelLifecycle<Key, FakeModel>(NullLogger.Instance);
        var callers = Enumerable.Range(0, 8).Select(_ => Task.Run(() => lifecycle.GetAsync(() => A, loader.Load, CancellationToken.None))).ToArray();
        await WaitUntil(() => loader.Loads == 1);
        await Task.Delay(100);

        loader.Blocked = false;
        var models = await Task.WhenAll(callers);

        Assert.All(models, model => Assert.Same(models[0], model));
        Assert.Equal("a", models[0]!.Description.Id);
        Assert.Equal(1, loader.Loads);
    }

    [Fact]
    public async Task LoadsRunOneAtATime()
    {
        var loader = new Loader { Blocked = true };
        using var lifecycle = new ModelLifecycle<Key, FakeModel>(NullLogger.Instance);
        var loading = lifecycle.GetAsync(() => A, loader.Load, CancellationToken.None);
        await WaitUntil(() => loader.Loads == 1);
        var switching = lifecycle.SwitchAsync(() => B, loader.Load, () => { }, CancellationToken.None);
        var wanting = lifecycle.GetAsync(() => B, loader.Load, CancellationToken.None);
        await Task.Delay(100);
        Assert.Equal(1, loader.Loads);

        loader.Blocked = false;
        var a = await loading;
        var b = await switching;

        Assert.Same(b, await wanting);
        Assert.NotSame(a, b);
        Assert.Equal(2, loader.Loads);
        Assert.Equal(1, loader.MostAtOnce);
        Assert.Same(b, lifecycle.Current);
    }

    [Fact]
    public async Task ALoadRunsToItsEndWhenItsCallerGivesUp()
    {
        var loader = new Loader { Blocked = true };
        using var lifecycle = new ModelLifecycle<Key, FakeModel>(NullLogger.Instance);
        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        var loading = lifecycle.GetAsync(() => A, loader.Load, first.Token);
        await WaitUntil(() => loader.Loads == 1);
        var waiting = lifecycle.GetAsync(() => A, loader.Load, second.Token);

        // The caller waiting for the gate stops waiting; the one whose load runs gets its model all the same.
        second.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        first.Cancel();
        loader.Blocked = false;
        var model = await loading;

        Assert.NotNull(model);
        Assert.Same(model, await lifecycle.GetAsync(() => A, loader.Load, CancellationToken.None));
        Assert.Equal(1, loader.Loads);
    }

    [Fact]
    public async Task FailedSettingsAreNotTriedAgainUntilTheFailureIsForgotten()
    {
        var loader = new Loader();
        var logged = new ConcurrentQueue<string>();
        using var lifecycle = new ModelLifecycle<Key, FakeModel>(
            NullLogger.Instance, new ModelLifecycleHooks<Key> { LoadFailed = (key, error) => logged.Enqueue($"{key.Name}: {error}") });

        Assert.Null(await lifecycle.GetAsync(() => Broken, loader.Load, CancellationToken.None));
        Assert.Null(await lifecycle.GetAsync(() => Broken, loader.Load, CancellationToken.None));
        Assert.Equal(1, loader.Loads);
        Assert.True(lifecycle.HasFailed(Broken));
        Assert.False(lifecycle.HasFailed(A));
        Assert.Equal(ModelState.Error, lifecycle.State);
        Assert.Equal("broken does not load", lifecycle.LastError);

        // The settings changed: they are tried again (and fail again, logged again).
        lifecycle.ForgetFailure();
        Assert.Null(await lifecycle.GetAsync(() => Broken, loader.Load, CancellationToken.None));
        Assert.Equal(2, loader.Loads);
        Assert.Equal(["broken: broken does not load", "broken: broken does not load"], logged);

        // A model loaded from other settings forgets the failure too: the settings changed since.
        Assert.NotNull(await lifecycle.GetAsync(() => A, loader.Load, CancellationToken.None));
        Assert.False(lifecycle.HasFailed(Broken));
        Assert.Null(await lifecycle.GetAsync(() => Broken, loader.Load, CancellationToken.None));
        Assert.Equal(4, loader.Loads);
    }

    [Fact]
    public async Task SettingsThatNameNoModelFailWithoutLoadingOrRetiring()
    {
        var loader = new Loader();
        var none = new Key("none");
        using var lifecycle = new ModelLifecycle<Key, FakeModel>(
            NullLogger.Instance,
            new ModelLifecycleHooks<Key> { RetireBeforeLoad = true, Unusable = key => key == none ? "nothing to load" : null });
        var a = await lifecycle.GetAsync(() => A, loader.Load, CancellationToken.None);
        var events = Record(lifecycle);

        Assert.Null(await lifecycle.GetAsync(() => none, loader.Load, CancellationToken.None));

        Assert.Equal([Event(ModelState.Loading), Event(ModelState.Error, "nothing to load")], events);
        Assert.Equal(1, loader.Loads);
        Assert.True(lifecycle.HasFailed(none));
        Assert.Same(a, lifecycle.Current);
        Assert.False(a!.Disposed);
    }

    [Fact]
    public async Task LoadsReportLoadingThenReadyOrError()
    {
        var loader = new Loader();
        using var lifecycle = new ModelLifecycle<Key, FakeModel>(NullLogger.Instance);
        var events = Record(lifecycle);
        Assert.Equal(ModelState.NotLoaded, lifecycle.State);

        await lifecycle.GetAsync(() => A, loader.Load, CancellationToken.None);
        await lifecycle.GetAsync(() => A, loader.Load, CancellationToken.None);
        Assert.Equal([Event(ModelState.Loading), Event(ModelState.Ready)], events);
        Assert.Equal(A, lifecycle.LoadingKey);

        await lifecycle.GetAsync(() => Broken, loader.Load, CancellationToken.None);
        Assert.Equal(
            [Event(ModelState.Loading), Event(ModelState.Ready), Event(ModelState.Loading), Event(ModelState.Error, "broken does not load")],
            events);
        Assert.Equal(Broken, lifecycle.LoadingKey);
    }

    [Fact]
    public async Task ASwitchRetiresThePreviousModelOnceItsRequestsAreDone()
    {
        var loader = new Loader();
        using var lifecycle = new ModelLifecycle<Key, FakeModel>(NullLogger.Instance);
        var a = (await lifecycle.GetAsync(() => A, loader.Load, CancellationToken.None))!;
        a.Pending = 1;
        var events = Record(lifecycle);
        FakeModel? currentAtSwitch = null;

        var b = await lifecycle.SwitchAsync(() => B, loader.Load, () => currentAtSwitch = lifecycle.Current, CancellationToken.None);

        Assert.Same(b, currentAtSwitch);
        Assert.Same(b, lifecycle.Current);
        Assert.Same(b, lifecycle.ReadyFor(B));
        Assert.Null(lifecycle.ReadyFor(A));
        Assert.Equal([Event(ModelState.Loading), Event(ModelState.Ready)], events);

        // The request in flight on the old model finishes; only then is it disposed.
        await Task.Delay(200);
        Assert.False(a.Disposed);
        a.Pending = 0;
        await WaitUntil(() => a.Disposed);
        Assert.False(b.Disposed);

        // Switching to the model in use loads nothing and still records the switch.
        var switched = 0;
        Assert.Same(b, await lifecycle.SwitchAsync(() => B, loader.Load, () => switched++, CancellationToken.None));
        Assert.Equal(1, switched);
        Assert.Equal(2, loader.Loads);
    }

    [Fact]
    public async Task AFailedSwitchKeepsThePreviousModel()
    {
        var loader = new Loader();
        var logged = new ConcurrentQueue<string>();
        using var lifecycle = new ModelLifecycle<Key, FakeModel>(
            NullLogger.Instance, new ModelLifecycleHooks<Key> { SwitchFailed = (key, error) => logged.Enqueue($"{key.Name}: {error}") });
        var a = (await lifecycle.GetAsync(() => A, loader.Load, CancellationToken.None))!;
        var events = Record(lifecycle);
        var switched = false;

        var failure = await Assert.ThrowsAsync<ModelLoadException>(() => lifecycle.SwitchAsync(() => Broken, loader.Load, () => switched = true, CancellationToken.None));

        Assert.Equal("broken does not load", failure.Message);
        Assert.False(switched);
        Assert.Same(a, lifecycle.Current);
        Assert.False(a.Disposed);
        Assert.Equal([Event(ModelState.Loading), Event(ModelState.Ready, "broken does not load")], events);
        Assert.Equal(A, lifecycle.LoadingKey);
        Assert.False(lifecycle.HasFailed(Broken));
        Assert.Equal(["broken: broken does not load"], logged);
    }

    [Fact]
    public async Task AFailedSwitchWithNothingLoadedIsAnError()
    {
        using var lifecycle = new ModelLifecycle<Key, FakeModel>(NullLogger.Instance);
        var events = Record(lifecycle);

        await Assert.ThrowsAsync<ModelLoadException>(() => lifecycle.SwitchAsync(() => Broken, new Loader().Load, () => { }, CancellationToken.None));

        Assert.Equal([Event(ModelState.Loading), Event(ModelState.Error, "broken does not load")], events);
        Assert.Null(lifecycle.LoadingKey);
    }

    [Fact]
    public async Task RetiringBeforeALoadWaitsForThePreviousModelsRequestsThenDisposesItFirst()
    {
        var loader = new Loader();
        using var lifecycle = new ModelLifecycle<Key, FakeModel>(NullLogger.Instance, new ModelLifecycleHooks<Key> { RetireBeforeLoad = true });
        var a = (await lifecycle.GetAsync(() => A, loader.Load, CancellationToken.None))!;
        a.Pending = 1;
        bool? disposedBeforeLoad = null;
        loader.BeforeLoad = key =>
        {
            if (key == B)
            {
                disposedBeforeLoad = a.Disposed;
            }
        };

        var loading = lifecycle.GetAsync(() => B, loader.Load, CancellationToken.None);
        await Task.Delay(200);
        Assert.Equal(1, loader.Loads);
        Assert.Equal(ModelState.Loading, lifecycle.State);
        Assert.Null(lifecycle.ReadyFor(A));

        a.Pending = 0;
        var b = await loading;
        Assert.True(disposedBeforeLoad);
        Assert.Same(b, lifecycle.Current);
    }

    [Fact]
    public async Task WithoutRetiringFirstTheNewModelLoadsBeforeThePreviousIsDisposed()
    {
        var loader = new Loader();
        using var lifecycle = new ModelLifecycle<Key, FakeModel>(NullLogger.Instance);
        var a = (await lifecycle.GetAsync(() => A, loader.Load, CancellationToken.None))!;
        bool? disposedBeforeLoad = null;
        loader.BeforeLoad = key =>
        {
            if (key == B)
            {
                disposedBeforeLoad = a.Disposed;
            }
        };

        var b = await lifecycle.GetAsync(() => B, loader.Load, CancellationToken.None);

        Assert.False(disposedBeforeLoad);
        Assert.Same(b, lifecycle.Current);
        await WaitUntil(() => a.Disposed);
    }

    [Fact]
    public async Task ReleaseRetiresAModelNoLongerWantedAndForgetsFailures()
    {
        var loader = new Loader();
        using var lifecycle = new ModelLifecycle<Key, FakeModel>(NullLogger.Instance);
        var a = (await lifecycle.GetAsync(() => A, loader.Load, CancellationToken.None))!;
        var events = Record(lifecycle);

        lifecycle.Release(A);
        Assert.Empty(events);
        Assert.Same(a, lifecycle.Current);

        lifecycle.Release(B);
        Assert.Equal([Event(ModelState.NotLoaded)], events);
        Assert.Null(lifecycle.Current);
        await WaitUntil(() => a.Disposed);

        await lifecycle.GetAsync(() => Broken, loader.Load, CancellationToken.None);
        lifecycle.Release(null);
        Assert.Equal(ModelState.NotLoaded, lifecycle.State);
        Assert.False(lifecycle.HasFailed(Broken));
    }

    [Fact]
    public async Task DisposingDisposesTheModelAndRefusesLoads()
    {
        var loader = new Loader();
        var lifecycle = new ModelLifecycle<Key, FakeModel>(NullLogger.Instance);
        var a = (await lifecycle.GetAsync(() => A, loader.Load, CancellationToken.None))!;

        lifecycle.Dispose();

        Assert.True(a.Disposed);
        Assert.Null(lifecycle.Current);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => lifecycle.GetAsync(() => B, loader.Load, CancellationToken.None));
    }

    private static List<(ModelState State, string? Error)> Record(ModelLifecycle<Key, FakeModel> lifecycle)
    {
        var events = new List<(ModelState State, string? Error)>();
        lifecycle.StateChanged += (state, error) =>
        {
            lock (events)
            {
                events.Add((state, error));
            }
        };
        return events;
    }

    private static (ModelState State, string? Error) Event(ModelState state, string? error = null) => (state, error);

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var waited = 0; !condition(); waited += 10)
        {
            Assert.True(waited < 10_000, "timed out");
            await Task.Delay(10);
        }
    }

    /// <summary>Settings for a fake model; <paramref name="Fails"/> makes its load throw.</summary>
    private sealed record Key(string Name, bool Fails = false);

    /// <summary>Loads fake models and counts the loads, and how many ran at once; a blocked loader waits until unblocked.</summary>
    private sealed class Loader
    {
        private int _blocked;
        private int _loads;
        private int _running;
        private int _mostAtOnce;

        public bool Blocked
        {
            get => Volatile.Read(ref _blocked) == 1;
            set => Volatile.Write(ref _blocked, value ? 1 : 0);
        }

        public Action<Key>? BeforeLoad { get; set; }

        public int Loads => Volatile.Read(ref _loads);

        public int MostAtOnce => Volatile.Read(ref _mostAtOnce);

        public FakeModel Load(Key key)
        {
            Interlocked.Increment(ref _loads);
            var running = Interlocked.Increment(ref _running);
            for (var most = Volatile.Read(ref _mostAtOnce); running > most; most = Volatile.Read(ref _mostAtOnce))
            {
                Interlocked.CompareExchange(ref _mostAtOnce, running, most);
            }

            try
            {
                Assert.True(SpinWait.SpinUntil(() => !Blocked, TimeSpan.FromSeconds(30)), "the loader was never unblocked");
                BeforeLoad?.Invoke(key);
                return key.Fails ? throw new ModelLoadException($"{key.Name} does not load") : new FakeModel(key.Name);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }
    }

    /// <summary>A model that generates nothing, reports the requests it is said to have queued, and knows whether it was disposed.</summary>
    private sealed class FakeModel(string name) : ICompletionModel, IQueuedModel
    {
        private int _pending;
        private int _disposed;

        public ModelDescription Description { get; } = new(name, "/fake/" + name, "fake", FimTemplate.PrefixOnly, 4096, 0, 0);

        public int Pending
        {
            get => Volatile.Read(ref _pending);
            set => Volatile.Write(ref _pending, value);
        }

        public int PendingRequests => Pending;

        public bool Disposed => Volatile.Read(ref _disposed) == 1;

        public int CountTokens(string text) => text.Length;

        public Task<ModelCompletion> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(new ModelCompletion("", "", 0, 0, 0, 0, 0, StopReason.EndToken, TimeSpan.Zero));

        public void Dispose() => Volatile.Write(ref _disposed, 1);
    }
}
