using System.Collections.Concurrent;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Gguf;
using CodeAssist.Server.Inference.Remote;
using CodeAssist.Server.Prompting;
using CodeAssist.Server.Protocol;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Models;

/// <summary>One model a tier can use, as <c>codeAssist.listModels</c> lists it.</summary>
/// <param name="Id">What <c>codeAssist.selectModel</c> takes: a catalog id, a file name without .gguf (or the full path when that name is taken), or <c>remote:&lt;model&gt;</c>.</param>
/// <param name="Label">What people read.</param>
/// <param name="Tier">"local" or "fallback".</param>
/// <param name="Path">The GGUF file; null for a remote model.</param>
/// <param name="Endpoint">The server's address; null for a file.</param>
/// <param name="SizeBytes">The file's size; null for a remote model.</param>
/// <param name="Family">The FIM family name.</param>
/// <param name="Fim">Whether the model fills in the middle.</param>
/// <param name="Active">The model in use for its tier.</param>
public sealed record AvailableModel(string Id, string Label, string Tier, string? Path, string? Endpoint, long? SizeBytes, string Family, bool Fim, bool Active)
{
    /// <summary>True for a remote endpoint's model.</summary>
    public bool IsRemote => Endpoint is not null;

    /// <summary>A remark for people: what a server model's name says it is, or why the server's models are not listed.</summary>
    public string? Note { get; init; }

    /// <summary>A catalog model not on this machine yet (no path; <see cref="SizeBytes"/> is the catalog's approximate size).</summary>
    public bool Downloadable { get; init; }

    /// <summary>The licence, where the catalog names it.</summary>
    public string? License { get; init; }
}

/// <summary>A model id that no tier lists, or a tier that does not exist.</summary>
public sealed class UnknownModelException(string message) : Exception(message);

/// <summary>
/// What models each tier can use: the catalog's models present on this machine (the shipped ones among them), the
/// other GGUF files in the model folders, the configured files wherever they are, and for the fallback tier the
/// configured remote endpoint's model. Which one each tier uses follows the settings in force (selections included).
/// In restricted mode (<see cref="WorkspaceTrust"/>) it lists the shipped models alone, and the model in use.
/// </summary>
public sealed class ModelInventory
{
    /// <summary>The id prefix of a remote endpoint's model.</summary>
    public const string RemotePrefix = "remote:";

    private readonly SettingsStore _settings;
    private readonly Func<IReadOnlyList<string>> _folders;
    private readonly ILogger<ModelInventory> _logger;
    private readonly WorkspaceTrust? _trust;
    private readonly string? _catalogPath;
    private readonly Lazy<CatalogDocument> _catalog;
    private readonly ConcurrentDictionary<(string Path, long Size, DateTime Written), (string Family, bool Fim)> _detected = new();

    /// <summary>
    /// Creates the inventory over <paramref name="folders"/> (the model folders; <see cref="ModelCatalog.ModelFolders"/> in
    /// the server); <paramref name="trust"/> narrows the listing in restricted mode (none: everything is listed);
    /// <paramref name="catalogPath"/> is the catalog (default: <see cref="ModelCatalog.Locate"/>).
    /// </summary>
    public ModelInventory(SettingsStore settings, Func<IReadOnlyList<string>> folders, ILogger<ModelInventory> logger, WorkspaceTrust? trust = null, string? catalogPath = null)
    {
        _settings = settings;
        _folders = folders;
        _logger = logger;
        _trust = trust;
        _catalogPath = catalogPath ?? ModelCatalog.Locate();
        _catalog = new Lazy<CatalogDocument>(LoadCatalog);
    }

    /// <summary>
    /// The models of one tier, or of both (local first) when <paramref name="tier"/> is null; in restricted mode the
    /// shipped ones and those in use (the user should see what answers, even when it could not be selected now).
    /// </summary>
    public IReadOnlyList<AvailableModel> List(string? tier = null)
    {
        var all = ListAll(tier);
        return _trust is { IsRestricted: true } trust ? [.. all.Where(model => model.Active || (!model.IsRemote && trust.Allows(model.Path)))] : all;
    }

    // Everything, whatever the mode: Find resolves any id, so that a refusal can say why instead of "unknown".
    private List<AvailableModel> ListAll(string? tier)
    {
        var options = _settings.Current;
        var files = LocalFiles(options);
        var models = new List<AvailableModel>();
        if (tier is null or ModelTiers.Local)
        {
            var active = DefaultModelLocator.Resolve(options.Model);
            models.AddRange(files.Select(file => file with { Tier = ModelTiers.Local, Active = SamePath(file.Path, active) }));
            models.AddRange(Downloadable());
        }

        if (tier is null or ModelTiers.Fallback)
        {
            var activeFile = options.Fallback.Kind == FallbackKind.Local && options.Fallback.Model is { } model ? FullPath(model) : null;
            models.AddRange(files.Select(file => file with { Tier = ModelTiers.Fallback, Active = SamePath(file.Path, activeFile) }));
            if (RemoteModel(_settings.Configured.Fallback) is { } remote)
            {
                // Active unless the session picked another model of the server (codeAssist.selectModel).
                models.Add(remote with { Active = options.Fallback.IsRemote && options.Fallback.Model == _settings.Configured.Fallback.Model });
            }
        }

        return models;
    }

