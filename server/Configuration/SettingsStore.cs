using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Configuration;

/// <summary>Holds the current settings and tells the services when they change.</summary>
public sealed class SettingsStore(ILogger<SettingsStore> logger)
{
    private CodeAssistOptions _current = CodeAssistOptions.Default;

    /// <summary>Raised after the settings changed, with the previous and the new value.</summary>
    public event Action<CodeAssistOptions, CodeAssistOptions>? Changed;

    /// <summary>The settings in force.</summary>
    public CodeAssistOptions Current => Volatile.Read(ref _current);

    /// <summary>Applies a settings object over the current settings; problems are logged and returned.</summary>
    public IReadOnlyList<string> Apply(JsonElement? json, string source)
    {
        var previous = Current;
        var next = CodeAssistOptions.Parse(json, previous, out var problems);
        foreach (var problem in problems)
        {
            logger.LogWarning("Ignored setting from {Source}: {Problem}", source, problem);
        }

        Replace(next);
        return problems;
    }

    /// <summary>Replaces the settings outright.</summary>
    public void Replace(CodeAssistOptions next)
    {
        var previous = Interlocked.Exchange(ref _current, next);
        if (previous != next)
        {
            logger.LogInformation("Settings changed: {Settings}", next);
            Changed?.Invoke(previous, next);
        }
    }
}
