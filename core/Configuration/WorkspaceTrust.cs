using System.Text.Json;
using CodeAssist.Server.Models;
using CodeAssist.Server.Protocol;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Configuration;

/// <summary>
/// Restricted mode: what the settings of a workspace the user has not trusted may make the server do. The client says
/// so once, with <c>"workspaceTrusted": false</c> in initializationOptions; absent means trusted (editors without
/// workspace trust). In restricted mode the local tier and a local fallback may use only the shipped models
/// (<see cref="ShippedModels"/>), and there is no remote fallback at all: the settings arrive merged from every layer,
/// so the server cannot prove that an endpoint came from the user's machine settings. A refused value is not applied
/// (the previous one stays), and why is logged and shown in <c>codeAssist/status</c>.
/// </summary>
public sealed class WorkspaceTrust(ShippedModels shipped, ILogger<WorkspaceTrust> logger)
{
    /// <summary>The key of initializationOptions that carries the flag.</summary>
    public const string InitializationOption = "workspaceTrusted";

    private const string Why = "the workspace is not trusted (restricted mode)";
    private const string Remedy = "trust the workspace to use it";

    private readonly Lock _gate = new();
    private volatile bool _restricted;
    private string? _localRefusal;
    private string? _fallbackRefusal;

    /// <summary>Raised when the refusals <see cref="Refusal"/> reports changed.</summary>
    public event Action? RefusalsChanged;

    /// <summary>True when the client said the workspace is not trusted.</summary>
    public bool IsRestricted => _restricted;

    /// <summary>
    /// Reads <c>workspaceTrusted</c> from initializationOptions: <c>false</c> is restricted mode, absent, null or
    /// <c>true</c> is trusted. Any other value is restricted too: a client that meant to say something about trust
    /// and garbled it must not widen what the workspace may do. Only initialize sets it; settings never do.
    /// </summary>
    public void Initialize(JsonElement? initializationOptions)
    {
        var restricted = false;
        if (initializationOptions is { ValueKind: JsonValueKind.Object } options && options.TryGetProperty(InitializationOption, out var flag))
        {
            restricted = flag.ValueKind is not (JsonValueKind.True or JsonValueKind.Null);
            if (flag.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
            {
                logger.LogWarning("initializationOptions.{Option} must be true or false, not {Kind}: restricted mode", InitializationOption, flag.ValueKind);
            }
        }

        _restricted = restricted;
        if (restricted)
        {
            logger.LogInformation(
                "Restricted mode ({Why}): only the shipped models ({Models}), no remote fallback",
                Why, string.Join(", ", shipped.Paths.Select(Path.GetFileName)));
        }
    }

    /// <summary>
    /// In restricted mode, <paramref name="next"/> with what the workspace may not choose put back to the value of
    /// <paramref name="previous"/> (the settings in force, which passed this same check), with the reasons; unchanged
    /// when trusted.
    /// </summary>
    public RestrictedSettings Restrict(CodeAssistOptions next, CodeAssistOptions previous)
    {
        if (!_restricted)
        {
            return new RestrictedSettings(next, null, null);
        }

        string? local = null;
        if (next.Model is { } model && !shipped.Contains(DefaultModelLocator.Resolve(model)))
        {
            local = $"model \"{model}\" is not a model shipped with CodeAssist and {Why}: the previous model stays in use; {Remedy}";
            next = next with { Model = previous.Model };
        }

        var fallback = FallbackRefusal(next.Fallback);
        if (fallback is not null)
        {
            next = next with { Fallback = previous.Fallback };
        }

        return new RestrictedSettings(next, local, fallback);
    }

    /// <summary>Records the refusals of the settings last applied, for <see cref="Refusal"/>; raises <see cref="RefusalsChanged"/> when they changed.</summary>
    public void Report(RestrictedSettings settings)
    {
        lock (_gate)
        {
            if (_localRefusal == settings.LocalRefusal && _fallbackRefusal == settings.FallbackRefusal)
            {
                return;
            }

            _localRefusal = settings.LocalRefusal;
            _fallbackRefusal = settings.FallbackRefusal;
        }

        RefusalsChanged?.Invoke();
    }

    /// <summary>Why the settings last applied could not choose <paramref name="tier"/>'s model; null when nothing was refused.</summary>
    public string? Refusal(string tier)
    {
        lock (_gate)
        {
            return tier == ModelTiers.Local ? _localRefusal : _fallbackRefusal;
        }
    }

    /// <summary>True when <paramref name="path"/> may be used in the current mode (a shipped model, or any file when trusted).</summary>
    public bool Allows(string? path) => !_restricted || shipped.Contains(path);

    /// <summary>Throws <see cref="WorkspaceNotTrustedException"/> when restricted mode may not select <paramref name="model"/>.</summary>
    public void CheckSelectable(AvailableModel model)
    {
        if (!_restricted)
        {
            return;
        }

        if (model.IsRemote)
        {
            throw new WorkspaceNotTrustedException($"{model.Label} is a remote model and {Why}: no code is sent to a remote fallback; {Remedy}");
        }

        if (!shipped.Contains(model.Path))
        {
            throw new WorkspaceNotTrustedException($"{model.Path ?? model.Id} is not a model shipped with CodeAssist and {Why}; {Remedy}");
        }
    }

    private string? FallbackRefusal(FallbackOptions fallback)
    {
        // No kind chosen is CodeAssist's default fallback, itself a shipped model.
        if (fallback.ChosenKind is null or FallbackKind.None)
        {
            return null;
        }

        if (fallback.IsRemote)
        {
            return $"fallback.kind \"{FallbackOptions.KindName(fallback.Kind)}\" sends code to a remote server and {Why}: no remote fallback, the previous fallback stays; {Remedy}";
        }

        return fallback.Model is { } model && !shipped.Contains(Path.GetFullPath(CodeAssistOptions.ExpandHome(model)))
            ? $"fallback.model \"{model}\" is not a model shipped with CodeAssist and {Why}: the previous fallback stays; {Remedy}"
            : null;
    }
}

/// <summary>Settings after <see cref="WorkspaceTrust.Restrict"/>, with why each tier's choice was refused (null: it was not).</summary>
public sealed record RestrictedSettings(CodeAssistOptions Options, string? LocalRefusal, string? FallbackRefusal)
{
    /// <summary>The refusals, as problems of the settings.</summary>
    public IEnumerable<string> Problems => new[] { LocalRefusal, FallbackRefusal }.OfType<string>();
}

/// <summary>A model that restricted mode does not serve.</summary>
public sealed class WorkspaceNotTrustedException(string message) : Exception(message);
