using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Lsp;

/// <summary>
/// StreamJsonRpc's warnings and errors into the server's log: a notification whose params do not deserialize (a
/// <c>didChange</c> with a lone surrogate, a <c>didOpen</c> with <c>version: "one"</c>) is dropped by StreamJsonRpc with
/// only a trace event; without this listener it vanishes, and the document silently differs from the editor's.
/// </summary>
internal sealed class RpcTraceLog(ILogger logger) : TraceListener
{
    /// <summary>A trace source that forwards warnings and errors of the connection to <paramref name="logger"/>.</summary>
    public static TraceSource For(ILogger logger)
    {
        var source = new TraceSource("StreamJsonRpc", SourceLevels.Warning);
        source.Listeners.Clear();
        source.Listeners.Add(new RpcTraceLog(logger));
        return source;
    }

    /// <inheritdoc />
    public override void TraceEvent(TraceEventCache? eventCache, string source, TraceEventType eventType, int id, string? format, params object?[]? args) =>
        Log(eventType, args is { Length: > 0 } && format is not null ? string.Format(CultureInfo.InvariantCulture, format, args) : format ?? string.Empty);

    /// <inheritdoc />
    public override void TraceEvent(TraceEventCache? eventCache, string source, TraceEventType eventType, int id, string? message) =>
        Log(eventType, message ?? string.Empty);

    /// <inheritdoc />
    public override void TraceData(TraceEventCache? eventCache, string source, TraceEventType eventType, int id, object? data) =>
        Log(eventType, data?.ToString() ?? string.Empty);

    /// <inheritdoc />
    public override void Write(string? message)
    {
    }

    /// <inheritdoc />
    public override void WriteLine(string? message)
    {
    }

    private void Log(TraceEventType eventType, string message)
    {
        // A handler's deliberate error (LocalRpcException: a code action that wrote nothing) and a cancelled request are
        // answered to the client and logged by the handler: once is enough.
        var answered = message.Contains(nameof(StreamJsonRpc.LocalRpcException), StringComparison.Ordinal)
            || message.Contains(nameof(OperationCanceledException), StringComparison.Ordinal)
            || message.Contains(nameof(TaskCanceledException), StringComparison.Ordinal);
        if (eventType <= TraceEventType.Warning && !answered)
        {
            logger.LogWarning("JSON-RPC: {Message}", message);
        }
    }
}
