using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Inference.Remote;

/// <summary>
/// A model served by Ollama through <c>/api/generate</c>. In server FIM mode the prefix is the <c>prompt</c> and
/// the suffix goes in <c>suffix</c> (the model's Ollama template must support it); in client mode the family's
/// template is rendered here and sent with <c>raw: true</c>.
/// </summary>
/// <remarks>
/// <see cref="ModelCompletion.MeanLogprob"/> and <see cref="ModelCompletion.MinLogprob"/> are NaN (Ollama returns
/// none); token counts come from <c>eval_count</c> and <c>prompt_eval_count</c>.
/// </remarks>
public sealed class OllamaModel : RemoteModel
{
    /// <summary>Creates the model; endpoints are shared through <paramref name="pool"/> when given.</summary>
    public OllamaModel(RemoteModelOptions options, RemoteEndpointPool? pool = null, ILogger? logger = null)
        : base(options with { Kind = RemoteKind.Ollama }, pool, logger)
    {
    }

    /// <summary>One call to <c>/api/generate</c>.</summary>
    private protected override async Task<ModelCompletion> CompleteOnceAsync(CompletionRequest request, RemoteSample? sample, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var (prompt, suffix) = PromptFor(request);
        var stops = CompletionStops();
        var body = new OllamaGenerateRequest(
            Model: Options.Model!,
            Prompt: prompt,
            Suffix: suffix,
            Raw: Options.FimMode == RemoteFimMode.Client,
            Stream: false,
            Options: GenerationOptions(request.MaxTokens, stops, sample));
        var reply = await PostJsonAsync(
            "api/generate", body, RemoteJsonContext.Default.OllamaGenerateRequest, RemoteJsonContext.Default.OllamaGenerateResponse,
            r => r.Response is null ? "response" : null,
            cancellationToken).ConfigureAwait(false);

        return Finish(
            request, reply.Response!, stops, reply.EvalCount ?? 0, double.NaN, double.NaN,
            reply.PromptEvalCount ?? 0, 0, reply.DoneReason, stopwatch);
    }

    // An empty stop list would replace the stops in the model's Modelfile, so none is sent then.
    private OllamaOptions GenerationOptions(int maxTokens, IReadOnlyList<string> stops, RemoteSample? sample) =>
        new(maxTokens, sample?.Temperature ?? Options.Temperature, stops.Count == 0 ? null : stops, sample?.TopP, sample?.Seed);
}
