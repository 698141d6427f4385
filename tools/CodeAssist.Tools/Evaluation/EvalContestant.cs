using CodeAssist.Server.Configuration;
using CodeAssist.Server.Models;

namespace CodeAssist.Tools.Evaluation;

/// <summary>What a contestant is.</summary>
public enum ContestantKind
{
    /// <summary>A local GGUF model (a path, a catalog id, or a file name in the model folders).</summary>
    Model,

    /// <summary>A remote endpoint answering alone: <c>remote</c> (the configured fallback) or <c>KIND:URL#MODEL</c>.</summary>
    Remote,

    /// <summary>The router: the local model, escalating to the configured fallback tier.</summary>
    Router,

    /// <summary>A baseline with no model: <c>baseline:repeat-line</c> or <c>baseline:unigram</c>.</summary>
    Baseline,
}

/// <summary>How a contestant's run went.</summary>
public enum ContestantStatus
{
    /// <summary>It ran on every point.</summary>
    Ok,

    /// <summary>No such file, catalog id or model name.</summary>
    NotFound,

    /// <summary>A catalog id whose file is not in any model folder.</summary>
    NotDownloaded,

    /// <summary>A remote endpoint that could not be reached (connection refused, timeout).</summary>
    Unreachable,

    /// <summary>It could not run: a model that does not load, a remote that answers with errors, settings that cannot work.</summary>
    Failed,
}

/// <summary>
/// One entry of <c>--models</c>, parsed: <c>baseline:repeat-line</c>, <c>baseline:unigram</c>, <c>router</c>,
/// <c>remote</c>, <c>openai:URL#MODEL</c>, <c>llamacpp:URL</c>, <c>ollama:URL#MODEL</c>, a GGUF path, a catalog id,
/// or a GGUF file name in the model folders. A model entry prefixed with <c>nocopy:</c> runs the model alone, without
/// the context copy model the server mixes in by default (<c>contextCopy</c>); prefixed with <c>unchecked:</c>, it runs
/// as the server did before candidates and checks — one candidate, no silence in comments and strings, no check stage,
/// never unsure — to measure what they change; prefixed with
/// <c>n1:</c> … <c>n8:</c>, it proposes that many candidates per request (the <c>candidates</c> setting); prefixed with
/// <c>noworkspace:</c>, it completes without the workspace context (<c>context.workspace</c> false).
/// </summary>
/// <param name="Name">The entry as given, which names the contestant in the report.</param>
/// <param name="Kind">What it is.</param>
/// <param name="Remote">For remote contestants: the endpoint as fallback settings (the configured ones for <c>remote</c>).</param>
/// <param name="ModelAlone">For model entries: <c>nocopy:</c> was given, so the context copy model is off.</param>
/// <param name="Unchecked">For model entries: <c>unchecked:</c> was given, so the silence and check stages are off.</param>
/// <param name="Candidates">For model entries: <c>nK:</c> was given, so the model proposes K candidates per request.</param>
/// <param name="NoWorkspace">For model entries: <c>noworkspace:</c> was given, so the workspace context is off (<c>context.workspace</c>).</param>
public sealed record ContestantSpec(string Name, ContestantKind Kind, FallbackOptions? Remote = null, bool ModelAlone = false, bool Unchecked = false, int? Candidates = null, bool NoWorkspace = false)
{
    /// <summary>The prefix that runs a model without the workspace context.</summary>
    public const string NoWorkspacePrefix = "noworkspace:";

    /// <summary>The prefix that runs a model without the silence and check stages.</summary>
    public const string UncheckedPrefix = "unchecked:";

    /// <summary>The prefix that runs a model without the context copy model.</summary>
    public const string NoCopyPrefix = "nocopy:";

    /// <summary>For model entries: the path, catalog id or file name to resolve (the entry without <c>nocopy:</c>).</summary>
    public string Target => ModelAlone ? Name[NoCopyPrefix.Length..] : Unchecked ? Name[UncheckedPrefix.Length..] : NoWorkspace ? Name[NoWorkspacePrefix.Length..] : Candidates is not null ? Name[3..] : Name;

    /// <summary>The entry's prefix (<c>nocopy:</c>, <c>unchecked:</c>, <c>nK:</c>), or empty.</summary>
    public string Prefix => Name[..(Name.Length - Target.Length)];

    /// <summary>The repeat-the-previous-line baseline.</summary>
    public const string RepeatLine = "baseline:repeat-line";

