using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace CodeAssist.Tests.Logging;

/// <summary>A Serilog sink that keeps every event, for assertions on what was logged and with which properties.</summary>
internal sealed class CapturedLog : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    /// <summary>The events so far, in the order they were logged.</summary>
    public IReadOnlyList<LogEvent> Events => [.. _events];

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

    /// <summary>The events whose message template starts with <paramref name="template"/>.</summary>
    public IReadOnlyList<LogEvent> WithTemplate(string template) =>
        [.. Events.Where(e => e.MessageTemplate.Text.StartsWith(template, StringComparison.Ordinal))];
}
