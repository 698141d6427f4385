using System.Collections;
using Microsoft.Extensions.Logging;
using Serilog.Events;

namespace CodeAssist.Server.Logging;

/// <summary>
/// The id of the request being handled, as a logging scope: opened once where a request enters, it puts the id on
/// every line logged while the request runs (the router, the tiers, remote calls, tasks it starts) as the
/// <see cref="PropertyName"/> property, so no code below passes the id around to log it.
/// </summary>
public static class RequestLog
{
    /// <summary>The log event property that carries the id.</summary>
    public const string PropertyName = "RequestId";

    /// <summary>Opens the scope of request <paramref name="requestId"/>; dispose it when the request is done.</summary>
    public static IDisposable? Begin(ILogger logger, string requestId) => logger.BeginScope(new Scope(requestId));

    /// <summary>The id an event was logged under, or null when it was logged outside any request.</summary>
    public static string? IdOf(LogEvent logEvent) =>
        logEvent.Properties.TryGetValue(PropertyName, out var value) && value is ScalarValue { Value: string id } ? id : null;

    /// <summary>How a line shows the id: <c>"[c12] "</c>, or empty outside a request.</summary>
    public static string Tag(LogEvent logEvent) => IdOf(logEvent) is { } id ? $"[{id}] " : string.Empty;

    // Logging providers read a scope whose state is a list of key/value pairs as properties (Serilog does).
    private sealed class Scope(string requestId) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => 1;

        public KeyValuePair<string, object?> this[int index] =>
            index == 0 ? new(PropertyName, requestId) : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return this[0];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => requestId;
    }
}