    /// <summary>The unigram baseline.</summary>
    public const string Unigram = "baseline:unigram";

    /// <summary>The copy model alone (over a random-weight model of the shipped tiny model's shape).</summary>
    public const string CopyOnly = "baseline:copy";

    /// <summary>The router contestant (what <c>--router</c> adds).</summary>
    public const string Router = "router";

    /// <summary>The configured remote fallback, alone.</summary>
    public const string ConfiguredRemote = "remote";

    /// <summary>Parses one entry; <paramref name="fallback"/> is the configured fallback that <c>remote</c> means.</summary>
    public static ContestantSpec Parse(string entry, FallbackOptions fallback)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(fallback);
        if (entry is RepeatLine or Unigram or CopyOnly)
        {
            return new ContestantSpec(entry, ContestantKind.Baseline);
        }

        if (entry == Router)
        {
            return new ContestantSpec(entry, ContestantKind.Router);
        }

        if (entry == ConfiguredRemote)
        {
            return new ContestantSpec(entry, ContestantKind.Remote, fallback.IsRemote ? fallback : null);
        }

        var colon = entry.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && RemoteKindOf(entry[..colon]) is { } kind && entry.AsSpan(colon + 1).StartsWith("http", StringComparison.OrdinalIgnoreCase))
        {
            var address = entry[(colon + 1)..];
            string? model = null;
            var hash = address.LastIndexOf('#');
            if (hash >= 0)
            {
                model = address[(hash + 1)..];
                address = address[..hash];
            }

            return new ContestantSpec(entry, ContestantKind.Remote, new FallbackOptions
            {
                Kind = kind,
                Endpoint = address,
                Model = string.IsNullOrWhiteSpace(model) ? null : model,
            });
        }

        if (entry.Length > 3 && entry[0] == 'n' && entry[1] is >= '1' and <= '8' && entry[2] == ':')
        {
            return new ContestantSpec(entry, ContestantKind.Model, Candidates: entry[1] - '0');
        }

        return new ContestantSpec(
            entry,
            ContestantKind.Model,
            ModelAlone: entry.StartsWith(NoCopyPrefix, StringComparison.Ordinal) && entry.Length > NoCopyPrefix.Length,
            Unchecked: entry.StartsWith(UncheckedPrefix, StringComparison.Ordinal) && entry.Length > UncheckedPrefix.Length,
            NoWorkspace: entry.StartsWith(NoWorkspacePrefix, StringComparison.Ordinal) && entry.Length > NoWorkspacePrefix.Length);
    }

    /// <summary>
    /// Where a model entry's GGUF is: an existing file; a catalog id's file in the model folders; a file name
    /// (with or without <c>.gguf</c>) in the model folders. Otherwise null and the reason (not found or not downloaded).
    /// </summary>
    public static string? ResolveModel(string name, out ContestantStatus status, out string? error)
    {
        status = ContestantStatus.Ok;
        error = null;
        var expanded = CodeAssistOptions.ExpandHome(name);
        if (File.Exists(expanded))
        {
            return Path.GetFullPath(expanded);
        }

        var folders = ModelCatalog.ModelFolders();
        var catalogPath = DefaultModelLocator.FindShipped(ModelCatalog.FileName);
        if (catalogPath is not null)
        {
            var entry = ModelCatalog.Load(catalogPath).Models.FirstOrDefault(m => m.Id == name);
            if (entry is not null)
            {
                var found = folders.Select(f => Path.Combine(f, entry.File)).FirstOrDefault(File.Exists);
                if (found is null)
                {
                    status = ContestantStatus.NotDownloaded;
                    error = $"not downloaded: {entry.File} is in none of the model folders ({(folders.Count == 0 ? "none exist" : string.Join(", ", folders))})"
                        + (entry.Url is null ? string.Empty : $"; download it from {entry.Url}");
                }

                return found;
            }
        }

        var byName = folders.Select(f => Path.Combine(f, name.EndsWith(".gguf", StringComparison.Ordinal) ? name : name + ".gguf")).FirstOrDefault(File.Exists);
        if (byName is null)
        {
            status = ContestantStatus.NotFound;
            error = $"model not found: {name} is no file, catalog id or model in the model folders";
        }

        return byName;
    }

    private static FallbackKind? RemoteKindOf(string word) =>
        FallbackOptions.ParseKind(word) is { } kind && FallbackOptions.IsRemoteKind(kind) ? kind : null;
}
