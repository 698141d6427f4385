using System.CommandLine;
using CodeAssist.Server.Logging;
using CodeAssist.Server.Lsp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;

namespace CodeAssist.Server.Cli;

/// <summary><c>codeassist serve</c>: the language server over stdin/stdout.</summary>
public static class ServeCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var command = new Command("serve", "Run the language server (LSP over stdin/stdout). This is the default.");
        command.SetAction((_, cancellationToken) => RunAsync(Console.OpenStandardInput(), ProtocolOutput.Claim(Console.OpenStandardOutput()), cancellationToken));
        return command;
    }

    /// <summary>Runs one LSP session on the given streams and returns the process exit code.</summary>
    public static async Task<int> RunAsync(Stream input, Stream output, CancellationToken cancellationToken)
    {
        var client = new LanguageClient();
        using var serilog = LoggingSetup.Create(LogEventLevel.Information, client);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });

        // The default providers include a console logger, which writes to stdout: the protocol channel.
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Debug);
        builder.Logging.AddSerilog(serilog, dispose: false);
        builder.Services.AddSingleton(client);
        builder.Services.AddCodeAssistLanguageServer();

        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILogger<LspServer>>();
        try
        {
            return await host.Services.GetRequiredService<LspServer>().RunAsync(input, output, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logger.LogCritical(ex, "The language server failed");
            return 1;
        }
    }
}
