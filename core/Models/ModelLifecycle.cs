using CodeAssist.Server.Inference;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Models;

/// <summary>What a <see cref="ModelLifecycle{TKey, TModel}"/> does and logs differently for its tier.</summary>
/// <typeparam name="TKey">The settings a model is loaded from.</typeparam>
public sealed record ModelLifecycleHooks<TKey>
{
    /// <summary>
    /// Whether a load on use (<see cref="ModelLifecycle{TKey, TModel}.GetAsync"/>) first retires the current model and
    /// waits until its queued requests are done, so that two models are never held at once; otherwise the new model is
    /// loaded first and the old one retired after. A switch always loads first (the old model answers meanwhile).
    /// </summary>
    public bool RetireBeforeLoad { get; init; }

    /// <summary>Why the settings name no model that could be loaded, checked before anything is retired; null when they name one.</summary>
    public Func<TKey, string?> Unusable { get; init; } = static _ => null;

    /// <summary>Logs a load on use that failed, with the error (once: the same settings are not tried again).</summary>
    public Action<TKey, string> LoadFailed { get; init; } = static (_, _) => { };

    /// <summary>Logs a switch that failed, with the error (the previous model stays).</summary>
    public Action<TKey, string> SwitchFailed { get; init; } = static (_, _) => { };

    /// <summary>Logs a model that was loaded and is now in use.</summary>
    public Action<TKey> Loaded { get; init; } = static _ => { };
}

