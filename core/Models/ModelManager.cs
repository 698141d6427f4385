using System.Diagnostics;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Routing;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Models;

/// <summary>
/// Owns the local model: loads it on first use from the settings (or the shipped default), reloads it
/// when the model path, threads or context size change, and disposes the old one. Its
/// <see cref="ModelLifecycle{TKey, TModel}"/> retires the old model before a reload (never two at once); a switch
/// (<see cref="SwitchAsync"/>) loads the new one first.
/// </summary>
public sealed class ModelManager : IDisposable, ILocalTier
{
    private readonly SettingsStore _settings;
    private readonly ILoggerFactory _loggerFactory;
    private readonly InferenceStatistics _statistics;
    private readonly ModelLifecycle<LoadKey, LocalModel> _lifecycle;
    private readonly ModelProbe? _probe;
    private readonly ILogger<ModelManager> _logger;

    /// <summary>
    /// Creates the manager and follows settings changes; with <paramref name="probe"/>, a model file is checked in a child
    /// process before its first load here.
    /// </summary>
    public ModelManager(SettingsStore settings, ILoggerFactory loggerFactory, InferenceStatistics statistics, ModelProbe? probe = null)
    {
        _probe = probe;
        _settings = settings;
        _statistics = statistics;
        _loggerFactory = loggerFactory;
        var logger = _logger = loggerFactory.CreateLogger<ModelManager>();
        _lifecycle = new ModelLifecycle<LoadKey, LocalModel>(logger, new ModelLifecycleHooks<LoadKey>
        {
            // Two local models at once would double a reload's peak memory.
            RetireBeforeLoad = true,
            Unusable = key => key.Path is null
                ? $"no model configured and the default model ({DefaultModelLocator.DefaultModelFileName}) was not found; set codeAssist.model to a GGUF file"
                : null,
            LoadFailed = (_, error) => logger.LogError("Model load failed: {Error}", error),
            SwitchFailed = (key, error) => logger.LogError("Switching the local model to {Path} failed: {Error}", key.Path, error),
        });
        _settings.Changed += (_, _) => _lifecycle.ForgetFailure();
    }

    /// <summary>Raised when the state changes (loading, ready, error).</summary>
    public event Action<ModelState, string?>? StateChanged
    {
        add => _lifecycle.StateChanged += value;
        remove => _lifecycle.StateChanged -= value;
    }

    /// <summary>The current state.</summary>
    public ModelState State => _lifecycle.State;

    /// <summary>Why the last load failed.</summary>
    public string? LastError => _lifecycle.LastError;

    /// <summary>The loaded model, if any, without loading.</summary>
    public LocalModel? Current => _lifecycle.Current;

    /// <summary>The file being loaded, while <see cref="State"/> is <see cref="ModelState.Loading"/>; else the last file tried.</summary>
    public string? LoadingPath => _lifecycle.LoadingKey?.Path;

    /// <summary>The file the current settings ask for (the configured or selected model, else the shipped default); null when none is found.</summary>
    public string? WantedPath => Wanted().Path;

    /// <summary>
    /// The loaded model if it is the one the current settings ask for, without loading; null right after the
    /// settings named another, so that nothing answers for the old model once the user switched.
    /// </summary>
    public LocalModel? Ready => _lifecycle.ReadyFor(Wanted());

    /// <summary>
    /// The model the current settings ask for, loading it if needed. Returns null (and logs once) when it
    /// cannot be loaded; the same failing settings are not retried until they change.
    /// </summary>
    public Task<LocalModel?> GetModelAsync(CancellationToken cancellationToken) => _lifecycle.GetAsync(Wanted, Load, cancellationToken);

    /// <inheritdoc />
    async Task<ICompletionModel?> ILocalTier.GetAsync(CancellationToken cancellationToken) =>
        await GetModelAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Loads the GGUF at <paramref name="path"/> and, once it is loaded, switches to it: <paramref name="onSwitched"/>
    /// runs at the moment of the switch (it records the selection, so the settings then ask for this file), the
    /// previous model is disposed when its queued requests are done. On failure the previous model stays in use and
    /// <see cref="ModelLoadException"/> says why. Other requests keep using the previous model while this one loads.
    /// </summary>
    public Task<LocalModel> SwitchAsync(string path, Action onSwitched, CancellationToken cancellationToken) =>
        _lifecycle.SwitchAsync(
            () =>
            {
                var options = _settings.Current;
                return KeyFor(options) with { Path = Path.GetFullPath(path) };
            },
            Load,
            onSwitched,
            cancellationToken,
            WarmAsync);

    /// <summary>
    /// Decodes the previous model's last prompt into the new model's KV cache before the switch, so the first completion
    /// after it reuses the prompt instead of decoding all of it (a few hundred ms on this machine, the whole wait the user
    /// sees after picking a model). The previous model answers meanwhile; a failure only costs the warm cache.
    /// </summary>
    private async Task WarmAsync(LocalModel loaded, LocalModel? previous)
    {
        if (previous?.LastPrompt is not { } last)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            var decoded = await loaded.WarmAsync(last, CancellationToken.None).ConfigureAwait(false);
            _logger.LogDebug("Warmed {ModelId} with the last prompt: {Tokens} tokens in {ElapsedMs:0} ms", loaded.Description.Id, decoded, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LogWarning("Warming {ModelId} with the last prompt failed; its first completion decodes the whole prompt: {Error}", loaded.Description.Id, ex.Message);
        }
    }

    private LoadKey Wanted() => KeyFor(_settings.Current);

    private LocalModel Load(LoadKey key)
    {
        var selfTest = _probe?.EnsureSafe(key.Path!);
        return LocalModel.Load(key.Path!, OptionsFor(key) with { SelfTest = selfTest }, _loggerFactory.CreateLogger<LocalModel>());
    }

    private LocalModelOptions OptionsFor(LoadKey key) =>
        new()
        {
            ContextSize = key.ContextSize,
            Threads = key.Threads,
            FimOrder = key.FimOrder,
            ReuseKvCache = key.ReuseKvCache,
            Candidates = key.Candidates,
            MaxTokens = key.MaxTokens,
            Statistics = _statistics,
        };

    private static LoadKey KeyFor(CodeAssistOptions options) =>
        new(DefaultModelLocator.Resolve(options.Model), options.Threads, options.ContextSize, options.FimOrder, options.KvCacheReuse, options.Candidates, options.MaxTokens);

    /// <inheritdoc />
    public void Dispose() => _lifecycle.Dispose();

    private sealed record LoadKey(string? Path, int? Threads, int ContextSize, Prompting.FimOrder? FimOrder, bool ReuseKvCache, int Candidates, int MaxTokens);
}
