using System.Text.Json.Serialization;

namespace CodeAssist.Server.Inference.Remote;

// Wire records for the three remote protocols, named exactly as each documents them. Replies are
// read leniently: unknown fields are ignored and every field may be missing (checked by the caller).

/// <summary>OpenAI <c>POST /v1/completions</c> request.</summary>
internal sealed record OpenAiCompletionRequest(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("suffix")] string? Suffix,
    [property: JsonPropertyName("max_tokens")] int MaxTokens,
    [property: JsonPropertyName("temperature")] double Temperature,
    [property: JsonPropertyName("stop")] IReadOnlyList<string>? Stop,
    [property: JsonPropertyName("logprobs")] int? Logprobs,
    [property: JsonPropertyName("top_p")] double? TopP = null,
    [property: JsonPropertyName("seed")] int? Seed = null);

/// <summary>OpenAI <c>/v1/completions</c> reply.</summary>
internal sealed record OpenAiCompletionResponse(
    [property: JsonPropertyName("choices")] IReadOnlyList<OpenAiCompletionChoice>? Choices,
    [property: JsonPropertyName("usage")] OpenAiUsage? Usage);

/// <summary>One choice of a completion reply.</summary>
internal sealed record OpenAiCompletionChoice(
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("logprobs")] OpenAiLogprobs? Logprobs,
    [property: JsonPropertyName("finish_reason")] string? FinishReason);

/// <summary>
/// Per-token log-probabilities: the legacy completions shape (<c>token_logprobs</c>, OpenAI and vLLM) or
/// the chat shape (<c>content[].logprob</c>, which llama.cpp's server also uses for completions).
/// </summary>
internal sealed record OpenAiLogprobs(
    [property: JsonPropertyName("token_logprobs")] IReadOnlyList<double?>? TokenLogprobs,
    [property: JsonPropertyName("content")] IReadOnlyList<OpenAiTokenLogprob>? Content);

/// <summary>One token's log-probability in the chat shape.</summary>
internal sealed record OpenAiTokenLogprob(
    [property: JsonPropertyName("token")] string? Token,
    [property: JsonPropertyName("logprob")] double? Logprob);

/// <summary>Token counts of a reply.</summary>
internal sealed record OpenAiUsage(
    [property: JsonPropertyName("prompt_tokens")] int? PromptTokens,
    [property: JsonPropertyName("completion_tokens")] int? CompletionTokens);

/// <summary>llama.cpp server <c>POST /infill</c> request.</summary>
internal sealed record LlamaInfillRequest(
    [property: JsonPropertyName("input_prefix")] string InputPrefix,
    [property: JsonPropertyName("input_suffix")] string InputSuffix,
    [property: JsonPropertyName("n_predict")] int NPredict,
    [property: JsonPropertyName("temperature")] double Temperature,
    [property: JsonPropertyName("stop")] IReadOnlyList<string> Stop,
    [property: JsonPropertyName("stream")] bool Stream,
    [property: JsonPropertyName("cache_prompt")] bool CachePrompt,
    [property: JsonPropertyName("top_p")] double? TopP = null,
    [property: JsonPropertyName("seed")] int? Seed = null,
    [property: JsonPropertyName("input_extra")] IReadOnlyList<LlamaInfillChunk>? InputExtra = null);

/// <summary>One file's text before the FIM prompt in <see cref="LlamaInfillRequest.InputExtra"/> (the server lays them out in the model's repository format).</summary>
internal sealed record LlamaInfillChunk(
    [property: JsonPropertyName("filename")] string FileName,
    [property: JsonPropertyName("text")] string Text);

/// <summary>llama.cpp <c>/infill</c> (and <c>/completion</c>) reply.</summary>
internal sealed record LlamaCompletionResponse(
    [property: JsonPropertyName("content")] string? Content,
    [property: JsonPropertyName("stop_type")] string? StopType,
    [property: JsonPropertyName("tokens_predicted")] int? TokensPredicted,
    [property: JsonPropertyName("tokens_evaluated")] int? TokensEvaluated,
    [property: JsonPropertyName("tokens_cached")] int? TokensCached);

/// <summary>Ollama generation options.</summary>
internal sealed record OllamaOptions(
    [property: JsonPropertyName("num_predict")] int NumPredict,
    [property: JsonPropertyName("temperature")] double Temperature,
    [property: JsonPropertyName("stop")] IReadOnlyList<string>? Stop,
    [property: JsonPropertyName("top_p")] double? TopP = null,
    [property: JsonPropertyName("seed")] int? Seed = null);

/// <summary>Ollama <c>POST /api/generate</c> request.</summary>
internal sealed record OllamaGenerateRequest(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("suffix")] string? Suffix,
    [property: JsonPropertyName("raw")] bool Raw,
    [property: JsonPropertyName("stream")] bool Stream,
    [property: JsonPropertyName("options")] OllamaOptions Options);

/// <summary>Ollama <c>/api/generate</c> reply (non-streaming).</summary>
internal sealed record OllamaGenerateResponse(
    [property: JsonPropertyName("response")] string? Response,
    [property: JsonPropertyName("done")] bool? Done,
    [property: JsonPropertyName("done_reason")] string? DoneReason,
    [property: JsonPropertyName("prompt_eval_count")] int? PromptEvalCount,
    [property: JsonPropertyName("eval_count")] int? EvalCount);

/// <summary>Ollama <c>GET /api/tags</c> reply: the models the server has.</summary>
internal sealed record OllamaTagsResponse(
    [property: JsonPropertyName("models")] IReadOnlyList<OllamaTag>? Models);

/// <summary>One model of <see cref="OllamaTagsResponse"/>.</summary>
internal sealed record OllamaTag(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("size")] long? Size);

/// <summary>OpenAI-compatible <c>GET /v1/models</c> reply (vLLM, llama.cpp's server, LM Studio, OpenAI itself).</summary>
internal sealed record OpenAiModelsResponse(
    [property: JsonPropertyName("data")] IReadOnlyList<OpenAiModelEntry>? Data);

/// <summary>One model of <see cref="OpenAiModelsResponse"/>.</summary>
internal sealed record OpenAiModelEntry(
    [property: JsonPropertyName("id")] string? Id);

/// <summary>Source-generated JSON for the remote wire records.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OpenAiCompletionRequest))]
[JsonSerializable(typeof(OpenAiCompletionResponse))]
[JsonSerializable(typeof(LlamaInfillRequest))]
[JsonSerializable(typeof(LlamaInfillChunk))]
[JsonSerializable(typeof(LlamaCompletionResponse))]
[JsonSerializable(typeof(OllamaGenerateRequest))]
[JsonSerializable(typeof(OllamaGenerateResponse))]
[JsonSerializable(typeof(OllamaTagsResponse))]
[JsonSerializable(typeof(OpenAiModelsResponse))]
internal sealed partial class RemoteJsonContext : JsonSerializerContext;