/// <summary>
/// The life of one tier's model, the same for the local and the fallback tier: loads one model at a time (a load runs
/// to its end even if the caller gives up), remembers the settings it was loaded from and the settings that failed
/// (not tried again until told, see <see cref="ForgetFailure"/>, or until a model loads), reports its state
/// (<see cref="StateChanged"/>, for <c>codeAssist/status</c>), and switches to another model, retiring the previous
/// one once the requests queued on it are done (<see cref="ModelRetirement"/>).
/// </summary>
/// <typeparam name="TKey">The settings a model is loaded from; equal keys mean the same model (a record).</typeparam>
/// <typeparam name="TModel">The model.</typeparam>
public sealed class ModelLifecycle<TKey, TModel> : IDisposable
    where TKey : class
    where TModel : class, ICompletionModel
{
    private static readonly EqualityComparer<TKey?> Keys = EqualityComparer<TKey?>.Default;

    private readonly ILogger _logger;
    private readonly ModelLifecycleHooks<TKey> _hooks;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Slot? _slot;
    private TKey? _failedKey;
    private bool _disposed;

    /// <summary>Creates the lifecycle; <paramref name="logger"/> reports the retirement of previous models.</summary>
    public ModelLifecycle(ILogger logger, ModelLifecycleHooks<TKey>? hooks = null)
    {
        _logger = logger;
        _hooks = hooks ?? new ModelLifecycleHooks<TKey>();
    }

    /// <summary>Raised when the state changes (loading, ready, error), with the error if any.</summary>
    public event Action<ModelState, string?>? StateChanged;

    /// <summary>The current state.</summary>
    public ModelState State { get; private set; } = ModelState.NotLoaded;

    /// <summary>Why the last load failed, or why the last switch did not happen.</summary>
    public string? LastError { get; private set; }

    /// <summary>The model in use, if any, without loading; it may have been loaded from other settings than the current ones.</summary>
    public TModel? Current => Volatile.Read(ref _slot)?.Model;

    /// <summary>
    /// The settings being loaded while <see cref="State"/> is <see cref="ModelState.Loading"/>; else the last ones tried
    /// (those of the model in use after a switch that failed).
    /// </summary>
    public TKey? LoadingKey { get; private set; }

    /// <summary>The model in use if it was loaded from <paramref name="key"/>, without loading; else null.</summary>
    public TModel? ReadyFor(TKey key) => Volatile.Read(ref _slot) is { } slot && Keys.Equals(slot.Key, key) ? slot.Model : null;

    /// <summary>
    /// True when loading from <paramref name="key"/> failed and will not be tried again until <see cref="ForgetFailure"/>
    /// (or until a model loads from other settings).
    /// </summary>
    public bool HasFailed(TKey key) => Keys.Equals(Volatile.Read(ref _failedKey), key);

    /// <summary>Forgets the settings that failed, so that the next request tries them again (their settings changed).</summary>
    public void ForgetFailure() => Volatile.Write(ref _failedKey, null);

    /// <summary>
    /// The model for the settings <paramref name="wanted"/> names, loaded with <paramref name="load"/> if needed. Returns
    /// null (and logs once) when it cannot be loaded: <paramref name="load"/> threw <see cref="ModelLoadException"/>, or
    /// the settings name nothing to load; the same settings are not tried again until <see cref="ForgetFailure"/> (or a
    /// model loads). <paramref name="wanted"/> is asked again once the load gate is taken, so settings that changed
    /// meanwhile count. A load runs to its end even if <paramref name="cancellationToken"/> fires (which only stops the
    /// wait for the gate).
    /// </summary>
    public async Task<TModel?> GetAsync(Func<TKey> wanted, Func<TKey, TModel> load, CancellationToken cancellationToken)
    {
        var key = wanted();
        if (ReadyFor(key) is { } model)
        {
            return model;
        }

        if (HasFailed(key))
        {
            return null;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            key = wanted();
            if (ReadyFor(key) is { } loaded)
            {
                return loaded;
            }

            if (HasFailed(key))
            {
                return null;
            }

            return await Task.Run(() => LoadAsync(key, load), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Loads the model for the settings <paramref name="wanted"/> names (asked once the load gate is taken) and, once it
    /// is loaded, switches to it: <paramref name="onSwitched"/> runs at the moment of the switch (it records the
    /// selection, so that the settings then name this model), and the previous model is disposed when its queued
    /// requests are done. Other requests keep using the previous model while this one loads; on failure it stays in use
    /// and the <see cref="ModelLoadException"/> of <paramref name="load"/> says why. <paramref name="prepare"/> runs on the
    /// loaded model before the switch, with the previous model still answering (it warms the new one); a failure there is
    /// its own to report, and the switch goes on.
    /// </summary>
    public async Task<TModel> SwitchAsync(Func<TKey> wanted, Func<TKey, TModel> load, Action onSwitched, CancellationToken cancellationToken, Func<TModel, TModel?, Task>? prepare = null)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var key = wanted();
            if (ReadyFor(key) is { } current)
            {
                onSwitched();
                return current;
            }

            LoadingKey = key;
            SetState(ModelState.Loading, null);
            TModel loaded;
            try
            {
                loaded = await Task.Run(() => load(key), CancellationToken.None).ConfigureAwait(false);
            }
            catch (ModelLoadException ex)
            {
                _hooks.SwitchFailed(key, ex.Message);
                var previous = Volatile.Read(ref _slot);
                LoadingKey = previous?.Key;

                // The previous model answers on; the status says why the switch did not happen.
                SetState(previous is null ? ModelState.Error : ModelState.Ready, ex.Message);
                throw;
            }

            if (prepare is not null)
            {
                await prepare(loaded, Current).ConfigureAwait(false);
            }

            Install(loaded, key, onSwitched);
            return loaded;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Retires the model in use unless it was loaded from <paramref name="wanted"/> (null: no model is wanted) and
    /// forgets the settings that failed; the state becomes <see cref="ModelState.NotLoaded"/> when either changed
    /// anything. Does not wait for a load in progress.
    /// </summary>
    public void Release(TKey? wanted)
    {
        var changed = false;
        if (Volatile.Read(ref _slot) is { } slot && (wanted is null || !Keys.Equals(slot.Key, wanted))
            && Interlocked.CompareExchange(ref _slot, null, slot) == slot)
        {
            ModelRetirement.DisposeWhenIdle(slot.Model, _logger);
            changed = true;
        }

        if (Interlocked.Exchange(ref _failedKey, null) is { } failed && (wanted is null || !Keys.Equals(failed, wanted)))
        {
            changed = true;
        }

        if (changed)
        {
            SetState(ModelState.NotLoaded, null);
        }
    }

    private async Task<TModel?> LoadAsync(TKey key, Func<TKey, TModel> load)
    {
        LoadingKey = key;
        SetState(ModelState.Loading, null);
        if (_hooks.Unusable(key) is { } problem)
        {
            return Fail(key, problem);
        }

        if (_hooks.RetireBeforeLoad)
        {
            // The settings ask for another model, so no new request takes the old one (they wait for this load); it
            // finishes what is queued on it and goes before the new one loads. Two models at once would double a
            // swap's peak memory and leave the C heap holes it grows around (codeassist bench, swap mode).
            await ModelRetirement.DisposeWhenIdleAsync(Interlocked.Exchange(ref _slot, null)?.Model, _logger).ConfigureAwait(false);
        }

        TModel loaded;
        try
        {
            loaded = load(key);
        }
        catch (ModelLoadException ex)
        {
            return Fail(key, ex.Message);
        }

        Install(loaded, key, onSwitched: null);
        return loaded;
    }

    private TModel? Fail(TKey key, string message)
    {
        Volatile.Write(ref _failedKey, key);
        _hooks.LoadFailed(key, message);
        SetState(ModelState.Error, message);
        return null;
    }

    private void Install(TModel model, TKey key, Action? onSwitched)
    {
        var previous = Interlocked.Exchange(ref _slot, new Slot(model, key));
        Volatile.Write(ref _failedKey, null);
        onSwitched?.Invoke();
        ModelRetirement.DisposeWhenIdle(previous?.Model, _logger);
        _hooks.Loaded(key);
        SetState(ModelState.Ready, null);
    }

    private void SetState(ModelState state, string? error)
    {
        State = state;
        LastError = error;
        StateChanged?.Invoke(state, error);
    }

    /// <summary>Disposes the model in use at once; later loads and switches throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _disposed = true;
        Interlocked.Exchange(ref _slot, null)?.Model.Dispose();
    }

    /// <summary>The model in use and the settings it was loaded from, swapped as one.</summary>
    private sealed record Slot(TModel Model, TKey Key);
}
