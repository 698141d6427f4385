using System.Globalization;
using System.Text;
using System.Text.Json;
using CodeAssist.Server.Inference.Remote;
using CodeAssist.Server.Prompting;

namespace CodeAssist.Server.Configuration;

/// <summary>Which model answers when the router escalates.</summary>
public enum FallbackKind
{
    /// <summary>No fallback: the local model answers everything.</summary>
    None,

    /// <summary>A second, larger GGUF loaded in-process.</summary>
    Local,

    /// <summary>An OpenAI-compatible server (vLLM, OpenAI, LM Studio…).</summary>
    OpenAi,

    /// <summary>llama.cpp's own server (<c>/infill</c>).</summary>
    LlamaCpp,

    /// <summary>Ollama.</summary>
    Ollama,
}

/// <summary>
/// The <c>fallback</c> settings object: the model the router escalates to. <see cref="Endpoint"/> and
/// <see cref="ApiKeyEnv"/> are machine-level settings (see README: a workspace must not redirect code elsewhere).
/// </summary>
public sealed record FallbackOptions
{
    /// <summary>
    /// The kind the settings chose; null when they chose none, which leaves the tier to CodeAssist's default fallback
    /// (<see cref="Models.DefaultFallback"/>: used only while <c>model</c> is not set either), else no fallback.
    /// </summary>
    public FallbackKind? ChosenKind { get; init; }

    /// <summary>The kind of fallback (<see cref="FallbackKind.None"/> when none was chosen); setting it chooses it.</summary>
    public FallbackKind Kind
    {
        get => ChosenKind ?? FallbackKind.None;
        init => ChosenKind = value;
    }

    /// <summary>A GGUF path for <see cref="FallbackKind.Local"/>; the model name for remote kinds.</summary>
    public string? Model { get; init; }

    /// <summary>The base address of a remote server.</summary>
    public string? Endpoint { get; init; }

    /// <summary>The name of the environment variable that holds the API key (the key itself is never a setting).</summary>
    public string? ApiKeyEnv { get; init; }

    /// <summary>Who writes the FIM prompt for remote kinds.</summary>
    public RemoteFimMode FimMode { get; init; } = RemoteFimMode.Server;

    /// <summary>The FIM family rendered in client mode.</summary>
    public FimFamily? Template { get; init; }

    /// <summary>Most time one remote call may take (the routing deadline is usually shorter).</summary>
    public int TimeoutMs { get; init; } = 5000;

    /// <summary>True when the fallback is a remote server.</summary>
    public bool IsRemote => IsRemoteKind(Kind);

