using System.Globalization;
using CodeAssist.Server.Lsp;
using CodeAssist.Server.Protocol;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace CodeAssist.Server.Logging;

/// <summary>
/// Sends log events to the editor as window/logMessage, so they show in its output channel at their level. An event
/// takes one road: to the editor while a connection is open, else to <paramref name="whenDisconnected"/> (stderr in
/// <c>codeassist serve</c>), never both, so the editor (which also shows the server's stderr) shows each line once.
/// Disposing the sink disposes <paramref name="whenDisconnected"/>.
/// </summary>
/// <param name="client">The connection to the editor.</param>
/// <param name="whenDisconnected">Where events go while there is no connection (before it opens, after it closes); dropped when null.</param>
public sealed class LanguageClientSink(LanguageClient client, ILogEventSink? whenDisconnected = null) : ILogEventSink, IDisposable
{
    private static readonly MessageTemplateTextFormatter MessageOnly = new("{Message:lj}", CultureInfo.InvariantCulture);

    [ThreadStatic]
    private static bool _emitting;

    /// <inheritdoc />
    public void Emit(LogEvent logEvent)
    {
        // Sending can itself log (a failing connection); such an event goes the other road rather than loop.
        if (_emitting || !client.IsConnected)
        {
            whenDisconnected?.Emit(logEvent);
            return;
        }

        _emitting = true;
        try
        {
            client.LogMessage(TypeOf(logEvent.Level), Render(logEvent));
        }
        finally
        {
            _emitting = false;
        }
    }

    /// <inheritdoc />
    public void Dispose() => (whenDisconnected as IDisposable)?.Dispose();

    /// <summary>
    /// The message the editor gets: the request's id (when logged within one), the message as the log file writes it
    /// (strings without quotes), and the exception's type and message.
    /// </summary>
    public static string Render(LogEvent logEvent)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        text.Write(RequestLog.Tag(logEvent));
        MessageOnly.Format(logEvent, text);
        if (logEvent.Exception is { } ex)
        {
            text.Write($" ({ex.GetType().Name}: {ex.Message})");
        }

        return text.ToString();
    }

    private static MessageType TypeOf(LogEventLevel level) => level switch
    {
        >= LogEventLevel.Error => MessageType.Error,
        LogEventLevel.Warning => MessageType.Warning,
        LogEventLevel.Information => MessageType.Info,
        _ => MessageType.Debug,
    };
}
