using System.Text.Json;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Protocol;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp.Handlers;

/// <summary>workspace/didChangeConfiguration: settings pushed by the client, or a hint to pull them.</summary>
public sealed class ConfigurationHandler(ServerLifecycle lifecycle, SettingsStore settings, ConfigurationPuller puller)
{
    /// <summary>Applies the codeAssist section when it is pushed; pulls it when the client only signals a change.</summary>
    [JsonRpcMethod(LspMethods.WorkspaceDidChangeConfiguration, UseSingleObjectParameterDeserialization = true)]
    public void DidChangeConfiguration(DidChangeConfigurationParams request)
    {
        if (!lifecycle.AcceptsNotifications)
        {
            return;
        }

        if (request.Settings is { ValueKind: JsonValueKind.Object } pushed && pushed.TryGetProperty("codeAssist", out var section))
        {
            settings.Apply(section, "workspace/didChangeConfiguration");
        }
        else
        {
            _ = puller.PullAsync(CancellationToken.None);
        }
    }
}
