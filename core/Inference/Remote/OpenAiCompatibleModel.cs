using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Inference.Remote;

/// <summary>
/// A model behind an OpenAI-compatible <c>/v1/completions</c> endpoint. In server FIM mode the suffix goes in
/// <c>suffix</c>; in client mode the family's template is rendered into <c>prompt</c> (for servers such as
/// llama.cpp's that accept <c>suffix</c> there and silently ignore it).
/// </summary>
/// <remarks>
/// <see cref="ModelCompletion.MeanLogprob"/> and <see cref="ModelCompletion.MinLogprob"/> are NaN when the server
/// returns no log-probabilities; <see cref="ModelCompletion.GeneratedTokens"/> comes from <c>usage</c>, else
/// from the number of log-probabilities, else 0.
/// </remarks>
public sealed class OpenAiCompatibleModel : RemoteModel
{
    /// <summary>Creates the model; endpoints are shared through <paramref name="pool"/> when given.</summary>
    public OpenAiCompatibleModel(RemoteModelOptions options, RemoteEndpointPool? pool = null, ILogger? logger = null)
        : base(options with { Kind = RemoteKind.OpenAi }, pool, logger)
    {
    }

    /// <summary>One call to <c>/v1/completions</c>.</summary>
    private protected override async Task<ModelCompletion> CompleteOnceAsync(CompletionRequest request, RemoteSample? sample, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var (prompt, suffix) = PromptFor(request);
        var stops = CompletionStops();
        var body = new OpenAiCompletionRequest(
            Model: Options.Model!,
            Prompt: prompt,
            Suffix: suffix,
            MaxTokens: request.MaxTokens,
            Temperature: sample?.Temperature ?? Options.Temperature,
            Stop: stops.Count == 0 ? null : stops,
            Logprobs: Options.RequestLogprobs ? 1 : null,
            TopP: sample?.TopP,
            Seed: sample?.Seed);
        var reply = await PostJsonAsync(
            "completions", body, RemoteJsonContext.Default.OpenAiCompletionRequest, RemoteJsonContext.Default.OpenAiCompletionResponse,
            r => r.Choices is [{ Text: not null }, ..] ? null : "choices[0].text",
            cancellationToken).ConfigureAwait(false);

        var choice = reply.Choices![0];
        var logprobs = choice.Logprobs?.TokenLogprobs?.OfType<double>()
            ?? choice.Logprobs?.Content?.Select(t => t.Logprob).OfType<double>()
            ?? [];
        var (mean, min, count) = Summarize(logprobs);
        return Finish(
            request, choice.Text!, stops, reply.Usage?.CompletionTokens ?? count, mean, min,
            reply.Usage?.PromptTokens ?? 0, 0, choice.FinishReason, stopwatch);
    }
}
