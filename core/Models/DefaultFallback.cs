using System.Collections.Concurrent;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Gguf;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Models;

/// <summary>
/// CodeAssist's default fallback tier: the shipped model the catalog marks <c>defaultFallback</c>, as a local fallback
/// for users who set neither <c>model</c> nor <c>fallback.kind</c>, and only while it is larger than the local model in
/// use. So escalating to a larger local model works out of the box, and nobody gets a "larger" tier that is smaller
/// than their own model. <see cref="SettingsStore"/> applies it; everything downstream sees an ordinary local fallback.
/// </summary>
public sealed class DefaultFallback
{
    private readonly string? _catalogPath;
    private readonly ILogger<DefaultFallback> _logger;
    private readonly Lazy<string?> _model;
    private readonly ConcurrentDictionary<(string Path, long Size, DateTime Written), long?> _parameters = new();

    /// <summary>Reads the default fallback from the catalog at <paramref name="catalogPath"/> (null: none), on first use.</summary>
    public DefaultFallback(string? catalogPath, ILogger<DefaultFallback> logger)
    {
        _catalogPath = catalogPath;
        _logger = logger;
        _model = new Lazy<string?>(Find);
    }

    /// <summary>The default fallback of the shipped catalog (<c>models/catalog.json</c>).</summary>
    public static DefaultFallback Shipped(ILogger<DefaultFallback> logger) => new(DefaultModelLocator.FindShipped(ModelCatalog.FileName), logger);

    /// <summary>The GGUF the catalog marks as the default fallback, when the file is there; else null.</summary>
    public string? ModelPath => _model.Value;

    /// <summary>
    /// The fallback settings in which the user chose no fallback kind and no <c>model</c> get: the default fallback model
    /// as a <see cref="FallbackKind.Local"/> tier (the rest of <paramref name="configured"/> kept) when it has more
    /// parameters than <paramref name="localModel"/>, the GGUF the local tier uses; null otherwise.
    /// </summary>
    public FallbackOptions? For(FallbackOptions configured, string? localModel)
    {
        if (ModelPath is not { } path || localModel is null)
        {
            return null;
        }

        return Parameters(path) is { } fallback && Parameters(localModel) is { } local && fallback > local
            ? configured with { Kind = FallbackKind.Local, Model = path }
            : null;
    }

    /// <summary>The parameter count a GGUF's header declares (the elements of its tensors); null when it cannot be read.</summary>
    private long? Parameters(string path)
    {
        FileInfo file;
        try
        {
            file = new FileInfo(Path.GetFullPath(path));
            if (!file.Exists)
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return null;
        }

        return _parameters.GetOrAdd((file.FullName, file.Length, file.LastWriteTimeUtc), _ =>
        {
            try
            {
                return GgufReader.Read(file.FullName).Tensors.Sum(tensor => tensor.Dimensions.Aggregate(1L, (product, size) => product * size));
            }
            catch (ModelLoadException ex)
            {
                _logger.LogDebug("Could not count the parameters of {Path}: {Error}", file.FullName, ex.Message);
                return null;
            }
        });
    }

    private string? Find()
    {
        if (_catalogPath is null)
        {
            return null;
        }

        CatalogDocument catalog;
        try
        {
            catalog = ModelCatalog.Load(_catalogPath);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("No default fallback: the model catalog is not usable: {Error}", ex.Message);
            return null;
        }

        if (catalog.Models.FirstOrDefault(entry => entry.Shipped && entry.DefaultFallback) is not { } marked)
        {
            return null;
        }

        var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(_catalogPath) ?? ".", marked.File));
        if (!File.Exists(path))
        {
            _logger.LogWarning("No default fallback: {Id} is marked defaultFallback but {Path} is missing", marked.Id, path);
            return null;
        }

        return path;
    }
}