    /// <summary>The endpoint as logs may show it: scheme, host and port (its path or query may carry a token).</summary>
    public string DisplayEndpoint() => RemoteModelOptions.Display(Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) ? uri : null);

    // The one table of fallback kinds and their names: settings, the eval's flags and contestants, logs and stats.
    private static readonly (string Name, FallbackKind Kind)[] Kinds =
    [
        ("none", FallbackKind.None),
        ("local", FallbackKind.Local),
        ("openai", FallbackKind.OpenAi),
        ("llamacpp", FallbackKind.LlamaCpp),
        ("ollama", FallbackKind.Ollama),
    ];

    /// <summary>The name used for a kind in settings and logs.</summary>
    public static string KindName(FallbackKind kind) =>
        Array.Find(Kinds, entry => entry.Kind == kind).Name ?? kind.ToString();

    /// <summary>The kind a name in settings or on the command line means; null for none known.</summary>
    public static FallbackKind? ParseKind(string? name) =>
        Array.FindIndex(Kinds, entry => string.Equals(entry.Name, name, StringComparison.Ordinal)) is var i and >= 0 ? Kinds[i].Kind : null;

    /// <summary>True for the kinds that are remote servers.</summary>
    public static bool IsRemoteKind(FallbackKind kind) => kind is FallbackKind.OpenAi or FallbackKind.LlamaCpp or FallbackKind.Ollama;

    /// <summary>Reads a <c>fallback</c> object over <paramref name="baseline"/>; bad values are reported and skipped.</summary>
    public static FallbackOptions Parse(JsonElement json, FallbackOptions baseline, List<string> errors)
    {
        if (json.ValueKind == JsonValueKind.Null)
        {
            return new FallbackOptions();
        }

        if (json.ValueKind != JsonValueKind.Object)
        {
            errors.Add("fallback must be an object");
            return baseline;
        }

        var options = baseline;
        var setsApiKeyEnv = false;
        foreach (var property in json.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "kind" when value.ValueKind == JsonValueKind.Null:
                    options = options with { ChosenKind = null };
                    break;
                case "kind":
                    var kind = value.ValueKind == JsonValueKind.String ? ParseKind(value.GetString()) : null;
                    if (kind is { } k)
                    {
                        options = options with { Kind = k };
                    }
                    else
                    {
                        errors.Add("fallback.kind must be \"none\", \"local\", \"openai\", \"llamacpp\", \"ollama\" or null (the default fallback)");
                    }

                    break;
                case "model":
                    if (ReadOptionalString(value, "fallback.model", errors, out var model))
                    {
                        options = options with { Model = model };
                    }

                    break;
                case "endpoint":
                    if (ReadOptionalString(value, "fallback.endpoint", errors, out var endpoint))
                    {
                        if (endpoint is not null && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
                        {
                            errors.Add("fallback.endpoint must be an absolute http:// or https:// address");
                        }
                        else
                        {
                            options = options with { Endpoint = endpoint };
                        }
                    }

                    break;
                case "apiKeyEnv":
                    if (ReadOptionalString(value, "fallback.apiKeyEnv", errors, out var apiKeyEnv))
                    {
                        options = options with { ApiKeyEnv = apiKeyEnv };
                        setsApiKeyEnv = true;
                    }

                    break;
                case "fim":
                    RemoteFimMode? fim = value.ValueKind == JsonValueKind.String ? value.GetString() switch
                    {
                        "server" => RemoteFimMode.Server,
                        "client" => RemoteFimMode.Client,
                        _ => null,
                    } : null;
                    if (fim is { } f)
                    {
                        options = options with { FimMode = f };
                    }
                    else
                    {
                        errors.Add("fallback.fim must be \"server\" or \"client\"");
                    }

                    break;
                case "template":
                    if (value.ValueKind == JsonValueKind.Null)
                    {
                        options = options with { Template = null };
                    }
                    else if (value.ValueKind == JsonValueKind.String && FimTemplate.ParseFamily(value.GetString()) is { } family)
                    {
                        options = options with { Template = family };
                    }
                    else
                    {
                        errors.Add("fallback.template must be a FIM family: qwen, starcoder, deepseek, codellama, codestral, codegemma, codeassist or none");
                    }

                    break;
                case "timeoutMs":
                    if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var timeout) && timeout is >= 100 and <= 600_000)
                    {
                        options = options with { TimeoutMs = timeout };
                    }
                    else
                    {
                        errors.Add("fallback.timeoutMs must be an integer from 100 to 600000");
                    }

                    break;
            }
        }

        if (!setsApiKeyEnv && options.ApiKeyEnv is not null && !string.Equals(options.Endpoint, baseline.Endpoint, StringComparison.Ordinal))
        {
            // The user named the key for the old address. A change that moves the endpoint without naming the key again
            // may come from anything that can push settings: the key must not follow the code to a new address unasked.
            errors.Add(
                "fallback.apiKeyEnv for the new fallback.endpoint: a key goes only to the endpoint it was set with, so no API key is sent"
                + " until fallback.apiKeyEnv is set in the same change as fallback.endpoint");
            options = options with { ApiKeyEnv = null };
        }

        return options;
    }

    /// <summary>Prints the options for logs (as <c>Settings changed</c> does) with the endpoint as scheme, host and port only.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"Kind = {(ChosenKind is { } kind ? KindName(kind) : "default")}, Model = {Model}, ");
        builder.Append(CultureInfo.InvariantCulture, $"Endpoint = {(Endpoint is null ? string.Empty : DisplayEndpoint())}, ApiKeyEnv = {ApiKeyEnv}, ");
        builder.Append(CultureInfo.InvariantCulture, $"FimMode = {FimMode}, Template = {Template}, TimeoutMs = {TimeoutMs}");
        return true;
    }

    private static bool ReadOptionalString(JsonElement value, string name, List<string> errors, out string? text)
    {
        text = null;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var read = value.GetString();
            text = string.IsNullOrWhiteSpace(read) ? null : read.Trim();
            return true;
        }

        errors.Add($"{name} must be a string");
        return false;
    }
}

/// <summary>The <c>routing</c> settings object: when to escalate to the fallback and how long to wait for it.</summary>
public sealed record RoutingOptions
{
    /// <summary>Escalate requests the user invoked explicitly.</summary>
    public bool EscalateOnInvoke { get; init; } = true;

    /// <summary>Escalate when the cursor starts a block or an empty function body (the multi-line case).</summary>
    public bool EscalateOnBlockStart { get; init; } = true;

