using LLama.Native;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace CodeAssist.Server.Logging;

/// <summary>Builds the Serilog pipeline: a rolling file, stderr, and optionally the editor. Never stdout.</summary>
public static class LoggingSetup
{
    /// <summary>Creates the logger. <paramref name="stderrLevel"/> is the least level echoed to stderr.</summary>
    public static Logger Create(LogEventLevel stderrLevel, ILogEventSink? clientSink = null)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Debug()
            .Enrich.FromLogContext()
            .WriteTo.Console(
                restrictedToMinimumLevel: stderrLevel,
                standardErrorFromLevel: LogEventLevel.Verbose,
                outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:lj}{NewLine}{Exception}");

        try
        {
            Directory.CreateDirectory(LogPaths.LogDirectory);
            configuration = configuration.WriteTo.File(
                LogPaths.LogFilePattern,
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: 7,
                fileSizeLimitBytes: 20 * 1024 * 1024,
                rollOnFileSizeLimit: true,
                shared: true,
                outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // No log folder is no reason not to serve; stderr still has everything.
        }

        if (clientSink is not null)
        {
            configuration = configuration.WriteTo.Sink(clientSink, LogEventLevel.Warning);
        }

        var logger = configuration.CreateLogger();
        RouteNativeLogs(logger);
        return logger;
    }

    // llama.cpp prints to stderr by itself; send its lines through Serilog instead (debug level, so
    // model-loading chatter stays in the file).
    private static void RouteNativeLogs(Logger logger)
    {
        var native = logger.ForContext(Constants.SourceContextPropertyName, "llama.cpp");
        var pending = new System.Text.StringBuilder();
        NativeLogConfig.llama_log_set((level, message) =>
        {
            lock (pending)
            {
                pending.Append(message);
                if (!message.EndsWith('\n'))
                {
                    return;
                }

                var line = pending.ToString().TrimEnd();
                pending.Clear();
                var serilogLevel = level switch
                {
                    LLamaLogLevel.Error => LogEventLevel.Error,
                    LLamaLogLevel.Warning => LogEventLevel.Information,
                    _ => LogEventLevel.Debug,
                };
                native.Write(serilogLevel, "{NativeMessage}", line);
            }
        });
    }
}
