using System.Diagnostics;
using CodeAssist.Server.Prompting;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Inference.Remote;

/// <summary>
/// A model served by llama.cpp's <c>llama-server</c> through <c>/infill</c>, which applies the model's own FIM
/// tokens; the prompt's snippets from other files (<see cref="CompletionRequest.Snippets"/>) go in <c>input_extra</c>,
/// which the server lays out in the model's repository format when its vocabulary has one.
/// </summary>
/// <remarks>
/// <see cref="ModelCompletion.MeanLogprob"/> and <see cref="ModelCompletion.MinLogprob"/> are NaN (no
/// probabilities are requested); token counts come from <c>tokens_predicted</c>, <c>tokens_evaluated</c> and
/// <c>tokens_cached</c>.
/// </remarks>
public sealed class LlamaServerModel : RemoteModel
{
    /// <summary>Creates the model; endpoints are shared through <paramref name="pool"/> when given.</summary>
    public LlamaServerModel(RemoteModelOptions options, RemoteEndpointPool? pool = null, ILogger? logger = null)
        : base(options with { Kind = RemoteKind.LlamaCpp }, pool, logger)
    {
    }

    /// <summary>One call to <c>/infill</c>.</summary>
    private protected override async Task<ModelCompletion> CompleteOnceAsync(CompletionRequest request, RemoteSample? sample, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var stops = CompletionStops();

        // input_suffix is always sent: without it the server answers 500.
        var body = new LlamaInfillRequest(
            InputPrefix: request.Prefix,
            InputSuffix: request.Suffix ?? string.Empty,
            NPredict: request.MaxTokens,
            Temperature: sample?.Temperature ?? Options.Temperature,
            Stop: stops,
            Stream: false,
            CachePrompt: true,
            TopP: sample?.TopP,
            Seed: sample?.Seed,
            InputExtra: request.Snippets is { Items.Count: > 0 } snippets
                ? [.. snippets.Items.Select(s => new LlamaInfillChunk(FimPrompt.ModulePath(s.Source), s.Text))]
                : null);
        var reply = await PostJsonAsync(
            "infill", body, RemoteJsonContext.Default.LlamaInfillRequest, RemoteJsonContext.Default.LlamaCompletionResponse,
            r => r.Content is null ? "content" : null,
            cancellationToken).ConfigureAwait(false);

        return Finish(
            request, reply.Content!, stops, reply.TokensPredicted ?? 0, double.NaN, double.NaN,
            reply.TokensEvaluated ?? 0, reply.TokensCached ?? 0, reply.StopType, stopwatch);
    }
}
