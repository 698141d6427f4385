using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Models;

/// <summary>
/// The model files CodeAssist ships: the catalog entries marked <c>shipped</c>, at their place beside the catalog (the
/// <c>models/</c> folder of the repository or of the published server, so of the VSIX). A file counts by where it is,
/// never by its name: a workspace's own <c>models/codeassist-py-tiny.gguf</c> is not shipped. Restricted mode
/// (<see cref="Configuration.WorkspaceTrust"/>) serves these alone.
/// </summary>
public sealed class ShippedModels
{
    private readonly string? _catalogPath;
    private readonly ILogger<ShippedModels> _logger;
    private readonly Lazy<IReadOnlyList<string>> _paths;
    private readonly Dictionary<string, string> _hashes = new(StringComparer.Ordinal);

    /// <summary>Reads the shipped models from the catalog at <paramref name="catalogPath"/> (null: none), on first use.</summary>
    public ShippedModels(string? catalogPath, ILogger<ShippedModels> logger)
    {
        _catalogPath = catalogPath;
        _logger = logger;
        _paths = new Lazy<IReadOnlyList<string>>(Find);
    }

    /// <summary>The shipped models of the shipped catalog (<c>models/catalog.json</c>).</summary>
    public static ShippedModels Shipped(ILogger<ShippedModels> logger) => new(DefaultModelLocator.FindShipped(ModelCatalog.FileName), logger);

    /// <summary>The full paths of the shipped model files that are there.</summary>
    public IReadOnlyList<string> Paths => _paths.Value;

    /// <summary>True when <paramref name="path"/> (resolved to a full path) is one of <see cref="Paths"/>.</summary>
    public bool Contains(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return false;
        }

        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return false;
        }

        // Case-insensitive where the file system usually is, as ModelInventory compares paths.
        var comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        return Paths.Any(shipped => string.Equals(shipped, full, comparison));
    }

    /// <summary>The catalog's SHA-256 (hex) of the shipped file at <paramref name="path"/>; null when it is not shipped or has none.</summary>
    public string? Sha256Of(string path)
    {
        _ = Paths;
        return Contains(path) && _hashes.TryGetValue(Path.GetFullPath(path), out var hash) ? hash : null;
    }

    private IReadOnlyList<string> Find()
    {
        if (_catalogPath is null)
        {
            _logger.LogWarning("No model catalog was found: no model counts as shipped");
            return [];
        }

        CatalogDocument catalog;
        try
        {
            catalog = ModelCatalog.Load(_catalogPath);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("The model catalog is not usable, no model counts as shipped: {Error}", ex.Message);
            return [];
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(_catalogPath)) ?? ".";
        var paths = new List<string>();
        foreach (var entry in catalog.Models.Where(entry => entry.Shipped))
        {
            var path = Path.GetFullPath(Path.Combine(folder, entry.File));
            if (File.Exists(path))
            {
                paths.Add(path);
                if (!string.IsNullOrEmpty(entry.Sha256))
                {
                    _hashes[path] = entry.Sha256;
                }
            }
        }

        return paths;
    }
}
