using System.Text.Json.Serialization;

namespace CodeAssist.Server.Protocol;

/// <summary>The two model tiers, as named in <c>codeAssist.listModels</c>, <c>codeAssist.selectModel</c> and <c>codeAssist/status</c>.</summary>
public static class ModelTiers
{
    /// <summary>The in-process model that answers every keystroke.</summary>
    public const string Local = "local";

    /// <summary>The model the router escalates to: a larger local GGUF or a remote endpoint.</summary>
    public const string Fallback = "fallback";

    /// <summary>True for "local" and "fallback".</summary>
    public static bool IsKnown(string? tier) => tier is Local or Fallback;
}

/// <summary>The optional argument of <c>codeAssist.listModels</c>: <c>{"tier": "local" | "fallback"}</c>.</summary>
public sealed record ListModelsArguments
{
    /// <summary>Only this tier's models; both tiers when null.</summary>
    public string? Tier { get; init; }
}

/// <summary>The argument of <c>codeAssist.selectModel</c>: <c>{"tier": …, "id": …}</c>.</summary>
public sealed record SelectModelArguments
{
    /// <summary>"local" or "fallback".</summary>
    public required string Tier { get; init; }

    /// <summary>An id from <c>codeAssist.listModels</c>, or an absolute path of a .gguf file.</summary>
    public required string Id { get; init; }
}

/// <summary>The argument of <c>codeAssist.pullModel</c>: <c>{"id": …}</c>.</summary>
public sealed record PullModelArguments
{
    /// <summary>A catalog id (a <c>downloadable</c> entry of <c>codeAssist.listModels</c>).</summary>
    public required string Id { get; init; }
}

/// <summary>One entry of <c>codeAssist.listModels</c> (and the result of <c>codeAssist.selectModel</c>).</summary>
public sealed record ModelInfo
{
    /// <summary>What <c>codeAssist.selectModel</c> takes: a catalog id, a file name without .gguf, a path, or <c>remote:&lt;model&gt;</c>.</summary>
    public required string Id { get; init; }

    /// <summary>What people read (status bar, pick list).</summary>
    public required string Label { get; init; }

    /// <summary>"local" or "fallback".</summary>
    public required string Tier { get; init; }

    /// <summary>The GGUF file, for local files.</summary>
    public string? Path { get; init; }

    /// <summary>The server's address, for a remote model.</summary>
    public string? Endpoint { get; init; }

    /// <summary>The file's size, for local files; the catalog's approximate download size for a downloadable model.</summary>
    public long? SizeBytes { get; init; }

    /// <summary>True for a catalog model not downloaded yet (no path): <c>codeAssist.pullModel</c> downloads it. Absent otherwise.</summary>
    public bool? Downloadable { get; init; }

    /// <summary>The model's licence, where the catalog names it (downloadable models).</summary>
    public string? License { get; init; }

    /// <summary>The FIM family (codeassist, qwen, starcoder, …; none without FIM tokens; unknown for an unreadable file; server for a remote model whose server formats FIM).</summary>
    public required string Family { get; init; }

    /// <summary>Whether the model fills in the middle (takes the text after the cursor into account).</summary>
    public required bool Fim { get; init; }

    /// <summary>A remark for people: what a server model's name says it is ("FIM code model, by its name"), or why a server's models are missing.</summary>
    public string? Note { get; init; }

    /// <summary>The model in use for its tier.</summary>
    public required bool Active { get; init; }
}

/// <summary>The parameters of the <c>codeAssist/status</c> notification.</summary>
public sealed record StatusParams
{
    /// <summary>One entry per tier: local first, then fallback.</summary>
    public required IReadOnlyList<TierStatus> Tiers { get; init; }
}

/// <summary>One tier's state in <c>codeAssist/status</c>.</summary>
public sealed record TierStatus
{
    /// <summary>"local" or "fallback".</summary>
    public required string Tier { get; init; }

    /// <summary>The model's label; null when the tier has none (off, or no model found). Always written.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required string? Model { get; init; }

    /// <summary>One of <see cref="TierStates"/>.</summary>
    public required string State { get; init; }

    /// <summary>Why the tier is in error, or a note about it.</summary>
    public string? Message { get; init; }

    /// <summary>The latency of the tier's latest completion, in whole milliseconds.</summary>
    public long? LastLatencyMs { get; init; }

    /// <summary>What the model check found, in words for people (FIM or not, which family, a chat model, the self-test's answer); local models once loaded.</summary>
    public string? Check { get; init; }

    /// <summary>True when <see cref="Check"/> asks the user to act (no FIM, a chat model, a self-test that answered nothing or a control token).</summary>
    public bool? CheckWarning { get; init; }
}

/// <summary>The states of a tier in <c>codeAssist/status</c>.</summary>
public static class TierStates
{
    public const string Loading = "loading";
    public const string Ready = "ready";
    public const string Error = "error";
    public const string Off = "off";
}
