using System.Text.Json;
using CodeAssist.Server.Models;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Configuration;

/// <summary>
/// Holds the settings and tells the services when they change. Two layers: the settings the client configured,
/// and this session's model selections (<c>codeAssist.selectModel</c>) over them. A selection lasts until the
/// client's settings change the value it overrides (<c>model</c> for the local tier; <c>fallback.kind</c>,
/// <c>fallback.model</c> or <c>fallback.endpoint</c> for the fallback tier). Where the user set neither <c>model</c>
/// nor <c>fallback.kind</c> and selected no fallback, the fallback tier is the <see cref="DefaultFallback"/> if any.
/// In restricted mode (<see cref="WorkspaceTrust"/>) the configured settings never name what the workspace may not choose.
/// </summary>
public sealed class SettingsStore
{
    private readonly Lock _gate = new();
    private readonly ILogger<SettingsStore> _logger;
    private readonly DefaultFallback? _defaultFallback;
    private readonly WorkspaceTrust? _trust;
    private CodeAssistOptions _configured = CodeAssistOptions.Default;
    private CodeAssistOptions _current = CodeAssistOptions.Default;
    private string? _selectedLocalModel;
    private FallbackOptions? _selectedFallback;
    private bool _usingDefaultFallback;

    /// <summary>
    /// Creates the store with the default settings; <paramref name="defaultFallback"/> is the fallback tier for users who
    /// configure none; <paramref name="trust"/> restricts what the settings may choose (none: everything is allowed).
    /// </summary>
    public SettingsStore(ILogger<SettingsStore> logger, DefaultFallback? defaultFallback = null, WorkspaceTrust? trust = null)
    {
        _logger = logger;
        _defaultFallback = defaultFallback;
        _trust = trust;
        lock (_gate)
        {
            Recompute();
        }
    }

    /// <summary>Raised after the settings in force changed, with the previous and the new value.</summary>
    public event Action<CodeAssistOptions, CodeAssistOptions>? Changed;

    /// <summary>The settings in force: the configured ones with this session's model selections applied.</summary>
    public CodeAssistOptions Current => Volatile.Read(ref _current);

    /// <summary>The settings as the client configured them, without this session's selections.</summary>
    public CodeAssistOptions Configured
    {
        get
        {
            lock (_gate)
            {
                return _configured;
            }
        }
    }

    /// <summary>Applies a settings object over the configured settings; problems are logged and returned.</summary>
    public IReadOnlyList<string> Apply(JsonElement? json, string source)
    {
        List<string> problems;
        RestrictedSettings? restricted;
        (CodeAssistOptions Previous, CodeAssistOptions Next) change;
        lock (_gate)
        {
            var parsed = CodeAssistOptions.Parse(json, _configured, out var parseProblems);
            problems = [.. parseProblems];
            restricted = _trust?.Restrict(parsed, _configured);
            problems.AddRange(restricted?.Problems ?? []);
            change = ReplaceConfigured(restricted?.Options ?? parsed);
        }

        foreach (var problem in problems)
        {
            _logger.LogWarning("Ignored setting from {Source}: {Problem}", source, problem);
        }

        Report(restricted);
        Raise(change);
        return problems;
    }

    /// <summary>Replaces the configured settings outright (less what restricted mode refuses).</summary>
    public void Replace(CodeAssistOptions next)
    {
        RestrictedSettings? restricted;
        (CodeAssistOptions Previous, CodeAssistOptions Next) change;
        lock (_gate)
        {
            restricted = _trust?.Restrict(next, _configured);
            change = ReplaceConfigured(restricted?.Options ?? next);
        }

        foreach (var problem in restricted?.Problems ?? [])
        {
            _logger.LogWarning("Ignored setting: {Problem}", problem);
        }

        Report(restricted);
        Raise(change);
    }

    /// <summary>Uses the GGUF at <paramref name="path"/> for the local tier for the rest of the session (or until <c>model</c> is set again).</summary>
    public void SelectLocalModel(string path)
    {
        (CodeAssistOptions Previous, CodeAssistOptions Next) change;
        lock (_gate)
        {
            _selectedLocalModel = Path.GetFullPath(path);
            change = Recompute();
        }

        Raise(change);
    }

    /// <summary>
    /// Uses <paramref name="fallback"/> for the fallback tier for the rest of the session (or until the fallback
    /// settings change); null goes back to the configured fallback.
    /// </summary>
    public void SelectFallback(FallbackOptions? fallback)
    {
        (CodeAssistOptions Previous, CodeAssistOptions Next) change;
        lock (_gate)
        {
            _selectedFallback = fallback == _configured.Fallback ? null : fallback;
            change = Recompute();
        }

        Raise(change);
    }

    private (CodeAssistOptions Previous, CodeAssistOptions Next) ReplaceConfigured(CodeAssistOptions next)
    {
        var previous = _configured;
        _configured = next;
        if (_selectedLocalModel is not null && previous.Model != next.Model)
        {
            _logger.LogInformation("The model setting changed: the model selected in this session no longer applies");
            _selectedLocalModel = null;
        }

        if (_selectedFallback is not null
            && (previous.Fallback.ChosenKind != next.Fallback.ChosenKind || previous.Fallback.Model != next.Fallback.Model || previous.Fallback.Endpoint != next.Fallback.Endpoint))
        {
            _logger.LogInformation("The fallback settings changed: the fallback selected in this session no longer applies");
            _selectedFallback = null;
        }

        return Recompute();
    }

    private (CodeAssistOptions Previous, CodeAssistOptions Next) Recompute()
    {
        var effective = _configured;
        if (_selectedLocalModel is not null)
        {
            effective = effective with { Model = _selectedLocalModel };
        }

        var byDefault = false;
        if (_selectedFallback is not null)
        {
            effective = effective with { Fallback = _selectedFallback };
        }
        else if (_configured.Model is null && _configured.Fallback.ChosenKind is null
            && _defaultFallback?.For(_configured.Fallback, DefaultModelLocator.Resolve(effective.Model)) is { } fallback)
        {
            // Checked against the local model in use (a session selection included): the default is never the smaller tier.
            effective = effective with { Fallback = fallback };
            byDefault = true;
        }

        if (byDefault != _usingDefaultFallback)
        {
            _usingDefaultFallback = byDefault;
            if (byDefault)
            {
                _logger.LogInformation("Neither model nor fallback.kind is set: the fallback tier is the default fallback {Model}", effective.Fallback.Model);
            }
            else
            {
                _logger.LogInformation("The default fallback no longer applies (model or fallback set, or the local model is not smaller)");
            }
        }

        var previous = Interlocked.Exchange(ref _current, effective);
        return (previous, effective);
    }

    // Outside the gate: the trust's listeners (the status) read these settings.
    private void Report(RestrictedSettings? restricted)
    {
        if (restricted is not null)
        {
            _trust?.Report(restricted);
        }
    }

    private void Raise((CodeAssistOptions Previous, CodeAssistOptions Next) change)
    {
        if (change.Previous != change.Next)
        {
            _logger.LogInformation("Settings changed: {Settings}", change.Next);
            Changed?.Invoke(change.Previous, change.Next);
        }
    }
}
