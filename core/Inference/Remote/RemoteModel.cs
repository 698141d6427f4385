using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CodeAssist.Server.Prompting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace CodeAssist.Server.Inference.Remote;

/// <summary>How one sampled call samples: its temperature, nucleus and seed.</summary>
internal sealed record RemoteSample(double Temperature, double TopP, int Seed);

/// <summary>A model a remote server lists: its name as the server takes it, and its size when the server says.</summary>
public sealed record ServedModel(string Name, long? SizeBytes);

/// <summary>
/// What the remote backends share: the endpoint (client and breaker), the description, token estimates,
/// and one guarded JSON exchange that turns every failure into a <see cref="RemoteModelException"/>.
/// </summary>
public abstract class RemoteModel : ICompletionModel
{
    private const int ErrorSnippetChars = 200;

    private readonly RemoteEndpoint _endpoint;
    private readonly RemoteEndpointPool? _ownedPool;

    private protected RemoteModel(RemoteModelOptions options, RemoteEndpointPool? pool, ILogger? logger)
    {
        options.EnsureValid();
        Options = options;
        Logger = logger ?? NullLogger.Instance;
        if (pool is null)
        {
            _ownedPool = new RemoteEndpointPool(Logger);
            pool = _ownedPool;
        }

        _endpoint = pool.Get(options);
        Template = options.Template is { } family ? FimTemplate.ForFamily(family, options.FimOrder) : ServerSideTemplate;
        Description = new ModelDescription(
            Id: string.IsNullOrWhiteSpace(options.Model) ? RemoteModelOptions.KindName(options.Kind) : options.Model,

            // The whole address (valid options carry no credentials or query): the prompt and answer caches key on it, so
            // two endpoints on one host stay apart. Logs name the model by Id and the endpoint by its DisplayName.
            Path: options.Endpoint!.AbsoluteUri.TrimEnd('/'),
            Architecture: "remote-" + RemoteModelOptions.KindName(options.Kind),
            Template: Template,
            ContextLength: options.ContextLength,
            ParameterCount: 0,
            FileSizeBytes: 0);
    }

    /// <summary>Describes a model whose FIM format only the server knows: it takes a suffix, but we hold no markers.</summary>
    private static readonly FimTemplate ServerSideTemplate = new(FimFamily.Generic, FimOrder.Psm, null, null, null, []);

    /// <summary>The options the model was made with.</summary>
    public RemoteModelOptions Options { get; }

    /// <inheritdoc />
    public ModelDescription Description { get; }

    /// <summary>The state of the breaker in front of this model's endpoint (shared with other models on it).</summary>
    public RemoteBreakerState BreakerState => _endpoint.BreakerState;

    /// <summary>The FIM template: the configured family's, or a marker-less one when the server formats the prompt.</summary>
    private protected FimTemplate Template { get; }

    private protected ILogger Logger { get; }

    private protected RemoteEndpoint Endpoint => _endpoint;

