using CodeAssist.Server.Lsp;
using LLama.Native;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace CodeAssist.Server.Logging;

/// <summary>
/// Builds the Serilog pipeline: a rolling file, stderr, and in <c>codeassist serve</c> the editor. Never stdout.
/// Every line logged within a request (see <see cref="RequestLog"/>) shows its id after the level.
/// </summary>
public static class LoggingSetup
{
    /// <summary>The stderr line: time, level, the request's id when there is one, message.</summary>
    public const string StderrTemplate = "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {" + RequestTagProperty + ":l}{Message:lj}{NewLine}{Exception}";

    /// <summary>The log file's line: date and time, level, logger, the request's id when there is one, message.</summary>
    public const string FileTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} [{Level:u3}] {SourceContext}: {" + RequestTagProperty + ":l}{Message:lj}{NewLine}{Exception}";

    // The "[c12] " of RequestLog.Tag, added to every event so the templates can show it (nothing outside a request).
    private const string RequestTagProperty = "RequestTag";

    /// <summary>
    /// Creates the logger. <paramref name="minimumLevel"/> is the least level shown: on stderr, or with
    /// <paramref name="editor"/> (serve) in the editor, where events go while it is connected, and on stderr only
    /// while it is not (see <see cref="LanguageClientSink"/>). The file gets everything from debug up.
    /// </summary>
    public static Logger Create(LogEventLevel minimumLevel, LanguageClient? editor = null)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Debug()
            .Enrich.FromLogContext()
            .Enrich.With<RequestTagEnricher>();

        var stderr = new LoggerConfiguration()
            .MinimumLevel.Verbose()
            .WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose, outputTemplate: StderrTemplate)
            .CreateLogger();
        configuration = editor is null
            ? configuration.WriteTo.Sink(stderr, minimumLevel)
            : configuration.WriteTo.Sink(new LanguageClientSink(editor, stderr), minimumLevel);

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
                outputTemplate: FileTemplate);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // No log folder is no reason not to serve; stderr (or the editor) still has everything at its level.
        }

        var logger = configuration.CreateLogger();
        RouteNativeLogs(logger);
        return logger;
    }

    /// <summary>Adds the request's tag for the templates (a template shows a missing property as nothing).</summary>
    private sealed class RequestTagEnricher : ILogEventEnricher
    {
        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
        {
            if (RequestLog.IdOf(logEvent) is not null)
            {
                logEvent.AddPropertyIfAbsent(new LogEventProperty(RequestTagProperty, new ScalarValue(RequestLog.Tag(logEvent))));
            }
        }
    }

    /// <summary>The log level of a llama.cpp line: errors of a decode we aborted ourselves are debug (<see cref="ExpectedNativeErrors"/>).</summary>
    public static LogEventLevel LevelOf(LLamaLogLevel level) => level switch
    {
        LLamaLogLevel.Error => ExpectedNativeErrors.AreExpected ? LogEventLevel.Debug : LogEventLevel.Error,
        LLamaLogLevel.Warning => LogEventLevel.Information,
        _ => LogEventLevel.Debug,
    };

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
                native.Write(LevelOf(level), "{NativeMessage}", line);
            }
        });
    }
}
