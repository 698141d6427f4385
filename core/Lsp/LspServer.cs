using CodeAssist.Server.Lsp.Framing;
using CodeAssist.Server.Lsp.Handlers;
using CodeAssist.Server.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.VisualStudio.Threading;
using StreamJsonRpc;

namespace CodeAssist.Server.Lsp;

/// <summary>
/// One LSP session over a pair of streams: StreamJsonRpc with LSP's header framing and our
/// source-generated serializer, the handlers registered as targets, and the lifecycle that ends it.
/// </summary>
public sealed class LspServer(IServiceProvider services, ILogger<LspServer> logger)
{
    private static readonly Type[] HandlerTypes =
    [
        typeof(LifecycleHandler),
        typeof(TextSyncHandler),
        typeof(InlineCompletionHandler),
        typeof(CompletionHandler),
        typeof(ExecuteCommandHandler),
        typeof(CodeActionHandler),
        typeof(CodeActionResolveHandler),
        typeof(ConfigurationHandler),
        typeof(WatchedFilesHandler),
        typeof(StatsHandler),
        typeof(WorkDoneProgressCancelHandler),
    ];

    /// <summary>Registers the handler types with the container.</summary>
    public static void AddHandlers(IServiceCollection collection)
    {
        foreach (var type in HandlerTypes)
        {
            collection.AddSingleton(type);
        }
    }

    /// <summary>
    /// Serves until the client sends exit, closes the stream, or its process dies. Returns the exit code:
    /// 0 after shutdown+exit, 1 otherwise.
    /// </summary>
    public async Task<int> RunAsync(Stream input, Stream output, CancellationToken cancellationToken)
    {
        var lifecycle = services.GetRequiredService<ServerLifecycle>();
        var formatter = LspJsonContext.CreateFormatter();
        var handler = new LspMessageHandler(output, input, formatter, services.GetRequiredService<MessageLimits>(), logger);
        using var rpc = new LspJsonRpc(handler)
        {
            // Messages are handled one at a time up to their first await, so a didChange is applied
            // before the completion request that follows it reads the document.
            SynchronizationContext = new NonConcurrentSynchronizationContext(sticky: false),
            CancelLocallyInvokedMethodsWhenConnectionIsClosed = true,
            TraceSource = RpcTraceLog.For(logger),
        };

        foreach (var type in HandlerTypes)
        {
            rpc.AddLocalRpcTarget(services.GetRequiredService(type), new JsonRpcTargetOptions { DisposeOnDisconnect = false });
        }

        services.GetRequiredService<LanguageClient>().Attach(rpc);
        rpc.StartListening();
        logger.LogInformation("Language server listening (codeassist {Version}, process {ProcessId})", ServerVersion.Current, Environment.ProcessId);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var clientGone = WatchClientProcessAsync(lifecycle, stop.Token);
        var finished = await Task.WhenAny(rpc.Completion, lifecycle.ExitRequested, clientGone).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);

        if (finished == lifecycle.ExitRequested)
        {
            var code = await lifecycle.ExitRequested.ConfigureAwait(false);
            logger.LogInformation("Exiting with code {ExitCode}", code);
            return code;
        }

        if (finished == rpc.Completion)
        {
            try
            {
                await rpc.Completion.ConfigureAwait(false);
                logger.LogInformation("The client closed the connection");
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "The connection failed");
            }
        }
        else
        {
            logger.LogWarning("The client process is gone; exiting");
        }

        return lifecycle.IsShuttingDown ? 0 : 1;
    }

    private static async Task WatchClientProcessAsync(ServerLifecycle lifecycle, CancellationToken cancellationToken)
    {
        try
        {
            // The process id arrives with initialize; wait for it, then watch that process.
            while (lifecycle.Client is null)
            {
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }

            if (lifecycle.Client.ProcessId is not { } processId)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                return;
            }

            await ClientProcessMonitor.WaitForExitAsync(processId, TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await Task.Delay(Timeout.Infinite, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
