using System.Text.Json;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Models;
using CodeAssist.Server.Protocol;
using CodeAssist.Server.Routing;

namespace CodeAssist.Server.Lsp;

/// <summary>
/// Sends <c>codeAssist/status</c> (documented in README): once after <c>initialized</c>, whenever either tier's
/// model starts loading, is ready or fails, when the settings change the fallback, and when a tier's latest latency
/// changes, at most once per <see cref="LatencyInterval"/> for latency alone. A status equal to the last one sent is
/// not sent again. A tier whose model restricted mode refused says why in its <c>message</c> (when it has no other).
/// </summary>
public sealed class StatusReporter
{
    /// <summary>The shortest time between two notifications caused by latency alone.</summary>
    public static readonly TimeSpan LatencyInterval = TimeSpan.FromSeconds(1);

    private readonly ModelManager _models;
    private readonly FallbackModelProvider _fallback;
    private readonly SettingsStore _settings;
    private readonly RoutingStatistics _routing;
    private readonly ModelInventory _inventory;
    private readonly WorkspaceTrust _trust;
    private readonly LanguageClient _client;
    private readonly Lock _gate = new();
    private bool _started;
    private string? _lastSent;
    private long _lastLatencySend;
    private bool _latencySendScheduled;
    private Task _sending = Task.CompletedTask;

    /// <summary>Creates the reporter and follows the models, the settings and the latencies.</summary>
    public StatusReporter(
        ModelManager models,
        FallbackModelProvider fallback,
        SettingsStore settings,
        RoutingStatistics routing,
        ModelInventory inventory,
        WorkspaceTrust trust,
        LanguageClient client)
    {
        _models = models;
        _fallback = fallback;
        _settings = settings;
        _routing = routing;
        _inventory = inventory;
        _trust = trust;
        _client = client;
        models.StateChanged += (_, _) => Publish();
        fallback.StateChanged += (_, _) => Publish();
        settings.Changed += (_, _) => Publish();
        trust.RefusalsChanged += Publish;
        routing.LatencyRecorded += (_, _) => OnLatency();
    }

    /// <summary>Starts reporting (after initialized) with the current status.</summary>
    public void Start()
    {
        lock (_gate)
        {
            _started = true;
        }

        Publish();
    }

    /// <summary>The status now.</summary>
    public StatusParams Snapshot() => new() { Tiers = [WithRefusal(LocalStatus()), WithRefusal(FallbackStatus())] };

    private TierStatus WithRefusal(TierStatus status) =>
        status.Message is null && _trust.Refusal(status.Tier) is { } refusal ? status with { Message = refusal } : status;

    private TierStatus LocalStatus()
    {
        var latency = Milliseconds(_routing.LastLatency(Tier.Local));
        var state = _models.State;
        var loaded = _models.Current;
        return state switch
        {
            ModelState.Loading => new TierStatus { Tier = ModelTiers.Local, Model = Label(_models.LoadingPath), State = TierStates.Loading, LastLatencyMs = latency },
            ModelState.Error => new TierStatus { Tier = ModelTiers.Local, Model = Label(_models.LoadingPath), State = TierStates.Error, Message = _models.LastError, LastLatencyMs = latency },
            ModelState.Ready when loaded is not null => new TierStatus
            {
                Tier = ModelTiers.Local,
                Model = Label(loaded.Description.Path),
                State = TierStates.Ready,
                Message = _models.LastError,
                LastLatencyMs = latency,
                Check = loaded.Preflight.Summary,
                CheckWarning = loaded.Preflight.Warn,
            },

            // Not loaded yet: the warm-up after initialized is loading it.
            _ => new TierStatus { Tier = ModelTiers.Local, Model = Label(_models.WantedPath), State = TierStates.Loading, LastLatencyMs = latency },
        };
    }

    private TierStatus FallbackStatus()
    {
        var options = _settings.Current;
        var latency = Milliseconds(_routing.LastLatency(Tier.Fallback));
        var label = _inventory.FallbackLabel(options.Fallback);
        TierStatus Status(string state, string? message = null) =>
            new() { Tier = ModelTiers.Fallback, Model = label, State = state, Message = message, LastLatencyMs = latency };

        if (options.Fallback.Kind == FallbackKind.None)
        {
            return new TierStatus { Tier = ModelTiers.Fallback, Model = null, State = TierStates.Off };
        }

        if (_fallback.IsCurrent(options))
        {
            var ready = Status(TierStates.Ready, _fallback.LastError);
            return _fallback.Current is LocalModel local
                ? ready with { Check = local.Preflight.Summary, CheckWarning = local.Preflight.Warn && local.Preflight.Kind != ModelKind.Instruct } // a chat model belongs here
                : ready;
        }

        if (_fallback.State == ModelState.Loading)
        {
            return Status(TierStates.Loading);
        }

        if (_fallback.HasFailed(options))
        {
            return Status(TierStates.Error, _fallback.LastError);
        }

        if (options.Fallback.Kind == FallbackKind.Local)
        {
            var path = options.Fallback.Model is { } model ? Path.GetFullPath(CodeAssistOptions.ExpandHome(model)) : null;
            return path is not null && File.Exists(path)
                ? Status(TierStates.Ready, "loads on first use")
                : Status(TierStates.Error, path is null ? "fallback.model must name a GGUF file" : $"model file not found: {path}");
        }

        // A remote endpoint is made on first use; its outages are reported in the log, not here.
        return Status(TierStates.Ready);
    }

    private string? Label(string? path) => path is null ? null : _inventory.Label(path);

    private static long? Milliseconds(double? value) => value is { } ms ? (long)Math.Round(ms) : null;

    private void OnLatency()
    {
        lock (_gate)
        {
            if (!_started || _latencySendScheduled)
            {
                return;
            }

            var since = TimeProvider.System.GetElapsedTime(_lastLatencySend);
            if (_lastLatencySend != 0 && since < LatencyInterval)
            {
                _latencySendScheduled = true;
                _ = Task.Delay(LatencyInterval - since).ContinueWith(_ => SendLatency(), TaskScheduler.Default);
                return;
            }

            _lastLatencySend = TimeProvider.System.GetTimestamp();
        }

        Publish();
    }

    private void SendLatency()
    {
        lock (_gate)
        {
            _latencySendScheduled = false;
            _lastLatencySend = TimeProvider.System.GetTimestamp();
        }

        Publish();
    }

    private void Publish()
    {
        lock (_gate)
        {
            if (!_started)
            {
                return;
            }

            var status = Snapshot();
            var json = JsonSerializer.Serialize(status, LspJsonContext.Default.StatusParams);
            if (json == _lastSent)
            {
                return;
            }

            _lastSent = json;

            // Chained, so notifications reach the client in the order the states happened.
            _sending = _sending.ContinueWith(_ => _client.NotifyAsync(CodeAssistMethods.Status, status), TaskScheduler.Default).Unwrap();
        }
    }
}
