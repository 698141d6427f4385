using CodeAssist.Server.CodeActions;
using CodeAssist.Server.Completion;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Context;
using CodeAssist.Server.Documents;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Lsp;
using CodeAssist.Server.Lsp.Framing;
using CodeAssist.Server.Models;
using CodeAssist.Server.Prompting;
using CodeAssist.Server.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server;

/// <summary>The one place that wires the server's services and handlers.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>Adds everything the completion pipeline needs (used by the CLI verbs too).</summary>
    public static IServiceCollection AddCodeAssistCore(this IServiceCollection services)
    {
        // A test may register its own default fallback (a catalog of its own) before this.
        services.TryAddSingleton(provider => DefaultFallback.Shipped(provider.GetRequiredService<ILogger<DefaultFallback>>()));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => ShippedModels.Shipped(provider.GetRequiredService<ILogger<ShippedModels>>()));
        services.AddSingleton<WorkspaceTrust>();
        services.AddSingleton<SettingsStore>();
        services.TryAddSingleton(_ => new DocumentStore());
        services.AddSingleton<CompletionCache>(_ => new CompletionCache());
        services.AddSingleton(provider =>
        {
            var files = new WorkspaceFiles(provider.GetRequiredService<ILogger<WorkspaceFiles>>());
            var trust = provider.GetRequiredService<WorkspaceTrust>();
            provider.GetRequiredService<SettingsStore>().Changed += (previous, next) =>
            {
                if (previous.Context.Workspace != next.Context.Workspace)
                {
                    files.Enable(next.Context.Workspace && !trust.IsRestricted);
                }
            };
            return files;
        });
        services.AddSingleton<RecentEdits>();
        services.AddSingleton<WorkspaceContext>();
        services.AddSingleton<CompletionStatistics>();
        services.AddSingleton<PostProcessor>();
        services.AddSingleton<InferenceStatistics>();
        services.TryAddSingleton(provider => new ModelProbe(provider.GetRequiredService<ShippedModels>(), provider.GetRequiredService<ILogger<ModelProbe>>()));
        services.AddSingleton<ModelManager>();
        services.AddSingleton<ILocalTier>(provider => provider.GetRequiredService<ModelManager>());
        services.AddSingleton<PromptBuilder>();
        services.AddSingleton<RoutingStatistics>();
        services.AddKeyedSingleton<RoutingStatistics>(RoutingStatistics.CodeActionsKey);
        services.AddSingleton(provider =>
        {
            var fallback = new FallbackModelProvider(provider.GetRequiredService<ILoggerFactory>(), probe: provider.GetRequiredService<ModelProbe>());
            provider.GetRequiredService<SettingsStore>().Changed += (_, next) => fallback.Release(next);
            return fallback;
        });
        services.AddSingleton<ModelRouter>();
        services.AddSingleton<CompletionService>();
        services.AddSingleton<EvaluationPipeline>();
        // A test may register its own catalog and folders before this.
        services.TryAddSingleton(_ => ModelLocations.FromEnvironment());
        services.AddSingleton(provider => new ModelInventory(
            provider.GetRequiredService<SettingsStore>(), provider.GetRequiredService<ModelLocations>().Folders, provider.GetRequiredService<ILogger<ModelInventory>>(),
            provider.GetRequiredService<WorkspaceTrust>(), provider.GetRequiredService<ModelLocations>().CatalogPath));
        services.AddSingleton<ModelSelector>();
        services.TryAddSingleton<ModelDownloader>();
        services.AddSingleton<ModelPuller>();
        services.AddSingleton<CodeActionGenerator>();
        services.AddSingleton<CodeActionService>();
        return services;
    }

    /// <summary>Adds the core plus the LSP session, its handlers and the client connection.</summary>
    public static IServiceCollection AddCodeAssistLanguageServer(this IServiceCollection services)
    {
        services.AddCodeAssistCore();
        // A test may register smaller limits before this.
        services.TryAddSingleton(MessageLimits.Default);
        services.AddSingleton<ServerLifecycle>();
        // The logging pipeline is built before the container and holds the same client instance.
        services.TryAddSingleton<LanguageClient>();
        services.AddSingleton<ConfigurationPuller>();
        services.AddSingleton<WorkDoneProgress>();
        services.AddSingleton<StatusReporter>();
        services.AddSingleton<ModelCommands>();
        services.AddSingleton<PullModelCommand>();
        services.AddSingleton<LspServer>();
        LspServer.AddHandlers(services);
        return services;
    }
}
