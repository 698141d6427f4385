using System.Text.Json;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Protocol;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Lsp;

/// <summary>
/// Fetches the codeAssist section with workspace/configuration when the client supports it: once unscoped
/// (user and machine values) and once per workspace folder. The unscoped answer is applied. A folder's answer
/// that sets a different <c>fallback.endpoint</c> or <c>fallback.apiKeyEnv</c> is a workspace trying to send the
/// user's code elsewhere: it is ignored, with one warning per folder and value.
/// </summary>
public sealed class ConfigurationPuller(ServerLifecycle lifecycle, LanguageClient client, SettingsStore settings, ILogger<ConfigurationPuller> logger)
{
    /// <summary>The settings section CodeAssist reads.</summary>
    public const string Section = "codeAssist";

    /// <summary>The settings a workspace may not set: where code is sent, and with which key.</summary>
    public static readonly IReadOnlyList<string> MachineOnlyKeys = ["endpoint", "apiKeyEnv"];

    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);

    /// <summary>Pulls and applies the section; failures are logged, never thrown.</summary>
    public async Task PullAsync(CancellationToken cancellationToken)
    {
        if (!lifecycle.ClientPullsConfiguration)
        {
            return;
        }

        try
        {
            var folders = lifecycle.Client?.WorkspaceFolders ?? [];
            List<ConfigurationItem> items = [new ConfigurationItem { Section = Section }];
            items.AddRange(folders.Select(folder => new ConfigurationItem { ScopeUri = folder.Uri, Section = Section }));
            var answers = await client.GetConfigurationAsync(items, cancellationToken).ConfigureAwait(false);
            if (answers.Count == 0)
            {
                return;
            }

            var unscoped = answers[0];
            for (var i = 1; i < answers.Count && i <= folders.Count; i++)
            {
                WarnAboutOverrides(folders[i - 1].Uri, unscoped, answers[i]);
            }

            settings.Apply(unscoped, "workspace/configuration");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning("workspace/configuration failed: {Error}", ex.Message);
        }
    }

    private void WarnAboutOverrides(string folder, JsonElement unscoped, JsonElement scoped)
    {
        var overridden = MachineOnlyKeys
            .Where(key => FallbackValue(scoped, key) is { } workspace && workspace != FallbackValue(unscoped, key))
            .ToList();
        if (overridden.Count == 0)
        {
            return;
        }

        var signature = string.Join('\n', [folder, .. overridden.Select(key => key + "=" + FallbackValue(scoped, key))]);
        lock (_warned)
        {
            if (!_warned.Add(signature))
            {
                return;
            }
        }

        // The values themselves are not logged: an endpoint may carry a token in its path.
        logger.LogWarning(
            "Ignored {Keys} from workspace folder {Folder}: machine settings (set them in user settings); a workspace may not redirect completions",
            string.Join(", ", overridden.Select(key => "fallback." + key)), folder);
    }

    private static string? FallbackValue(JsonElement section, string key)
    {
        if (section.ValueKind == JsonValueKind.Object && section.TryGetProperty(Section, out var nested) && nested.ValueKind == JsonValueKind.Object)
        {
            section = nested;
        }

        return section.ValueKind == JsonValueKind.Object
            && section.TryGetProperty("fallback", out var fallback)
            && fallback.ValueKind == JsonValueKind.Object
            && fallback.TryGetProperty(key, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;
    }
}