    /// <summary>True in restricted mode: nothing but the shipped models is listed, and no server is asked for its models.</summary>
    public bool IsRestricted => _trust is { IsRestricted: true };

    /// <summary>
    /// <paramref name="listed"/> with the models the configured remote fallback's server lists added after it (those the
    /// listing does not hold yet), each marked by what its name says: a FIM code model or not. Unchanged in restricted mode.
    /// </summary>
    public IReadOnlyList<AvailableModel> WithServed(IReadOnlyList<AvailableModel> listed, IReadOnlyList<ServedModel> served)
    {
        if (IsRestricted || !_settings.Current.Fallback.IsRemote)
        {
            return listed;
        }

        var models = listed.ToList();
        foreach (var model in served)
        {
            var entry = ServedEntry(model.Name, model.SizeBytes);
            if (entry is not null && !models.Any(listedModel => listedModel.Id == entry.Id))
            {
                models.Add(entry);
            }
        }

        return models;
    }

    /// <summary><paramref name="listed"/> with <paramref name="note"/> on the configured remote fallback's entry (why the server's models are missing).</summary>
    public static IReadOnlyList<AvailableModel> WithRemoteNote(IReadOnlyList<AvailableModel> listed, string note) =>
        [.. listed.Select(model => model.IsRemote && model.Tier == ModelTiers.Fallback ? model with { Note = note } : model)];

    /// <summary>A model of the configured remote server as the fallback tier lists it; null when the fallback is not remote.</summary>
    private AvailableModel? ServedEntry(string name, long? size)
    {
        var options = _settings.Current;
        var configured = _settings.Configured.Fallback.IsRemote ? _settings.Configured.Fallback : options.Fallback;
        if (!configured.IsRemote || string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var family = ModelNames.FimFamilyOf(name);
        var fim = ModelNames.SaysFimCodeModel(name);
        var note = fim ? "FIM code model, by its name"
            : family is not null ? "a chat fine-tune of a code model, by its name: for code actions"
            : "not a FIM code model, by its name";
        return new AvailableModel(
            RemotePrefix + name, $"{name} ({FallbackOptions.KindName(configured.Kind)})", ModelTiers.Fallback, null, configured.Endpoint, size,
            family is { } known ? FamilyName(known) : "unknown", fim, options.Fallback.IsRemote && options.Fallback.Model == name)
        {
            Note = note,
        };
    }

    /// <summary>
    /// The model <paramref name="id"/> names for <paramref name="tier"/>: an id from <see cref="List"/>, or an absolute
    /// path of a .gguf file (listed or not; whether it loads is found out when it is selected).
    /// </summary>
    public AvailableModel Find(string tier, string id)
    {
        if (!ModelTiers.IsKnown(tier))
        {
            throw new UnknownModelException($"unknown tier '{tier}': use \"local\" or \"fallback\"");
        }

        if (string.IsNullOrWhiteSpace(id))
        {
            throw new UnknownModelException("the model id is empty");
        }

        var listed = ListAll(tier);
        if (listed.FirstOrDefault(model => model.Id == id) is { } byId)
        {
            return byId.Downloadable
                ? throw new UnknownModelException($"{id} is not downloaded yet: codeAssist.pullModel downloads it (or `codeassist models pull {id}`)")
                : byId;
        }

        if (Path.IsPathFullyQualified(id) && id.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase))
        {
            var path = Path.GetFullPath(id);
            if (listed.FirstOrDefault(model => SamePath(model.Path, path)) is { } byPath)
            {
                return byPath;
            }

            var (family, fim) = Detect(path);
            return new AvailableModel(path, Label(path), tier, path, null, File.Exists(path) ? new FileInfo(path).Length : null, family, fim, false);
        }

        // A model of the remote server that codeAssist.listModels found there (the server says whether it has it when asked).
        if (tier == ModelTiers.Fallback && id.StartsWith(RemotePrefix, StringComparison.Ordinal) && ServedEntry(id[RemotePrefix.Length..], null) is { } served)
        {
            return served;
        }

        var hint = id.StartsWith(RemotePrefix, StringComparison.Ordinal) && tier == ModelTiers.Local
            ? " (remote models are for the fallback tier)"
            : string.Empty;
        throw new UnknownModelException($"unknown model id '{id}' for the {tier} tier{hint}; codeAssist.listModels lists the ids, or pass the absolute path of a .gguf file");
    }

    /// <summary>How a model file is labelled: its catalog id, else its file name without .gguf.</summary>
    public string Label(string path)
    {
        var name = Path.GetFileName(path);
        return _catalog.Value.Models.FirstOrDefault(entry => entry.File == name)?.Id ?? Path.GetFileNameWithoutExtension(path);
    }

