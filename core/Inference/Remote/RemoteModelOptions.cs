using CodeAssist.Server.Prompting;

namespace CodeAssist.Server.Inference.Remote;

/// <summary>The wire protocols a remote completion backend can speak.</summary>
public enum RemoteKind
{
    /// <summary>OpenAI-compatible <c>/v1/completions</c> and <c>/v1/chat/completions</c> (OpenAI, vLLM, llama.cpp's server, LM Studio…).</summary>
    OpenAi,

    /// <summary>llama.cpp's own server: <c>/infill</c> and <c>/health</c>.</summary>
    LlamaCpp,

    /// <summary>Ollama: <c>/api/generate</c> and <c>/api/chat</c>.</summary>
    Ollama,
}

/// <summary>Who writes the fill-in-the-middle prompt: the server (from a separate suffix) or CodeAssist (a raw prompt).</summary>
public enum RemoteFimMode
{
    /// <summary>Send prefix and suffix apart; the server applies the model's FIM format.</summary>
    Server,

    /// <summary>Render the family's FIM template here and send it as the whole prompt.</summary>
    Client,
}

/// <summary>How the circuit breaker in front of an endpoint reports itself.</summary>
public enum RemoteBreakerState
{
    /// <summary>Requests flow.</summary>
    Closed,

    /// <summary>Requests fail at once without reaching the server.</summary>
    Open,

    /// <summary>The break is over; one trial request decides whether the breaker closes or opens again.</summary>
    HalfOpen,
}

/// <summary>How to reach and drive one remote completion model.</summary>
public sealed record RemoteModelOptions
{
    /// <summary>The wire protocol.</summary>
    public RemoteKind Kind { get; init; } = RemoteKind.OpenAi;

    /// <summary>
    /// The base address: <c>http://127.0.0.1:8080/v1</c> for OpenAI-compatible servers (paths are appended to it),
    /// <c>http://127.0.0.1:8080</c> for llama.cpp, <c>http://127.0.0.1:11434</c> for Ollama.
    /// </summary>
    public Uri? Endpoint { get; init; }

    /// <summary>The model name sent to the server; required for OpenAI-compatible and Ollama endpoints.</summary>
    public string? Model { get; init; }

    /// <summary>The API key, already resolved by the caller (from an environment variable or secret storage); never logged.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Who writes the FIM prompt.</summary>
    public RemoteFimMode FimMode { get; init; } = RemoteFimMode.Server;

    /// <summary>The model family whose FIM template client mode renders; optional in server mode (it only describes the model).</summary>
    public FimFamily? Template { get; init; }

    /// <summary>The FIM order for families that support both (our own models, StarCoder); the family's default when null.</summary>
    public FimOrder? FimOrder { get; init; }

    /// <summary>Extra stop strings sent with every completion (client mode adds the template's stop markers).</summary>
    public IReadOnlyList<string> Stop { get; init; } = [];

    /// <summary>Total time for one call: connecting, sending, generating and reading the reply.</summary>
    public int TimeoutMs { get; init; } = 5000;

    /// <summary>Sampling temperature; 0 is greedy.</summary>
    public double Temperature { get; init; }

    /// <summary>The context window the prompt budget assumes (the server does not tell us).</summary>
    public int ContextLength { get; init; } = 4096;

    /// <summary>Ask OpenAI-compatible servers for per-token log-probabilities (<c>logprobs: 1</c>) so confidence can be measured.</summary>
    public bool RequestLogprobs { get; init; } = true;

    /// <summary>Consecutive failures (within <see cref="BreakerSamplingWindow"/>) that open the circuit breaker; at least 2.</summary>
    public int BreakerFailures { get; init; } = 3;