    /// <summary>Creates the backend for <paramref name="options"/>' kind.</summary>
    public static RemoteModel Create(RemoteModelOptions options, RemoteEndpointPool? pool = null, ILogger? logger = null) => options.Kind switch
    {
        RemoteKind.OpenAi => new OpenAiCompatibleModel(options, pool, logger),
        RemoteKind.LlamaCpp => new LlamaServerModel(options, pool, logger),
        RemoteKind.Ollama => new OllamaModel(options, pool, logger),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Kind, "unknown remote kind"),
    };

    /// <summary>
    /// An estimate, not a count: remote tokenizers are not available here, so this is one token per four
    /// characters (rounded up), close for English and code with BPE vocabularies; prompt budgets should leave slack.
    /// </summary>
    public int CountTokens(string text) => (text.Length + 3) / 4;

    /// <summary>Characters kept per token asked for: tokens of code average about four, and no token of a real vocabulary is longer than this.</summary>
    public const int MaxCharsPerToken = 16;

    /// <summary>Most sampled candidates one request sends at once: a remote server queues what it cannot run in parallel.</summary>
    public const int MaxSamples = 4;

    /// <summary>
    /// One call for the greedy candidate; with <see cref="CompletionRequest.Sampling"/>, up to <see cref="MaxSamples"/>
    /// sampled calls beside it (each with its own seed, the temperature and nucleus asked for). Their answers become
    /// <see cref="ModelCompletion.Alternatives"/> when they arrive within the budget, or within half the greedy call's
    /// time after it when that is longer; the rest are cancelled. A failing sample is left out; the greedy call's
    /// failure is the request's.
    /// </summary>
    public async Task<ModelCompletion> CompleteAsync(CompletionRequest request, CancellationToken cancellationToken)
    {
        if (request.Sampling is not { Count: > 0 } sampling)
        {
            return await CompleteOnceAsync(request, null, cancellationToken).ConfigureAwait(false);
        }

        var stopwatch = Stopwatch.StartNew();
        using var samplesCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var samples = Enumerable.Range(0, Math.Min(sampling.Count, MaxSamples))
            .Select(i => CompleteOnceAsync(request, new RemoteSample(sampling.Temperature, sampling.TopP, unchecked(sampling.Seed + i)), samplesCancel.Token))
            .ToList();
        try
        {
            var greedy = await CompleteOnceAsync(request, null, cancellationToken).ConfigureAwait(false);
            var wait = TimeSpan.FromTicks(Math.Max((sampling.Budget - stopwatch.Elapsed).Ticks, greedy.Elapsed.Ticks / 2));
            await Task.WhenAny(Task.WhenAll(samples), Task.Delay(wait, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            var arrived = samples.Where(sample => sample.IsCompletedSuccessfully).Select(sample => sample.Result).ToList();
            Logger.LogDebug("{Kind}: {Arrived} of {Samples} samples arrived in {ElapsedMs} ms", KindName, arrived.Count, samples.Count, stopwatch.ElapsedMilliseconds);
            return greedy with { Alternatives = arrived };
        }
        finally
        {
            await samplesCancel.CancelAsync().ConfigureAwait(false);
            foreach (var sample in samples)
            {
                // A cancelled or failed sample is no one's error: observed, never rethrown.
                _ = sample.ContinueWith(static task => _ = task.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// What a prompt-and-suffix server is sent: in client FIM mode the whole prompt rendered with the family's markers
    /// and no suffix (the snippets from other files in front: in Qwen's repository format, which every Qwen coder FIM
    /// model has, else as a comment header — a vocabulary not seen here may lack a family's other tokens); in server
    /// FIM mode the prefix, with the snippets as a comment header, and the suffix.
    /// </summary>
    private protected (string Prompt, string? Suffix) PromptFor(CompletionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Options.FimMode == RemoteFimMode.Client)
        {
            return (FimPrompt.Render(Template, request.Prefix, request.Suffix, request.Snippets, repositoryFormat: Template.Family == FimFamily.Qwen), null);
        }

        var header = request.Snippets is { Items.Count: > 0 } snippets ? FimPrompt.CommentHeader(snippets) : string.Empty;
        return (header + request.Prefix, request.Suffix);
    }

    /// <summary>One call to the server: greedy (<paramref name="sample"/> null, the configured temperature) or one seeded sample.</summary>
    private protected abstract Task<ModelCompletion> CompleteOnceAsync(CompletionRequest request, RemoteSample? sample, CancellationToken cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        _ownedPool?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The stop strings for a completion: the configured ones, plus the template's markers in client mode.</summary>
    private protected IReadOnlyList<string> CompletionStops() =>
        Options.FimMode == RemoteFimMode.Client
            ? [.. Options.Stop.Concat(Template.StopMarkers).Distinct(StringComparer.Ordinal)]
            : Options.Stop;

    /// <summary>
    /// Builds the completion from the server's text: cut at the first stop string (for servers that ignore
    /// <c>stop</c>) and at the first line end where <see cref="CompletionRequest.StopWhen"/> says enough, the
    /// point where a streaming generator would have stopped.
    /// </summary>
    private protected static ModelCompletion Finish(
        CompletionRequest request, string raw, IReadOnlyList<string> stops, int generatedTokens,
        double meanLogprob, double minLogprob, int promptTokens, int reusedTokens, string? stopReason, Stopwatch stopwatch)
    {
        var text = raw;
        var reason = StopReasons.FromServer(stopReason);

        // A server that ignores max_tokens (or a hostile one) may send far more than was asked for: no more than
        // MaxCharsPerToken characters per token asked for is kept, never half a surrogate pair.
        var cap = Math.Max(1, request.MaxTokens) * MaxCharsPerToken;
        if (text.Length > cap)
        {
            text = text[..(char.IsHighSurrogate(text[cap - 1]) ? cap - 1 : cap)];
            reason = StopReason.Length;
        }

        foreach (var stop in stops)
        {
            var at = stop.Length == 0 ? -1 : text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0)
            {
                text = text[..at];
                reason = StopReason.StopSequence;
            }
        }

        if (request.StopWhen is { } stopWhen)
        {
            for (var line = text.IndexOf('\n'); line >= 0; line = text.IndexOf('\n', line + 1))
            {
                if (stopWhen(text[..(line + 1)]))
                {
                    text = text[..(line + 1)];
                    reason = StopReason.StopCondition;
                    break;
                }
            }
        }

        return new ModelCompletion(text, raw, generatedTokens, meanLogprob, minLogprob, promptTokens, reusedTokens, reason, stopwatch.Elapsed);
    }

    /// <summary>
    /// POSTs <paramref name="body"/> as JSON to <paramref name="path"/> under the endpoint and parses the reply,
    /// all within the breaker and timeout. <paramref name="validate"/> names what is missing from a parsed reply
    /// (null when usable); a bad reply counts as a failure for the breaker like a dead server does.
    /// </summary>
    private protected Task<TResponse> PostJsonAsync<TRequest, TResponse>(
        string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType,
        Func<TResponse, string?> validate, CancellationToken cancellationToken)
        where TResponse : class =>
        CallAsync(path, JsonSerializer.SerializeToUtf8Bytes(body, requestType), responseType, validate, cancellationToken);

    /// <summary>
    /// The models the server has (<c>codeAssist.listModels</c> for the fallback tier): Ollama's <c>/api/tags</c>, the
    /// OpenAI-compatible <c>models</c> list under the endpoint (<c>/v1/models</c>) for the others. Through the same
    /// breaker and timeout as completions; throws <see cref="RemoteModelException"/> when the server does not answer.
    /// </summary>
    public async Task<IReadOnlyList<ServedModel>> ListServedAsync(CancellationToken cancellationToken)
    {
        if (Options.Kind == RemoteKind.Ollama)
        {
            var tags = await CallAsync("api/tags", null, RemoteJsonContext.Default.OllamaTagsResponse, r => r.Models is null ? "models" : null, cancellationToken).ConfigureAwait(false);
            return [.. tags.Models!.Select(tag => tag.Name ?? tag.Model).OfType<string>().Distinct(StringComparer.Ordinal)
                .Select(name => new ServedModel(name, tags.Models!.First(tag => (tag.Name ?? tag.Model) == name).Size))];
        }

        // llama.cpp's server answers at its root (the endpoint), the OpenAI-compatible ones under /v1 (in the endpoint).
        var path = Options.Kind == RemoteKind.LlamaCpp ? "v1/models" : "models";
        var list = await CallAsync(path, null, RemoteJsonContext.Default.OpenAiModelsResponse, r => r.Data is null ? "data" : null, cancellationToken).ConfigureAwait(false);
        return [.. list.Data!.Select(entry => entry.Id).OfType<string>().Distinct(StringComparer.Ordinal).Select(id => new ServedModel(id, null))];
    }

    /// <summary>One exchange: a POST of <paramref name="payload"/>, or a GET when it is null.</summary>
    private async Task<TResponse> CallAsync<TResponse>(
        string path, byte[]? payload, JsonTypeInfo<TResponse> responseType, Func<TResponse, string?> validate, CancellationToken cancellationToken)
        where TResponse : class
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var reply = await _endpoint.ExecuteAsync(
                token => ExchangeAsync(path, payload, responseType, validate, token),
                Options.Timeout,
                cancellationToken).ConfigureAwait(false);
            Logger.LogDebug("{Kind} {Endpoint} …/{Path} answered in {ElapsedMs} ms", KindName, _endpoint.DisplayName, path, stopwatch.ElapsedMilliseconds);
            return reply;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Logger.LogDebug("{Kind} {Endpoint} …/{Path} cancelled after {ElapsedMs} ms", KindName, _endpoint.DisplayName, path, stopwatch.ElapsedMilliseconds);
            throw;
        }
        catch (Exception ex) when (ex is RemoteModelException or BrokenCircuitException or TimeoutRejectedException or HttpRequestException or IOException or OperationCanceledException)
        {
            var failure = ex as RemoteModelException ?? Translate(ex);
            if (failure.Reason == RemoteModelException.BreakerOpen)
            {
                Logger.LogDebug("{Kind} {Endpoint} …/{Path} skipped: breaker open", KindName, _endpoint.DisplayName, path);
            }
            else
            {
                // Debug, not warning: the caller (the router) reports outages once, not per keystroke.
                Logger.LogDebug(
                    "{Kind} {Endpoint} …/{Path} failed ({Reason}) after {ElapsedMs} ms: {Error}",
                    KindName, _endpoint.DisplayName, path, failure.Reason, stopwatch.ElapsedMilliseconds, failure.Message);
            }

            if (ReferenceEquals(failure, ex))
            {
                throw;
            }

            throw failure;
        }
    }

    private string KindName => RemoteModelOptions.KindName(Options.Kind);

    private RemoteModelException Failure(string reason, string message, int? status = null, Exception? inner = null) =>
        new(Options.Kind, _endpoint.DisplayName, reason, message, status, inner);

    private RemoteModelException Translate(Exception ex) => ex switch
    {
        BrokenCircuitException => Failure(RemoteModelException.BreakerOpen, "the circuit breaker is open after repeated failures; not calling the server", inner: ex),
        TimeoutRejectedException => Failure(RemoteModelException.Timeout, $"no reply within {Options.TimeoutMs} ms", inner: ex),
        HttpRequestException http => Failure(RemoteModelException.Connection, $"connection failed ({http.HttpRequestError}): {http.Message}", inner: ex),
        IOException => Failure(RemoteModelException.Connection, $"the connection dropped: {ex.Message}", inner: ex),
        _ => Failure(RemoteModelException.Timeout, $"the request was aborted: {ex.Message}", inner: ex),
    };

    private void Authorize(HttpRequestMessage message)
    {
        if (!string.IsNullOrEmpty(Options.ApiKey))
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Options.ApiKey);
        }
    }

    private async Task<TResponse> ExchangeAsync<TResponse>(
        string path, byte[]? payload, JsonTypeInfo<TResponse> responseType, Func<TResponse, string?> validate, CancellationToken cancellationToken)
        where TResponse : class
    {
        using var message = new HttpRequestMessage(payload is null ? HttpMethod.Get : HttpMethod.Post, _endpoint.Resolve(path));
        if (payload is not null)
        {
            message.Content = new ByteArrayContent(payload);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        Authorize(message);

        using var response = await _endpoint.Client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        if (!response.IsSuccessStatusCode)
        {
            var (head, _) = await ReadAsync(response.Content, ErrorSnippetChars * 4, failWhenLonger: false, cancellationToken).ConfigureAwait(false);
            throw Failure(RemoteModelException.HttpStatus(status), $"HTTP {status} {response.ReasonPhrase}: {Snippet(head)}", status);
        }

        var (bytes, _) = await ReadAsync(response.Content, Options.MaxResponseBytes, failWhenLonger: true, cancellationToken).ConfigureAwait(false);
        TResponse? reply;
        try
        {
            reply = JsonSerializer.Deserialize(bytes, responseType);
        }
        catch (JsonException ex)
        {
            throw Failure(RemoteModelException.BadReply, $"the reply is not valid JSON ({bytes.Length} bytes, {ex.Message})", status, ex);
        }

        if (reply is null)
        {
            throw Failure(RemoteModelException.BadReply, "the reply is JSON null", status);
        }

        if (validate(reply) is { } missing)
        {
            throw Failure(RemoteModelException.BadReply, $"the reply has no {missing}", status);
        }

        return reply;
    }

    /// <summary>Reads at most <paramref name="cap"/> bytes; a longer body fails (or is cut, for error snippets).</summary>
    private async Task<(byte[] Bytes, bool Cut)> ReadAsync(HttpContent content, int cap, bool failWhenLonger, CancellationToken cancellationToken)
    {
        if (failWhenLonger && content.Headers.ContentLength is long declared && declared > cap)
        {
            throw Failure(RemoteModelException.TooLarge, $"the reply declares {declared} bytes, more than the {cap}-byte cap");
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            while (true)
            {
                var read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return (buffer.ToArray(), false);
                }

                if (buffer.Length + read > cap)
                {
                    if (failWhenLonger)
                    {
                        throw Failure(RemoteModelException.TooLarge, $"the reply is longer than the {cap}-byte cap");
                    }

                    buffer.Write(chunk, 0, (int)(cap - buffer.Length));
                    return (buffer.ToArray(), true);
                }

                buffer.Write(chunk, 0, read);
            }
        }
    }

    private string Snippet(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        if (!string.IsNullOrEmpty(Options.ApiKey))
        {
            text = text.Replace(Options.ApiKey, "***", StringComparison.Ordinal);
        }

        // Error pages often echo the request's path ("Cannot POST /…"), and the endpoint's part of it may hold a token.
        var endpointPath = Options.Endpoint?.AbsolutePath.TrimEnd('/');
        if (endpointPath is { Length: > 1 })
        {
            text = text.Replace(endpointPath, "…", StringComparison.Ordinal);
        }

        text = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return text.Length > ErrorSnippetChars ? text[..ErrorSnippetChars] + "…" : text;
    }

    /// <summary>Mean and minimum of the log-probabilities given, or NaN for both when there are none.</summary>
    private protected static (double Mean, double Min, int Count) Summarize(IEnumerable<double> logprobs)
    {
        double sum = 0;
        var min = double.PositiveInfinity;
        var count = 0;
        foreach (var logprob in logprobs)
        {
            sum += logprob;
            min = Math.Min(min, logprob);
            count++;
        }

        return count == 0 ? (double.NaN, double.NaN, 0) : (sum / count, min, count);
    }
}
