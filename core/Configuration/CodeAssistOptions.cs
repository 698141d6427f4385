using System.Text.Json;

namespace CodeAssist.Server.Configuration;

/// <summary>When completions may span several lines.</summary>
public enum MultilineMode
{
    /// <summary>Several lines when the cursor starts a block, one line otherwise.</summary>
    Auto,

    /// <summary>Always allow several lines.</summary>
    Always,

    /// <summary>Always one line.</summary>
    Never,
}

/// <summary>
/// The <c>codeAssist</c> settings object: the same shape arrives as LSP initializationOptions,
/// through workspace/didChangeConfiguration, and from workspace/configuration.
/// </summary>
public sealed record CodeAssistOptions
{
    /// <summary>Path of the local GGUF model; null means the shipped default.</summary>
    public string? Model { get; init; }

    /// <summary>CPU threads for the local model; null means half the logical processors.</summary>
    public int? Threads { get; init; }

    /// <summary>Context window of the local model, in tokens.</summary>
    public int ContextSize { get; init; } = 2048;

    /// <summary>Most tokens one completion generates.</summary>
    public int MaxTokens { get; init; } = 64;

    /// <summary>
    /// Most candidates the local model proposes per request: it branches where it hesitates (see
    /// <see cref="Inference.Local.CandidateDecoder"/>), the checks drop the ones that are not Python in place, the best
    /// remaining one is shown. 1: the greedy candidate alone.
    /// </summary>
    public int Candidates { get; init; } = DefaultCandidates;

    /// <summary>The default of <see cref="Candidates"/>, chosen from measurements (README, "Candidates").</summary>
    public const int DefaultCandidates = 4;

    /// <summary>Pause after a keystroke before a decode starts, in milliseconds.</summary>
    public int DebounceMs { get; init; } = 75;

    /// <summary>When completions may span several lines.</summary>
    public MultilineMode Multiline { get; init; } = MultilineMode.Auto;

    /// <summary>Most lines of a multi-line completion.</summary>
    public int MaxLines { get; init; } = 12;

    /// <summary>Whether completions are offered at all.</summary>
    public bool Enable { get; init; } = true;

    /// <summary>FIM prompt order for models trained with both (null: what the model declares).</summary>
    public Prompting.FimOrder? FimOrder { get; init; }

    /// <summary>
    /// Mix a copy model over the prompt into a local model's predictions: where the last tokens also occur earlier in
    /// the context, what followed them there weighs in (see <see cref="Inference.ContextCopy"/>). True or false for every
    /// local model; null ("auto"): on for CodeAssist's own models, where it was measured, off for others.
    /// </summary>
    public bool? ContextCopy { get; init; }

    /// <summary>Keep the local model's KV cache between requests; false decodes every prompt whole (for benchmarks that measure what reuse saves).</summary>
    public bool KvCacheReuse { get; init; } = true;

    /// <summary>The model the router escalates to (none by default).</summary>
    public FallbackOptions Fallback { get; init; } = new();

    /// <summary>When the router escalates and how long it waits.</summary>
    public RoutingOptions Routing { get; init; } = new();

    /// <summary>How code actions sample and check their candidates.</summary>
    public CodeActionsOptions CodeActions { get; init; } = new();

    /// <summary>What a completion draws on beyond the prompt's window (the <c>context</c> object).</summary>
    public ContextOptions Context { get; init; } = new();

    /// <summary>The defaults.</summary>
    public static CodeAssistOptions Default { get; } = new();

    /// <summary>
    /// Reads settings from JSON, over <paramref name="baseline"/>. Accepts the settings object itself or
    /// one wrapped as <c>{"codeAssist": {...}}</c>. Values of the wrong type or out of range are skipped
    /// and reported in <paramref name="problems"/>; unknown keys are ignored (later versions add some).
    /// </summary>
    public static CodeAssistOptions Parse(JsonElement? json, CodeAssistOptions baseline, out IReadOnlyList<string> problems)
    {
        var errors = new List<string>();
        problems = errors;
        if (json is not { ValueKind: JsonValueKind.Object } root)
        {
            if (json is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } other)
            {
                errors.Add($"settings must be an object, not {other.ValueKind}");
            }

            return baseline;
        }

        if (root.TryGetProperty("codeAssist", out var nested) && nested.ValueKind == JsonValueKind.Object)
        {
            root = nested;
        }

