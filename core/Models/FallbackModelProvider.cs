using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Remote;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Models;

/// <summary>
/// Owns the fallback tier's model: a second <see cref="LocalModel"/> (loaded on first use) or a remote backend
/// whose breaker follows the routing settings. Made again, and the old one disposed, when its settings change;
/// settings it cannot use are logged once and not retried until they change.
/// </summary>
public sealed class FallbackModelProvider : IDisposable
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Func<CodeAssistOptions, ICompletionModel>? _factory;
    private readonly RemoteEndpointPool _pool;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ICompletionModel? _model;
    private FallbackKey? _key;
    private FallbackKey? _failedKey;
    private bool _disposed;

    /// <summary>Creates the provider; <paramref name="factory"/> replaces model creation (tests).</summary>
    public FallbackModelProvider(ILoggerFactory loggerFactory, Func<CodeAssistOptions, ICompletionModel>? factory = null)
    {
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<FallbackModelProvider>();
        _factory = factory;
        _pool = new RemoteEndpointPool(loggerFactory.CreateLogger<RemoteEndpointPool>());
    }

    /// <summary>The fallback model made so far, without making one.</summary>
    public ICompletionModel? Current => Volatile.Read(ref _model);

    /// <summary>Raised when a fallback model starts loading, is ready, or fails (with the error).</summary>
    public event Action<ModelState, string?>? StateChanged;

    /// <summary>The state of the last make or load; <see cref="ModelState.NotLoaded"/> before the first.</summary>
    public ModelState State { get; private set; } = ModelState.NotLoaded;

    /// <summary>Why the last make or load failed (or why the last switch did not happen).</summary>
    public string? LastError { get; private set; }

    /// <summary>True when the current model was made from these settings (it answers without loading).</summary>
    public bool IsCurrent(CodeAssistOptions options) => options.Fallback.Kind != FallbackKind.None && Volatile.Read(ref _model) is not null && KeyFor(options) == _key;

    /// <summary>True when these settings failed to make a model and will not be retried until they change.</summary>
    public bool HasFailed(CodeAssistOptions options) => options.Fallback.Kind != FallbackKind.None && KeyFor(options) == _failedKey;

    /// <summary>The breaker of a remote fallback; null for none or a local one.</summary>
    public RemoteBreakerState? BreakerState => Current is RemoteModel remote ? remote.BreakerState : null;

    /// <summary>How the configured fallback is named in logs: kind and model, and the endpoint for remote ones.</summary>
    public static string Describe(FallbackOptions fallback) => fallback.IsRemote
        ? $"{FallbackOptions.KindName(fallback.Kind)} {fallback.Model ?? "(default model)"} at {RemoteModelOptions.Display(Uri.TryCreate(fallback.Endpoint, UriKind.Absolute, out var uri) ? uri : null)}"
        : $"{FallbackOptions.KindName(fallback.Kind)} {fallback.Model}";

    /// <summary>
    /// The model the settings ask for, made or loaded if needed; null when there is no fallback or it cannot
    /// be made from these settings. A load runs to its end even if <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task<ICompletionModel?> GetAsync(CodeAssistOptions options, CancellationToken cancellationToken)
    {
        if (options.Fallback.Kind == FallbackKind.None)
        {
            return null;
        }

        var key = KeyFor(options);
        if (Volatile.Read(ref _model) is { } model && key == _key)
        {
            return model;
        }

        if (key == _failedKey)
        {
            return null;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_model is not null && key == _key)
            {
                return _model;
            }

            if (key == _failedKey)
            {
                return null;
            }

            SetState(ModelState.Loading, null);
            ICompletionModel made;
            try
            {
                made = await Task.Run(() => Make(options), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ModelLoadException or ArgumentException or InvalidOperationException)
            {
                _failedKey = key;
                _logger.LogWarning("Fallback {Fallback} is not usable: {Error}", Describe(options.Fallback), ex.Message);
                SetState(ModelState.Error, ex.Message);
                return null;
            }

            Install(made, key);
            return made;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Makes (or loads) the fallback <paramref name="options"/> ask for and switches to it; <paramref name="onSwitched"/>
    /// runs at the moment of the switch (it records the selection, so the settings then ask for this model). On failure
    /// the previous fallback stays and <see cref="ModelLoadException"/> says why.
    /// </summary>
    public async Task<ICompletionModel> SwitchAsync(CodeAssistOptions options, Action onSwitched, CancellationToken cancellationToken)
    {
        if (options.Fallback.Kind == FallbackKind.None)
        {
            throw new ArgumentException("no fallback to switch to", nameof(options));
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var key = KeyFor(options);
            if (_model is not null && key == _key)
            {
                onSwitched();
                return _model;
            }

            var stateBefore = State;
            SetState(ModelState.Loading, null);
            ICompletionModel made;
            try
            {
                made = await Task.Run(() => Make(options), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ModelLoadException or ArgumentException or InvalidOperationException)
            {
                _logger.LogWarning("Switching the fallback to {Fallback} failed: {Error}", Describe(options.Fallback), ex.Message);
                SetState(stateBefore == ModelState.Loading ? ModelState.NotLoaded : stateBefore, ex.Message);
                throw ex as ModelLoadException ?? new ModelLoadException(ex.Message, ex);
            }

            Install(made, key, onSwitched);
            return made;
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Install(ICompletionModel made, FallbackKey key, Action? onSwitched = null)
    {
        var previous = Interlocked.Exchange(ref _model, made);
        _key = key;
        _failedKey = null;
        onSwitched?.Invoke();
        ModelRetirement.DisposeWhenIdle(previous, _logger);
        _logger.LogInformation("Fallback ready: {Fallback}", Describe(key.Fallback));
        SetState(ModelState.Ready, null);
    }

    private void SetState(ModelState state, string? error)
    {
        State = state;
        LastError = error;
        StateChanged?.Invoke(state, error);
    }

    /// <summary>Disposes the current model when the settings no longer ask for it (e.g. kind set to none).</summary>
    public void Release(CodeAssistOptions options)
    {
        var changed = false;
        if (_model is not null && (options.Fallback.Kind == FallbackKind.None || KeyFor(options) != _key))
        {
            _key = null;
            ModelRetirement.DisposeWhenIdle(Interlocked.Exchange(ref _model, null), _logger);
            changed = true;
        }

        if (_failedKey is not null && KeyFor(options) != _failedKey)
        {
            changed = true;
        }

        _failedKey = null;
        if (changed)
        {
            SetState(ModelState.NotLoaded, null);
        }
    }

    private ICompletionModel Make(CodeAssistOptions options)
    {
        if (_factory is not null)
        {
            return _factory(options);
        }

        var fallback = options.Fallback;
        if (fallback.Kind == FallbackKind.Local)
        {
            if (fallback.Model is null)
            {
                throw new ArgumentException("fallback.model must name a GGUF file for kind \"local\"");
            }

            return LocalModel.Load(
                CodeAssistOptions.ExpandHome(fallback.Model),
                new LocalModelOptions { ContextSize = options.ContextSize, Threads = options.Threads },
                _loggerFactory.CreateLogger<LocalModel>());
        }

        return RemoteModel.Create(RemoteOptions(options), _pool, _loggerFactory.CreateLogger<RemoteModel>());
    }

    /// <summary>The remote backend's options: the fallback settings, the breaker from the routing settings, the key from the environment.</summary>
    public static RemoteModelOptions RemoteOptions(CodeAssistOptions options)
    {
        var fallback = options.Fallback;
        var routing = options.Routing;
        var cooldown = TimeSpan.FromMilliseconds(routing.BreakerCooldownMs);
        return new RemoteModelOptions
        {
            Kind = fallback.Kind switch
            {
                FallbackKind.OpenAi => RemoteKind.OpenAi,
                FallbackKind.LlamaCpp => RemoteKind.LlamaCpp,
                FallbackKind.Ollama => RemoteKind.Ollama,
                _ => throw new ArgumentException($"fallback kind {FallbackOptions.KindName(fallback.Kind)} is not remote"),
            },
            Endpoint = Uri.TryCreate(fallback.Endpoint, UriKind.Absolute, out var endpoint) ? endpoint : null,
            Model = fallback.Model,
            ApiKey = string.IsNullOrEmpty(fallback.ApiKeyEnv) ? null : Environment.GetEnvironmentVariable(fallback.ApiKeyEnv),
            FimMode = fallback.FimMode,
            Template = fallback.Template,
            TimeoutMs = fallback.TimeoutMs,
            BreakerFailures = routing.BreakerFailures,
            BreakerDuration = cooldown,

            // Failures are counted over at least the cool-down, so N failures a few seconds apart still open it.
            BreakerSamplingWindow = cooldown > TimeSpan.FromSeconds(30) ? cooldown : TimeSpan.FromSeconds(30),
        };
    }

    private static FallbackKey KeyFor(CodeAssistOptions options) => new(
        options.Fallback,
        options.Routing.BreakerFailures,
        options.Routing.BreakerCooldownMs,
        options.Fallback.Kind == FallbackKind.Local ? options.Threads : null,
        options.Fallback.Kind == FallbackKind.Local ? options.ContextSize : 0);

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        Interlocked.Exchange(ref _model, null)?.Dispose();
        _pool.Dispose();
    }

    private sealed record FallbackKey(FallbackOptions Fallback, int BreakerFailures, int BreakerCooldownMs, int? Threads, int ContextSize);
}
