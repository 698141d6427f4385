using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Routing;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Models;

/// <summary>The state of the local model, as the status bar shows it.</summary>
public enum ModelState
{
    /// <summary>Nothing loaded yet.</summary>
    NotLoaded,

    /// <summary>Loading.</summary>
    Loading,

    /// <summary>Loaded and answering.</summary>
    Ready,

    /// <summary>The last load failed; <see cref="ModelManager.LastError"/> says why.</summary>
    Error,
}

/// <summary>
/// Owns the local model: loads it on first use from the settings (or the shipped default), reloads it
/// when the model path, threads or context size change, and disposes the old one.
/// </summary>
public sealed class ModelManager : IDisposable, ILocalTier
{
    private readonly SettingsStore _settings;
    private readonly ILogger<ModelManager> _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly InferenceStatistics _statistics;
    private readonly SemaphoreSlim _loadGate = new(1, 1);
    private LocalModel? _model;
    private LoadKey? _loadedKey;
    private LoadKey? _failedKey;
    private bool _disposed;

    /// <summary>Creates the manager and follows settings changes.</summary>
    public ModelManager(SettingsStore settings, ILoggerFactory loggerFactory, InferenceStatistics statistics)
    {
        _settings = settings;
        _statistics = statistics;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<ModelManager>();
        _settings.Changed += (_, _) => _failedKey = null;
    }

    /// <summary>Raised when the state changes (loading, ready, error).</summary>
    public event Action<ModelState, string?>? StateChanged;

    /// <summary>The current state.</summary>
    public ModelState State { get; private set; } = ModelState.NotLoaded;

    /// <summary>Why the last load failed.</summary>
    public string? LastError { get; private set; }

    /// <summary>The loaded model, if any, without loading.</summary>
    public LocalModel? Current => Volatile.Read(ref _model);

    /// <summary>The file being loaded, while <see cref="State"/> is <see cref="ModelState.Loading"/>; else the last file tried.</summary>
    public string? LoadingPath { get; private set; }

    /// <summary>The file the current settings ask for (the configured or selected model, else the shipped default); null when none is found.</summary>
    public string? WantedPath => KeyFor(_settings.Current).Path;

    /// <summary>
    /// The loaded model if it is the one the current settings ask for, without loading; null right after the
    /// settings named another, so that nothing answers for the old model once the user switched.
    /// </summary>
    public LocalModel? Ready => Volatile.Read(ref _model) is { } model && KeyFor(_settings.Current) == _loadedKey ? model : null;

    /// <summary>
    /// The model the current settings ask for, loading it if needed. Returns null (and logs once) when it
    /// cannot be loaded; the same failing settings are not retried until they change.
    /// </summary>
    public async Task<LocalModel?> GetModelAsync(CancellationToken cancellationToken)
    {
        var key = KeyFor(_settings.Current);
        var model = Volatile.Read(ref _model);
        if (model is not null && key == _loadedKey)
        {
            return model;
        }

        if (key == _failedKey)
        {
            return null;
        }

        await _loadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            key = KeyFor(_settings.Current);
            if (_model is not null && key == _loadedKey)
            {
                return _model;
            }

            if (key == _failedKey)
            {
                return null;
            }

            return await Task.Run(() => Load(key), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _loadGate.Release();
        }
    }

    /// <inheritdoc />
    async Task<ICompletionModel?> ILocalTier.GetAsync(CancellationToken cancellationToken) =>
        await GetModelAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Loads the GGUF at <paramref name="path"/> and, once it is loaded, switches to it: <paramref name="onSwitched"/>
    /// runs at the moment of the switch (it records the selection, so the settings then ask for this file), the
    /// previous model is disposed when its queued requests are done. On failure the previous model stays in use and
    /// <see cref="ModelLoadException"/> says why. Other requests keep using the previous model while this one loads.
    /// </summary>
    public async Task<LocalModel> SwitchAsync(string path, Action onSwitched, CancellationToken cancellationToken)
    {
        await _loadGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var options = _settings.Current;
            var key = new LoadKey(Path.GetFullPath(path), options.Threads, options.ContextSize, options.FimOrder, options.KvCacheReuse);
            if (_model is not null && key == _loadedKey)
            {
                onSwitched();
                return _model;
            }

            LoadingPath = key.Path;
            SetState(ModelState.Loading, null);
            LocalModel loaded;
            try
            {
                loaded = await Task.Run(() => LocalModel.Load(key.Path!, OptionsFor(key), _loggerFactory.CreateLogger<LocalModel>()), CancellationToken.None).ConfigureAwait(false);
            }
            catch (ModelLoadException ex)
            {
                _logger.LogError("Switching the local model to {Path} failed: {Error}", key.Path, ex.Message);
                LoadingPath = _loadedKey?.Path;

                // The previous model answers on; the status says why the switch did not happen.
                SetState(_model is null ? ModelState.Error : ModelState.Ready, ex.Message);
                throw;
            }

            var previous = Interlocked.Exchange(ref _model, loaded);
            _loadedKey = key;
            _failedKey = null;
            onSwitched();
            ModelRetirement.DisposeWhenIdle(previous, _logger);
            SetState(ModelState.Ready, null);
            return loaded;
        }
        finally
        {
            _loadGate.Release();
        }
    }

    private LocalModel? Load(LoadKey key)
    {
        LoadingPath = key.Path;
        SetState(ModelState.Loading, null);
        if (key.Path is null)
        {
            return Fail(key, $"no model configured and the default model ({DefaultModelLocator.DefaultModelFileName}) was not found; set codeAssist.model to a GGUF file");
        }

        // The settings ask for another model, so no new request takes the old one (they wait for this load); it
        // finishes what is queued on it and goes before the new one loads. Two models at once would double a
        // swap's peak memory and leave the C heap holes it grows around (codeassist bench, swap mode).
        _loadedKey = null;
        ModelRetirement.DisposeWhenIdleAsync(Interlocked.Exchange(ref _model, null), _logger).GetAwaiter().GetResult();
        try
        {
            var loaded = LocalModel.Load(key.Path, OptionsFor(key), _loggerFactory.CreateLogger<LocalModel>());
            Volatile.Write(ref _model, loaded);
            _loadedKey = key;
            _failedKey = null;
            SetState(ModelState.Ready, null);
            return loaded;
        }
        catch (ModelLoadException ex)
        {
            return Fail(key, ex.Message);
        }
    }

    private LocalModel? Fail(LoadKey key, string message)
    {
        _failedKey = key;
        _logger.LogError("Model load failed: {Error}", message);
        SetState(ModelState.Error, message);
        return null;
    }

    private void SetState(ModelState state, string? error)
    {
        State = state;
        LastError = error;
        StateChanged?.Invoke(state, error);
    }

    private LocalModelOptions OptionsFor(LoadKey key) =>
        new() { ContextSize = key.ContextSize, Threads = key.Threads, FimOrder = key.FimOrder, ReuseKvCache = key.ReuseKvCache, Statistics = _statistics };

    private static LoadKey KeyFor(CodeAssistOptions options) =>
        new(DefaultModelLocator.Resolve(options.Model), options.Threads, options.ContextSize, options.FimOrder, options.KvCacheReuse);

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        Interlocked.Exchange(ref _model, null)?.Dispose();
    }

    private sealed record LoadKey(string? Path, int? Threads, int ContextSize, Prompting.FimOrder? FimOrder, bool ReuseKvCache);
}
