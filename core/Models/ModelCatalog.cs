using System.Text.Json;
using System.Text.Json.Serialization;

namespace CodeAssist.Server.Models;

/// <summary>One model the catalog knows: shipped with CodeAssist or recommended for download.</summary>
public sealed record CatalogEntry
{
    /// <summary>Stable identifier, e.g. <c>qwen2.5-coder-1.5b-q8_0</c>.</summary>
    public required string Id { get; init; }

    /// <summary>File name of the GGUF.</summary>
    public required string File { get; init; }

    /// <summary>True for the models in the repository's <c>models/</c> folder.</summary>
    public bool Shipped { get; init; }

    /// <summary>
    /// A shipped model that is the fallback tier while the user configured neither <c>model</c> nor a fallback kind
    /// (see <see cref="DefaultFallback"/>); at most one entry sets it.
    /// </summary>
    public bool DefaultFallback { get; init; }

    /// <summary>FIM family (as in <see cref="Prompting.FimTemplate.ParseFamily"/>).</summary>
    public required string Family { get; init; }

    /// <summary>FIM order the model was trained with: <c>psm</c> or <c>spm</c>.</summary>
    public required string Fim { get; init; }

    /// <summary>Parameter count.</summary>
    public long Parameters { get; init; }

    /// <summary>Download size in bytes, approximate, as the download page lists it (null for shipped files).</summary>
    public long? SizeBytes { get; init; }

    /// <summary>Licence name.</summary>
    public required string License { get; init; }

    /// <summary>Tokens of context the model was trained with (its GGUF <c>context_length</c>).</summary>
    public int? ContextLength { get; init; }

    /// <summary>Estimated speed class on a laptop CPU (<see cref="CatalogSpeed"/>): instant, fast, moderate or slow.</summary>
    public string? Speed { get; init; }

    /// <summary>Download address, null for shipped models.</summary>
    public string? Url { get; init; }

    /// <summary>SHA-256 of the file where it was verified.</summary>
    public string? Sha256 { get; init; }

    /// <summary>One line for people.</summary>
    public string? Description { get; init; }
}

/// <summary>
/// The catalog's speed classes: an estimate for a laptop CPU, not a measurement. Generating a token reads every weight
/// once, so a laptop's memory bandwidth (about 25 GB/s) divided by the file size bounds its tokens per second.
/// </summary>
public static class CatalogSpeed
{
    /// <summary>The memory bandwidth the estimate assumes, bytes per second.</summary>
    public const double LaptopBytesPerSecond = 25e9;

    /// <summary>The class of a file of <paramref name="bytes"/>: instant (≤ 100 MB), fast (≤ 1 GB), moderate (≤ 4 GB), slow.</summary>
    public static string ClassOf(long bytes) => bytes switch
    {
        <= 100_000_000 => "instant",
        <= 1_000_000_000 => "fast",
        <= 4_000_000_000 => "moderate",
        _ => "slow",
    };

    /// <summary>Estimated tokens per second on a laptop CPU (the bandwidth bound; small models are bound by compute instead).</summary>
    public static double EstimatedTokensPerSecond(long bytes) => LaptopBytesPerSecond / Math.Max(1, bytes);

    /// <summary>Which tier a model of this class suits, for people.</summary>
    public static string GoodFor(string? speed, bool fim) => (speed, fim) switch
    {
        ("instant" or "fast", true) => "ghost text",
        ("instant" or "fast", false) => "code actions (no FIM)",
        ("moderate", _) => "fallback tier (ghost text on a fast machine)",
        ("slow", _) => "fallback tier, on a GPU or a server",
        _ => "?",
    };
}

/// <summary>The catalog file (<c>models/catalog.json</c>).</summary>
public sealed record CatalogDocument
{
    /// <summary>Format version.</summary>
    public int Version { get; init; }

    /// <summary>A note for readers of the file.</summary>
    public string? Note { get; init; }

    /// <summary>The models.</summary>
    public required IReadOnlyList<CatalogEntry> Models { get; init; }
}

/// <summary>A catalog entry with where its file is on this machine, if anywhere.</summary>
public sealed record CatalogModel(CatalogEntry Entry, string? LocalPath, long? LocalSizeBytes);

/// <summary>Source-generated JSON for the catalog.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(CatalogDocument))]
internal sealed partial class CatalogJsonContext : JsonSerializerContext;

