using System.Collections.Concurrent;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Prompting;
using CodeAssist.Server.Routing;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Tests.Routing;

/// <summary>A model that answers a fixed text with a fixed confidence after a delay (on <paramref name="time"/>, the system clock by default), and records how it was called.</summary>
internal sealed class ScriptedModel(string id, string text, double meanLogprob, TimeSpan delay, TimeProvider? time = null) : ICompletionModel
{
    private int _calls;
    private int _cancelled;

    public ModelDescription Description { get; } = new(id, "/fake/" + id, "fake", FimTemplate.PrefixOnly, 4096, 0, 0);

    public int Calls => Volatile.Read(ref _calls);

    public int Cancelled => Volatile.Read(ref _cancelled);

    public int CountTokens(string text) => text.Length;

    public async Task<ModelCompletion> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        try
        {
            await Task.Delay(delay, time ?? TimeProvider.System, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref _cancelled);
            throw;
        }

        return new ModelCompletion(text, text, 3, meanLogprob, meanLogprob, 10, 0, StopReason.EndToken, delay);
    }

    public void Dispose()
    {
    }
}

/// <summary>Collects log lines, to count warnings.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Message)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Category, string Message)> Lines => [.. _lines];

    public IReadOnlyList<string> Warnings => [.. _lines.Where(l => l.Level >= LogLevel.Warning).Select(l => $"{l.Category}: {l.Message}")];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(RecordingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue((logLevel, category, formatter(state, exception)));
    }
}

internal static class RoutingTestKit
{
    public static readonly CompletionRequest Request = new("x = ", "\n", 16);

    public static ITierAttempt Attempt { get; } = new EchoAttempt();

    public static CodeAssistOptions Options(FallbackKind kind = FallbackKind.Local, int deadlineMs = 1000, Func<RoutingOptions, RoutingOptions>? routing = null)
    {
        var route = new RoutingOptions { DeadlineMs = deadlineMs };
        return CodeAssistOptions.Default with
        {
            Fallback = new FallbackOptions { Kind = kind, Model = "larger.gguf" },
            Routing = routing is null ? route : routing(route),
        };
    }
}

/// <summary>An attempt that returns what the model generated, unprocessed.</summary>
internal sealed class EchoAttempt : ITierAttempt
{
    public async Task<TierAnswer> RunAsync(ICompletionModel model, CancellationToken cancellationToken)
    {
        var generation = await model.CompleteAsync(RoutingTestKit.Request, cancellationToken);
        return new TierAnswer(generation.Text, generation, model.Description);
    }
}

/// <summary>A local tier that hands out a fixed model.</summary>
internal sealed class FixedLocalTier(ICompletionModel? model) : ILocalTier
{
    public ICompletionModel? Model { get; set; } = model;

    public string? LastError => Model is null ? "no model in this test" : null;

    public Task<ICompletionModel?> GetAsync(CancellationToken cancellationToken) => Task.FromResult(Model);
}
