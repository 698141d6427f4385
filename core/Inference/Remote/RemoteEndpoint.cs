using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace CodeAssist.Server.Inference.Remote;

/// <summary>
/// One remote server: a shared <see cref="HttpClient"/> and the Polly pipeline every call to it passes
/// (a circuit breaker around a per-call timeout). The pipeline wraps the whole exchange, reading and
/// parsing the reply included, so a server that answers 200 with garbage counts as failing.
/// </summary>
public sealed class RemoteEndpoint : IDisposable
{
    private static readonly ResiliencePropertyKey<TimeSpan> TimeoutKey = new("codeassist.remote.timeout");

    private readonly HttpClient _client;
    private readonly ResiliencePipeline _pipeline;
    private readonly CircuitBreakerStateProvider _breaker = new();
    private readonly Uri _base;

    /// <summary>Creates the client and pipeline for <paramref name="options"/>' endpoint and breaker settings.</summary>
    public RemoteEndpoint(RemoteModelOptions options, ILogger? logger = null)
    {
        options.EnsureValid();
        logger ??= NullLogger.Instance;
        var display = RemoteModelOptions.Display(options.Endpoint);
        DisplayName = display;
        _base = new Uri(options.Endpoint!.AbsoluteUri.TrimEnd('/') + "/");

        // Timeouts come from the pipeline (per call, covering the body too), so the client has none of its own.
        _client = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.All,
            ConnectTimeout = TimeSpan.FromSeconds(30),
        })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };

        var breaker = new CircuitBreakerStrategyOptions
        {
            // Polly counts a failure ratio over a window; ratio 1 with a minimum throughput of N means
            // "N calls in the window and none succeeded", which is N consecutive failures while calls are frequent.
            FailureRatio = 1.0,
            MinimumThroughput = options.BreakerFailures,
            SamplingDuration = options.BreakerSamplingWindow,
            BreakDuration = options.BreakerDuration,
            StateProvider = _breaker,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null and not OperationCanceledException),
            OnOpened = args =>
            {
                // Information: the router has already warned about the outage this belongs to.
                logger.LogInformation("Circuit to {Endpoint} opened for {BreakSeconds} s", display, args.BreakDuration.TotalSeconds);
                return default;
            },
            OnHalfOpened = _ =>
            {
                logger.LogInformation("Circuit to {Endpoint} half-open: trying one request", display);
                return default;
            },
            OnClosed = _ =>
            {
                logger.LogInformation("Circuit to {Endpoint} closed", display);
                return default;
            },
        };
        _pipeline = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(breaker)
            .AddTimeout(new TimeoutStrategyOptions
            {
                TimeoutGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(TimeoutKey, options.Timeout)),
            })
            .Build();
    }

    /// <summary>The endpoint as it may be shown: scheme, host and port (<see cref="RemoteModelOptions.Display"/>).</summary>
    public string DisplayName { get; }

    /// <summary>The breaker's state, for statistics and routing.</summary>
    public RemoteBreakerState BreakerState => _breaker.CircuitState switch
    {
        CircuitState.Closed => RemoteBreakerState.Closed,
        CircuitState.HalfOpen => RemoteBreakerState.HalfOpen,
        _ => RemoteBreakerState.Open,
    };

    internal HttpClient Client => _client;

    /// <summary>The address of <paramref name="path"/> under the endpoint (<c>v1</c> + <c>completions</c> → <c>v1/completions</c>).</summary>
    internal Uri Resolve(string path) => new(_base, path);

    /// <summary>
    /// Runs one exchange through the breaker and a timeout of <paramref name="timeout"/>. Throws
    /// <see cref="BrokenCircuitException"/> while open and <see cref="TimeoutRejectedException"/> on timeout;
    /// the caller's cancellation surfaces as <see cref="OperationCanceledException"/> and is not a failure.
    /// </summary>
    internal async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> call, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(TimeoutKey, timeout);
        try
        {
            return await _pipeline.ExecuteAsync(
                static async (ctx, state) => await state(ctx.CancellationToken).ConfigureAwait(false),
                context,
                call).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();
}

/// <summary>Shares one <see cref="RemoteEndpoint"/> per endpoint (and breaker settings) between models; disposes them with itself.</summary>
public sealed class RemoteEndpointPool : IDisposable
{
    private readonly Dictionary<string, RemoteEndpoint> _endpoints = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private bool _disposed;

    /// <summary>Creates an empty pool.</summary>
    public RemoteEndpointPool(ILogger? logger = null) => _logger = logger ?? NullLogger.Instance;

    /// <summary>The endpoint for <paramref name="options"/>, created on first use.</summary>
    public RemoteEndpoint Get(RemoteModelOptions options)
    {
        options.EnsureValid();
        var key = string.Join(
            '|',
            options.Endpoint!.AbsoluteUri.TrimEnd('/'),
            options.BreakerFailures,
            options.BreakerDuration.Ticks,
            options.BreakerSamplingWindow.Ticks);
        lock (_endpoints)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_endpoints.TryGetValue(key, out var endpoint))
            {
                endpoint = new RemoteEndpoint(options, _logger);
                _endpoints.Add(key, endpoint);
            }

            return endpoint;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_endpoints)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var endpoint in _endpoints.Values)
            {
                endpoint.Dispose();
            }

            _endpoints.Clear();
        }
    }
}
