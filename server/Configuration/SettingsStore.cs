using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Configuration;

/// <summary>
/// Holds the settings and tells the services when they change. Two layers: the settings the client configured,
/// and this session's model selections (<c>codeAssist.selectModel</c>) over them. A selection lasts until the
/// client's settings change the value it overrides (<c>model</c> for the local tier; <c>fallback.kind</c>,
/// <c>fallback.model</c> or <c>fallback.endpoint</c> for the fallback tier).
/// </summary>
public sealed class SettingsStore(ILogger<SettingsStore> logger)
{
    private readonly Lock _gate = new();
    private CodeAssistOptions _configured = CodeAssistOptions.Default;
    private CodeAssistOptions _current = CodeAssistOptions.Default;
    private string? _selectedLocalModel;
    private FallbackOptions? _selectedFallback;

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
        IReadOnlyList<string> problems;
        (CodeAssistOptions Previous, CodeAssistOptions Next) change;
        lock (_gate)
        {
            var next = CodeAssistOptions.Parse(json, _configured, out problems);
            change = ReplaceConfigured(next);
        }

        foreach (var problem in problems)
        {
            logger.LogWarning("Ignored setting from {Source}: {Problem}", source, problem);
        }

        Raise(change);
        return problems;
    }

    /// <summary>Replaces the configured settings outright.</summary>
    public void Replace(CodeAssistOptions next)
    {
        (CodeAssistOptions Previous, CodeAssistOptions Next) change;
        lock (_gate)
        {
            change = ReplaceConfigured(next);
        }

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
            logger.LogInformation("The model setting changed: the model selected in this session no longer applies");
            _selectedLocalModel = null;
        }

        if (_selectedFallback is not null
            && (previous.Fallback.Kind != next.Fallback.Kind || previous.Fallback.Model != next.Fallback.Model || previous.Fallback.Endpoint != next.Fallback.Endpoint))
        {
            logger.LogInformation("The fallback settings changed: the fallback selected in this session no longer applies");
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

        if (_selectedFallback is not null)
        {
            effective = effective with { Fallback = _selectedFallback };
        }

        var previous = Interlocked.Exchange(ref _current, effective);
        return (previous, effective);
    }

    private void Raise((CodeAssistOptions Previous, CodeAssistOptions Next) change)
    {
        if (change.Previous != change.Next)
        {
            logger.LogInformation("Settings changed: {Settings}", change.Next);
            Changed?.Invoke(change.Previous, change.Next);
        }
    }
}
