using CodeAssist.Server.Configuration;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Lsp;

/// <summary>Fetches the codeAssist section with workspace/configuration when the client supports it.</summary>
public sealed class ConfigurationPuller(ServerLifecycle lifecycle, LanguageClient client, SettingsStore settings, ILogger<ConfigurationPuller> logger)
{
    /// <summary>The settings section CodeAssist reads.</summary>
    public const string Section = "codeAssist";

    /// <summary>Pulls and applies the section; failures are logged, never thrown.</summary>
    public async Task PullAsync(CancellationToken cancellationToken)
    {
        if (!lifecycle.ClientPullsConfiguration)
        {
            return;
        }

        try
        {
            var section = await client.GetConfigurationAsync(Section, cancellationToken).ConfigureAwait(false);
            settings.Apply(section, "workspace/configuration");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning("workspace/configuration failed: {Error}", ex.Message);
        }
    }
}