    /// <summary>The label of the fallback these settings configure; null for none.</summary>
    public string? FallbackLabel(FallbackOptions fallback) => fallback.Kind switch
    {
        FallbackKind.None => null,
        FallbackKind.Local => fallback.Model is { } model ? Label(FullPath(model)) : null,
        _ => RemoteModel(fallback)?.Label,
    };

    /// <summary>The remote model a fallback configures, as listed; null when the fallback is not remote.</summary>
    private static AvailableModel? RemoteModel(FallbackOptions fallback)
    {
        if (!fallback.IsRemote)
        {
            return null;
        }

        var kind = FallbackOptions.KindName(fallback.Kind);
        var name = string.IsNullOrWhiteSpace(fallback.Model) ? kind : fallback.Model;
        var label = string.IsNullOrWhiteSpace(fallback.Model) ? $"{kind} server" : $"{fallback.Model} ({kind})";
        var family = fallback.Template is { } template ? FamilyName(template) : "server";

        // In server mode the server applies the model's FIM format to the suffix we send; in client mode we render it.
        var fim = fallback.FimMode == Inference.Remote.RemoteFimMode.Server || fallback.Template is not (null or FimFamily.None);
        return new AvailableModel(RemotePrefix + name, label, ModelTiers.Fallback, null, fallback.Endpoint, null, family, fim, false);
    }

    private List<AvailableModel> LocalFiles(CodeAssistOptions options)
    {
        var folders = _folders();
        var catalog = _catalog.Value;
        var files = new List<AvailableModel>();
        void Add(string id, string path, string? family = null)
        {
            if (files.Any(file => SamePath(file.Path, path)))
            {
                return;
            }

            if (files.Any(file => file.Id == id))
            {
                id = path;
            }

            var (detectedFamily, fim) = family is null ? Detect(path) : (family, family != FamilyName(FimFamily.None));
            files.Add(new AvailableModel(id, Label(path), ModelTiers.Local, path, null, new FileInfo(path).Length, detectedFamily, fim, false));
        }

        foreach (var model in ModelCatalog.Resolve(catalog, folders))
        {
            if (model.LocalPath is { } path)
            {
                Add(model.Entry.Id, Path.GetFullPath(path), model.Entry.Family);
            }
        }

        foreach (var path in ModelCatalog.UnlistedFiles(catalog, folders))
        {
            Add(Path.GetFileNameWithoutExtension(path), Path.GetFullPath(path));
        }

        // The files the settings name, wherever they are: the one in use must be listed.
        var configured = _settings.Configured;
        string?[] named =
        [
            DefaultModelLocator.Resolve(options.Model),
            DefaultModelLocator.Resolve(configured.Model),
            options.Fallback.Kind == FallbackKind.Local && options.Fallback.Model is { } selected ? FullPath(selected) : null,
            configured.Fallback.Kind == FallbackKind.Local && configured.Fallback.Model is { } fallback ? FullPath(fallback) : null,
        ];
        foreach (var path in named)
        {
            if (path is not null && File.Exists(path))
            {
                Add(Path.GetFileNameWithoutExtension(path), path);
            }
        }

        return files;
    }

    /// <summary>The catalog's models with a download address that are in no model folder.</summary>
    private IEnumerable<AvailableModel> Downloadable() =>
        ModelCatalog.Resolve(_catalog.Value, _folders())
            .Where(model => model.LocalPath is null && !model.Entry.Shipped && model.Entry.Url is not null)
            .Select(model => new AvailableModel(model.Entry.Id, model.Entry.Id, ModelTiers.Local, null, null, model.Entry.SizeBytes, model.Entry.Family, model.Entry.Family != FamilyName(FimFamily.None), false)
            {
                Downloadable = true,
                License = model.Entry.License,
            });

    private (string Family, bool Fim) Detect(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return ("unknown", false);
            }

            return _detected.GetOrAdd((path, info.Length, info.LastWriteTimeUtc), _ =>
            {
                try
                {
                    var template = GgufTokenInventory.DetectTemplate(path);
                    return (FamilyName(template.Family), template.SupportsFim);
                }
                catch (ModelLoadException ex)
                {
                    _logger.LogDebug("Could not read {Path} to detect its FIM format: {Error}", path, ex.Message);
                    return ("unknown", false);
                }
            });
        }
        catch (IOException)
        {
            return ("unknown", false);
        }
    }

    private CatalogDocument LoadCatalog()
    {
        var path = _catalogPath;
        if (path is not null)
        {
            try
            {
                return ModelCatalog.Load(path);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException)
            {
                _logger.LogWarning("The model catalog is not usable: {Error}", ex.Message);
            }
        }

        return new CatalogDocument { Models = [] };
    }

    /// <summary>A family as listModels names it: codeassist, qwen, starcoder, …, none.</summary>
    private static string FamilyName(FimFamily family) => family.ToString().ToLowerInvariant();

    private static string FullPath(string path) => Path.GetFullPath(CodeAssistOptions.ExpandHome(path));

    private static bool SamePath(string? a, string? b) =>
        a is not null && b is not null && string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase);
}