        var options = baseline;
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "model":
                    if (value.ValueKind == JsonValueKind.String)
                    {
                        var path = value.GetString();
                        options = options with { Model = string.IsNullOrWhiteSpace(path) ? null : ExpandHome(path!) };
                    }
                    else if (value.ValueKind == JsonValueKind.Null)
                    {
                        options = options with { Model = null };
                    }
                    else
                    {
                        errors.Add("model must be a string (a GGUF path)");
                    }

                    break;
                case "threads":
                    if (value.ValueKind == JsonValueKind.Null)
                    {
                        options = options with { Threads = null };
                    }
                    else if (SettingValues.ReadInt(value, 1, 256, "threads", errors) is { } threads)
                    {
                        options = options with { Threads = threads };
                    }

                    break;
                case "contextSize":
                    if (SettingValues.ReadInt(value, 128, 131072, "contextSize", errors) is { } contextSize)
                    {
                        options = options with { ContextSize = contextSize };
                    }

                    break;
                case "candidates":
                    if (SettingValues.ReadInt(value, 1, 8, "candidates", errors) is { } candidates)
                    {
                        options = options with { Candidates = candidates };
                    }

                    break;
                case "maxTokens":
                    if (SettingValues.ReadInt(value, 1, 4096, "maxTokens", errors) is { } maxTokens)
                    {
                        options = options with { MaxTokens = maxTokens };
                    }

                    break;
                case "debounceMs":
                    if (SettingValues.ReadInt(value, 0, 10000, "debounceMs", errors) is { } debounce)
                    {
                        options = options with { DebounceMs = debounce };
                    }

                    break;
                case "maxLines":
                    if (SettingValues.ReadInt(value, 1, 200, "maxLines", errors) is { } maxLines)
                    {
                        options = options with { MaxLines = maxLines };
                    }

                    break;
                case "multiline":
                    MultilineMode? mode = value.ValueKind == JsonValueKind.String ? value.GetString() switch
                    {
                        "auto" => MultilineMode.Auto,
                        "always" => MultilineMode.Always,
                        "never" => MultilineMode.Never,
                        _ => null,
                    } : value.ValueKind switch
                    {
                        JsonValueKind.True => MultilineMode.Always,
                        JsonValueKind.False => MultilineMode.Never,
                        _ => null,
                    };
                    if (mode is { } m)
                    {
                        options = options with { Multiline = m };
                    }
                    else
                    {
                        errors.Add("multiline must be \"auto\", \"always\" or \"never\"");
                    }

                    break;
                case "fimOrder":
                    Prompting.FimOrder? order = value.ValueKind == JsonValueKind.String ? value.GetString() switch
                    {
                        "psm" => Prompting.FimOrder.Psm,
                        "spm" => Prompting.FimOrder.Spm,
                        _ => null,
                    } : null;
                    if (order is not null || (value.ValueKind == JsonValueKind.String && value.GetString() == "auto") || value.ValueKind == JsonValueKind.Null)
                    {
                        options = options with { FimOrder = order };
                    }
                    else
                    {
                        errors.Add("fimOrder must be \"auto\", \"psm\" or \"spm\"");
                    }

                    break;
                case "fallback":
                    options = options with { Fallback = FallbackOptions.Parse(value, options.Fallback, errors) };
                    break;
                case "routing":
                    options = options with { Routing = RoutingOptions.Parse(value, options.Routing, errors) };
                    break;
                case "codeActions":
                    options = options with { CodeActions = CodeActionsOptions.Parse(value, options.CodeActions, errors) };
                    break;
                case "context":
                    options = options with { Context = ContextOptions.Parse(value, options.Context, errors) };
                    break;
                case "contextCopy":
                    if (SettingValues.TryReadAuto(value, "contextCopy", errors, out var contextCopy))
                    {
                        options = options with { ContextCopy = contextCopy };
                    }

                    break;
                case "kvCacheReuse":
                    if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                    {
                        options = options with { KvCacheReuse = value.GetBoolean() };
                    }
                    else
                    {
                        errors.Add("kvCacheReuse must be true or false");
                    }

                    break;
                case "enable":
                    if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                    {
                        options = options with { Enable = value.GetBoolean() };
                    }
                    else
                    {
                        errors.Add("enable must be true or false");
                    }

                    break;
            }
        }

        return options;
    }

    /// <summary>Expands a leading <c>~/</c> to the user's home directory.</summary>
    public static string ExpandHome(string path) =>
        path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
            : path;
}