/// <summary>
/// The shipped and recommended models (<c>models/catalog.json</c>) and the folders where CodeAssist
/// looks for model files: the shipped <c>models/</c> folder, <c>$CODEASSIST_MODELS_DIR</c>, and the
/// user's data folder.
/// </summary>
public static class ModelCatalog
{
    /// <summary>The catalog file name inside the models folder.</summary>
    public const string FileName = "catalog.json";

    /// <summary>
    /// The environment variable naming another catalog file to list and download from instead of the shipped one
    /// (tests point its URLs at a local server). Which models are shipped is still read from the shipped catalog.
    /// </summary>
    public const string CatalogVariable = "CODEASSIST_CATALOG";

    /// <summary>The environment variable naming the folder searched first for model files, and where downloads go.</summary>
    public const string ModelsFolderVariable = "CODEASSIST_MODELS_DIR";

    /// <summary>The folder of downloaded models in the user's data folder.</summary>
    public static string UserModelsFolder
    {
        get
        {
            if (OperatingSystem.IsWindows())
            {
                return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "CodeAssist", "models");
            }

            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (OperatingSystem.IsMacOS())
            {
                return Path.Combine(home, "Library", "Application Support", "CodeAssist", "models");
            }

            var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
            return Path.Combine(string.IsNullOrWhiteSpace(xdg) ? Path.Combine(home, ".local", "share") : xdg, "codeassist", "models");
        }
    }

    /// <summary>The folders searched for model files, most specific first; only those that exist.</summary>
    public static IReadOnlyList<string> ModelFolders()
    {
        var folders = new List<string>();
        var configured = Environment.GetEnvironmentVariable(ModelsFolderVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            folders.Add(Path.GetFullPath(configured));
        }

        folders.Add(UserModelsFolder);
        if (ShippedFolder() is { } shipped)
        {
            folders.Add(shipped);
        }

        return folders.Where(Directory.Exists).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Where downloaded models go: <c>$CODEASSIST_MODELS_DIR</c> when set, else <see cref="UserModelsFolder"/> (created on the first download).</summary>
    public static string DownloadFolder()
    {
        var configured = Environment.GetEnvironmentVariable(ModelsFolderVariable);
        return string.IsNullOrWhiteSpace(configured) ? UserModelsFolder : Path.GetFullPath(configured);
    }

    /// <summary>The catalog to list and download from: <c>$CODEASSIST_CATALOG</c> when set, else the shipped one; null when neither exists.</summary>
    public static string? Locate()
    {
        var configured = Environment.GetEnvironmentVariable(CatalogVariable);
        return string.IsNullOrWhiteSpace(configured) ? DefaultModelLocator.FindShipped(FileName) : Path.GetFullPath(configured);
    }

    /// <summary>The shipped <c>models/</c> folder (the one holding the catalog), or null.</summary>
    public static string? ShippedFolder() =>
        DefaultModelLocator.FindShipped(FileName) is { } catalog ? Path.GetDirectoryName(catalog) : null;

    /// <summary>Reads the catalog; throws <see cref="InvalidDataException"/> with a clear message when it is broken.</summary>
    public static CatalogDocument Load(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, CatalogJsonContext.Default.CatalogDocument)
                ?? throw new InvalidDataException($"{path} is empty");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path} is not a valid catalog: {ex.Message}", ex);
        }
    }

    /// <summary>The catalog's entries with their local files, searched in <see cref="ModelFolders"/>.</summary>
    public static IReadOnlyList<CatalogModel> Resolve(CatalogDocument catalog, IReadOnlyList<string> folders) =>
        catalog.Models.Select(entry =>
        {
            var path = folders.Select(folder => Path.Combine(folder, entry.File)).FirstOrDefault(File.Exists);
            return new CatalogModel(entry, path, path is null ? null : new FileInfo(path).Length);
        }).ToList();

    /// <summary>GGUF files in the model folders that the catalog does not list.</summary>
    public static IReadOnlyList<string> UnlistedFiles(CatalogDocument catalog, IReadOnlyList<string> folders)
    {
        var listed = catalog.Models.Select(m => m.File).ToHashSet(StringComparer.Ordinal);
        return folders
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.gguf"))
            .Where(path => !listed.Contains(Path.GetFileName(path)))
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