    /// <summary>
    /// The one confidence threshold, a probability: a local answer whose start (its first
    /// <see cref="Inference.ModelCompletion.StartBytes"/> new characters) the model gives less than this is unsure — an
    /// automatic request then escalates, or, with no fallback, shows nothing. Chosen from measurements (README,
    /// "The confidence signal"): 0.3.
    /// </summary>
    public double MinConfidence { get; init; } = 0.3;

    /// <summary>The lowest <see cref="MinConfidence"/>: no answer is ever unsure.</summary>
    public const double NeverUnsure = 0;

    /// <summary>
    /// <see cref="MinConfidence"/> as a log-probability (natural log), what the model's scores are compared with: 0 never
    /// unsure, 1 always (a float softmax can round a near-certain token to log-probability 0).
    /// </summary>
    public double MinStartLogprob => MinConfidence <= 0 ? double.NegativeInfinity : MinConfidence >= 1 ? double.PositiveInfinity : Math.Log(MinConfidence);

    /// <summary>How long the fallback may take before the local answer is used instead.</summary>
    public int DeadlineMs { get; init; } = 1500;

    /// <summary>How long the fallback may take to write a code action before the local model writes it instead.</summary>
    public int CodeActionDeadlineMs { get; init; } = 30000;

    /// <summary>Consecutive fallback failures that stop calls to it for <see cref="BreakerCooldownMs"/>.</summary>
    public int BreakerFailures { get; init; } = 3;

    /// <summary>How long calls stay stopped after <see cref="BreakerFailures"/> failures.</summary>
    public int BreakerCooldownMs { get; init; } = 30000;

    /// <summary>Reads a <c>routing</c> object over <paramref name="baseline"/>; bad values are reported and skipped.</summary>
    public static RoutingOptions Parse(JsonElement json, RoutingOptions baseline, List<string> errors)
    {
        if (json.ValueKind == JsonValueKind.Null)
        {
            return new RoutingOptions();
        }

        if (json.ValueKind != JsonValueKind.Object)
        {
            errors.Add("routing must be an object");
            return baseline;
        }

        var options = baseline;
        foreach (var property in json.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "escalateOnInvoke":
                    if (SettingValues.ReadBool(value, "routing.escalateOnInvoke", errors) is { } onInvoke)
                    {
                        options = options with { EscalateOnInvoke = onInvoke };
                    }

                    break;
                case "escalateOnBlockStart":
                    if (SettingValues.ReadBool(value, "routing.escalateOnBlockStart", errors) is { } onBlock)
                    {
                        options = options with { EscalateOnBlockStart = onBlock };
                    }

                    break;
                case "minConfidence":
                    if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var confidence) && confidence is >= 0 and <= 1)
                    {
                        options = options with { MinConfidence = confidence };
                    }
                    else
                    {
                        errors.Add("routing.minConfidence must be a number from 0 to 1");
                    }

                    break;
                case "minMeanLogprob" when !json.TryGetProperty("minConfidence", out _):
                    // The threshold before minConfidence, a log-probability: read as the probability it stands for.
                    if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var logprob) && logprob is <= 0 and >= -50)
                    {
                        options = options with { MinConfidence = logprob <= -50 ? NeverUnsure : Math.Exp(logprob) };
                    }
                    else
                    {
                        errors.Add("routing.minMeanLogprob (replaced by routing.minConfidence) must be a number from -50 to 0");
                    }

                    break;
                case "minMeanLogprob":
                    break;
                case "deadlineMs":
                    if (SettingValues.ReadInt(value, 1, 600_000, "routing.deadlineMs", errors) is { } deadline)
                    {
                        options = options with { DeadlineMs = deadline };
                    }

                    break;
                case "codeActionDeadlineMs":
                    if (SettingValues.ReadInt(value, 1, 600_000, "routing.codeActionDeadlineMs", errors) is { } actionDeadline)
                    {
                        options = options with { CodeActionDeadlineMs = actionDeadline };
                    }

                    break;
                case "breakerFailures":
                    // The remote pipeline's breaker needs two calls in its window to judge.
                    if (SettingValues.ReadInt(value, 2, 1000, "routing.breakerFailures", errors) is { } failures)
                    {
                        options = options with { BreakerFailures = failures };
                    }

                    break;
                case "breakerCooldownMs":
                    if (SettingValues.ReadInt(value, 500, 3_600_000, "routing.breakerCooldownMs", errors) is { } cooldown)
                    {
                        options = options with { BreakerCooldownMs = cooldown };
                    }

                    break;
            }
        }

        return options;
    }
}