    /// <summary>How long an open breaker rejects calls before letting a trial through.</summary>
    public TimeSpan BreakerDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The window in which failures are counted; a success inside it keeps the breaker closed.</summary>
    public TimeSpan BreakerSamplingWindow { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Replies longer than this fail instead of being read into memory.</summary>
    public int MaxResponseBytes { get; init; } = 1024 * 1024;

    /// <summary>The timeout as a span.</summary>
    public TimeSpan Timeout => TimeSpan.FromMilliseconds(TimeoutMs);

    /// <summary>Everything wrong with these options, each as a sentence; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var kind = KindName(Kind);
        if (Endpoint is null)
        {
            errors.Add($"{kind}: an endpoint is required");
        }
        else if (!Endpoint.IsAbsoluteUri || (Endpoint.Scheme != Uri.UriSchemeHttp && Endpoint.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{kind}: the endpoint must be an absolute http:// or https:// address, not '{(Endpoint.IsAbsoluteUri ? Endpoint.Scheme + "://…" : "a relative path")}'");
        }
        else if (!string.IsNullOrEmpty(Endpoint.UserInfo))
        {
            errors.Add($"{kind}: the endpoint must not carry credentials; put the key in the API key environment variable");
        }
        else if (!string.IsNullOrEmpty(Endpoint.Query) || !string.IsNullOrEmpty(Endpoint.Fragment))
        {
            errors.Add($"{kind}: the endpoint must be a base address without query or fragment");
        }

        if (Kind != RemoteKind.LlamaCpp && string.IsNullOrWhiteSpace(Model))
        {
            errors.Add($"{kind}: a model name is required");
        }

        if (FimMode == RemoteFimMode.Client && Kind == RemoteKind.LlamaCpp)
        {
            errors.Add($"{kind}: FIM mode 'client' is not available: /infill always formats the prompt on the server");
        }

        if (FimMode == RemoteFimMode.Client && Template is null)
        {
            errors.Add($"{kind}: FIM mode 'client' needs a template family (qwen, starcoder, deepseek, codellama, codestral, codegemma, none)");
        }

        if (Template == FimFamily.Generic)
        {
            errors.Add($"{kind}: the generic template needs the model's own tokens; name a known family");
        }

        if (TimeoutMs <= 0)
        {
            errors.Add($"{kind}: the timeout must be positive (got {TimeoutMs} ms)");
        }

        if (ContextLength < 16)
        {
            errors.Add($"{kind}: the context length must be at least 16 tokens (got {ContextLength})");
        }

        if (Temperature is < 0 or > 2 || double.IsNaN(Temperature))
        {
            errors.Add($"{kind}: the temperature must be between 0 and 2 (got {Temperature})");
        }

        // Polly's breaker needs at least two calls in its window and half a second of break and window.
        if (BreakerFailures < 2)
        {
            errors.Add($"{kind}: the breaker needs at least 2 failures to open (got {BreakerFailures})");
        }

        if (BreakerDuration < TimeSpan.FromMilliseconds(500) || BreakerSamplingWindow < TimeSpan.FromMilliseconds(500))
        {
            errors.Add($"{kind}: the breaker duration and sampling window must be at least 0.5 s");
        }

        if (MaxResponseBytes < 1024)
        {
            errors.Add($"{kind}: the reply cap must be at least 1024 bytes (got {MaxResponseBytes})");
        }

        return errors;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every problem, or does nothing.</summary>
    public void EnsureValid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid remote model options: " + string.Join("; ", errors));
        }
    }

    /// <summary>The name used for a kind in settings, logs and errors.</summary>
    public static string KindName(RemoteKind kind) => kind switch
    {
        RemoteKind.OpenAi => "openai",
        RemoteKind.LlamaCpp => "llamacpp",
        RemoteKind.Ollama => "ollama",
        _ => kind.ToString(),
    };

    /// <summary>
    /// The endpoint as logs and errors may show it: scheme, host and port only. Never the credentials, and never the
    /// path or query either: some services put a token or a tenant in them, and the route logs it on every escalation.
    /// </summary>
    public static string Display(Uri? endpoint) =>
        endpoint is null ? "(none)"
        : !endpoint.IsAbsoluteUri ? "(relative)"
        : endpoint.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);
}
