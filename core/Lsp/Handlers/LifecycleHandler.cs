using CodeAssist.Server.CodeActions;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Context;
using CodeAssist.Server.Documents;
using CodeAssist.Server.Models;
using CodeAssist.Server.Protocol;
using Microsoft.Extensions.Logging;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp.Handlers;

/// <summary>initialize, initialized, shutdown, exit and $/setTrace.</summary>
public sealed class LifecycleHandler(
    ServerLifecycle lifecycle,
    SettingsStore settings,
    WorkspaceTrust trust,
    ConfigurationPuller configuration,
    ModelManager models,
    StatusReporter status,
    WorkspaceFiles workspace,
    ILogger<LifecycleHandler> logger)
{
    /// <summary>The commands the server executes (workspace/executeCommand).</summary>
    public static readonly IReadOnlyList<string> Commands = [ServerCommands.Accepted, ServerCommands.ListModels, ServerCommands.SelectModel, ServerCommands.PullModel];

    /// <summary>Answers initialize with the server's capabilities.</summary>
    [JsonRpcMethod(LspMethods.Initialize, UseSingleObjectParameterDeserialization = true)]
    public InitializeResult Initialize(InitializeParams request)
    {
        var offered = request.Capabilities.General?.PositionEncodings ?? [];
        var encoding = offered.Contains(PositionEncodingKind.Utf8) ? PositionEncoding.Utf8 : PositionEncoding.Utf16;
        lifecycle.MarkInitialized(request, encoding);

        // Trust first: the settings that come with it are checked against it.
        trust.Initialize(request.InitializationOptions);
        settings.Apply(request.InitializationOptions, "initializationOptions");

        // The workspace's own files are read only when it is trusted and the settings allow it (open documents always count).
        workspace.Offer(WorkspaceFolderPaths(request), enabled: !trust.IsRestricted && settings.Current.Context.Workspace);

        logger.LogInformation(
            "Initialize from {Client} {ClientVersion} (process {ProcessId}), position encoding {Encoding}",
            request.ClientInfo?.Name ?? "unknown client", request.ClientInfo?.Version, request.ProcessId, encoding);

        return new InitializeResult
        {
            Capabilities = new ServerCapabilities
            {
                PositionEncoding = encoding == PositionEncoding.Utf8 ? PositionEncodingKind.Utf8 : PositionEncodingKind.Utf16,
                TextDocumentSync = new TextDocumentSyncOptions { OpenClose = true, Change = TextDocumentSyncKind.Incremental },
                InlineCompletionProvider = new InlineCompletionOptions(),
                CompletionProvider = new CompletionOptions { ResolveProvider = false },
                ExecuteCommandProvider = new ExecuteCommandOptions { Commands = Commands },
                CodeActionProvider = new CodeActionOptions { CodeActionKinds = CodeActionService.Kinds, ResolveProvider = true },
            },
            ServerInfo = new ServerInfo { Name = "codeassist", Version = ServerVersion.Current },
        };
    }

    private static IEnumerable<string> WorkspaceFolderPaths(InitializeParams request)
    {
        var uris = request.WorkspaceFolders is { Count: > 0 } folders ? folders.Select(f => f.Uri) : request.RootUri is { } root ? [root] : [];
        foreach (var uri in uris)
        {
            if (Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.IsFile)
            {
                yield return parsed.LocalPath;
            }
        }
    }

    /// <summary>After initialized: pull settings when the client offers them, and start loading the model.</summary>
    [JsonRpcMethod(LspMethods.Initialized, UseSingleObjectParameterDeserialization = true)]
    public void Initialized(InitializedParams? request = null)
    {
        if (!lifecycle.AcceptsNotifications)
        {
            return;
        }

        status.Start();
        _ = WarmUpAsync();
    }

    private async Task WarmUpAsync()
    {
        await configuration.PullAsync(CancellationToken.None).ConfigureAwait(false);
        await models.GetModelAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>shutdown: stop taking requests, answer once those in flight are answered; the process ends at exit.</summary>
    [JsonRpcMethod(LspMethods.Shutdown)]
    public async Task<object?> ShutdownAsync()
    {
        lifecycle.MarkShutdown();
        logger.LogInformation("Shutdown requested");
        await lifecycle.WaitForIdleAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        return null;
    }

    /// <summary>exit: end the process (code 0 after shutdown, 1 without).</summary>
    [JsonRpcMethod(LspMethods.Exit)]
    public void Exit()
    {
        logger.LogInformation("Exit requested (after shutdown: {AfterShutdown})", lifecycle.IsShuttingDown);
        lifecycle.MarkExit();
    }

    /// <summary>$/setTrace: accepted; our traces are the logs.</summary>
    [JsonRpcMethod(LspMethods.SetTrace, UseSingleObjectParameterDeserialization = true)]
    public void SetTrace(SetTraceParams request) => logger.LogDebug("Trace set to {Trace}", request.Value);
}
