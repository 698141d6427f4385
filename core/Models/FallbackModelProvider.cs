using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Remote;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Models;

/// <summary>
/// Owns the fallback tier's model: a second <see cref="LocalModel"/> (loaded on first use) or a remote backend
/// whose breaker follows the routing settings. Made again, and the old one disposed, when its settings change;
/// settings it cannot use are logged once and not retried until they change (its <see cref="ModelLifecycle{TKey, TModel}"/>).
/// </summary>
public sealed class FallbackModelProvider : IDisposable
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly Func<CodeAssistOptions, ICompletionModel>? _factory;
    private readonly RemoteEndpointPool _pool;
    private readonly ModelProbe? _probe;
    private readonly ModelLifecycle<FallbackKey, ICompletionModel> _lifecycle;

    /// <summary>Creates the provider; <paramref name="factory"/> replaces model creation (tests).</summary>
    public FallbackModelProvider(ILoggerFactory loggerFactory, Func<CodeAssistOptions, ICompletionModel>? factory = null, ModelProbe? probe = null)
    {
        _probe = probe;
        _loggerFactory = loggerFactory;
        var logger = loggerFactory.CreateLogger<FallbackModelProvider>();
        _factory = factory;
        _pool = new RemoteEndpointPool(loggerFactory.CreateLogger<RemoteEndpointPool>());
        _lifecycle = new ModelLifecycle<FallbackKey, ICompletionModel>(logger, new ModelLifecycleHooks<FallbackKey>
        {
            LoadFailed = (key, error) => logger.LogWarning("Fallback {Fallback} is not usable: {Error}", Describe(key.Fallback), error),
            SwitchFailed = (key, error) => logger.LogWarning("Switching the fallback to {Fallback} failed: {Error}", Describe(key.Fallback), error),
            Loaded = key => logger.LogInformation("Fallback ready: {Fallback}", Describe(key.Fallback)),
        });
    }

    /// <summary>The fallback model made so far, without making one.</summary>
    public ICompletionModel? Current => _lifecycle.Current;

    /// <summary>Raised when a fallback model starts loading, is ready, or fails (with the error).</summary>
    public event Action<ModelState, string?>? StateChanged
    {
        add => _lifecycle.StateChanged += value;
        remove => _lifecycle.StateChanged -= value;
    }

    /// <summary>The state of the last make or load; <see cref="ModelState.NotLoaded"/> before the first.</summary>
    public ModelState State => _lifecycle.State;

    /// <summary>Why the last make or load failed (or why the last switch did not happen).</summary>
    public string? LastError => _lifecycle.LastError;

    /// <summary>True when the current model was made from these settings (it answers without loading).</summary>
    public bool IsCurrent(CodeAssistOptions options) => options.Fallback.Kind != FallbackKind.None && _lifecycle.ReadyFor(KeyFor(options)) is not null;

    /// <summary>True when these settings failed to make a model and will not be retried until they change.</summary>
    public bool HasFailed(CodeAssistOptions options) => options.Fallback.Kind != FallbackKind.None && _lifecycle.HasFailed(KeyFor(options));

    /// <summary>The breaker of a remote fallback; null for none or a local one.</summary>
    public RemoteBreakerState? BreakerState => Current is RemoteModel remote ? remote.BreakerState : null;

    /// <summary>How the configured fallback is named in logs: kind and model, and for remote ones the endpoint's scheme and host.</summary>
    public static string Describe(FallbackOptions fallback) => fallback.IsRemote
        ? $"{FallbackOptions.KindName(fallback.Kind)} {fallback.Model ?? "(default model)"} at {fallback.DisplayEndpoint()}"
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
        return await _lifecycle.GetAsync(() => key, _ => Make(options), cancellationToken).ConfigureAwait(false);
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

        return await _lifecycle.SwitchAsync(() => KeyFor(options), _ => Make(options), onSwitched, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Disposes the current model when the settings no longer ask for it (e.g. kind set to none).</summary>
    public void Release(CodeAssistOptions options) =>
        _lifecycle.Release(options.Fallback.Kind == FallbackKind.None ? null : KeyFor(options));

    /// <summary>
    /// Makes the model; settings it cannot use (no model file for a local one, a remote one that cannot be made) throw
    /// <see cref="ModelLoadException"/>, as a GGUF that does not load does.
    /// </summary>
    private ICompletionModel Make(CodeAssistOptions options)
    {
        try
        {
            return MakeModel(options);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            throw new ModelLoadException(ex.Message, ex);
        }
    }

    private ICompletionModel MakeModel(CodeAssistOptions options)
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

            var path = CodeAssistOptions.ExpandHome(fallback.Model);
            var selfTest = _probe?.EnsureSafe(path);
            return LocalModel.Load(
                path,
                new LocalModelOptions { ContextSize = options.ContextSize, Threads = options.Threads, Candidates = FallbackSequences, SelfTest = selfTest },
                _loggerFactory.CreateLogger<LocalModel>());
        }

        return RemoteModel.Create(RemoteOptions(options), _pool, _loggerFactory.CreateLogger<RemoteModel>());
    }

    /// <summary>
    /// The models the configured remote fallback's server lists (Ollama's <c>/api/tags</c>, <c>/v1/models</c> for the
    /// others); empty when the fallback is not remote. Throws <see cref="RemoteModelException"/> when the server does not
    /// answer, <see cref="ArgumentException"/> when the settings name no usable endpoint.
    /// </summary>
    public async Task<IReadOnlyList<ServedModel>> ListServedAsync(CodeAssistOptions options, CancellationToken cancellationToken)
    {
        if (!options.Fallback.IsRemote)
        {
            return [];
        }

        if (IsCurrent(options) && Current is RemoteModel current)
        {
            return await current.ListServedAsync(cancellationToken).ConfigureAwait(false);
        }

        using var model = RemoteModel.Create(RemoteOptions(options), _pool, _loggerFactory.CreateLogger<RemoteModel>());
        return await model.ListServedAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sequences a local fallback is loaded with: code actions sample their candidates in waves of up to one fewer.</summary>
    public const int FallbackSequences = 4;

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
        _lifecycle.Dispose();
        _pool.Dispose();
    }

    private sealed record FallbackKey(FallbackOptions Fallback, int BreakerFailures, int BreakerCooldownMs, int? Threads, int ContextSize);
}
