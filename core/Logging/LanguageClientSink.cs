using CodeAssist.Server.Lsp;
using CodeAssist.Server.Protocol;
using Serilog.Core;
using Serilog.Events;

namespace CodeAssist.Server.Logging;

/// <summary>Forwards warnings and errors to the editor as window/logMessage, so they show in its output channel.</summary>
public sealed class LanguageClientSink(LanguageClient client) : ILogEventSink
{
    [ThreadStatic]
    private static bool _emitting;

    /// <inheritdoc />
    public void Emit(LogEvent logEvent)
    {
        // Sending can itself log (a failing connection); don't loop.
        if (_emitting || logEvent.Level < LogEventLevel.Warning || !client.IsConnected)
        {
            return;
        }

        _emitting = true;
        try
        {
            var type = logEvent.Level >= LogEventLevel.Error ? MessageType.Error : MessageType.Warning;
            var message = logEvent.RenderMessage();
            if (logEvent.Exception is { } ex)
            {
                message += $" ({ex.GetType().Name}: {ex.Message})";
            }

            client.LogMessage(type, message);
        }
        finally
        {
            _emitting = false;
        }
    }
}
