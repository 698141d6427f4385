namespace CodeAssist.Server.Models;

/// <summary>
/// Where models are listed from and go to: the catalog file, the folders searched for model files, and the folder
/// downloads are written to. The server reads them from the environment (<see cref="FromEnvironment"/>); a test gives
/// its own.
/// </summary>
/// <param name="CatalogPath">The catalog (<see cref="ModelCatalog.Locate"/>); null when there is none.</param>
/// <param name="Folders">The folders searched for model files, most specific first (<see cref="ModelCatalog.ModelFolders"/>).</param>
/// <param name="DownloadFolder">Where <c>pull</c> writes (<see cref="ModelCatalog.DownloadFolder"/>).</param>
public sealed record ModelLocations(string? CatalogPath, Func<IReadOnlyList<string>> Folders, Func<string> DownloadFolder)
{
    /// <summary><c>$CODEASSIST_CATALOG</c> or the shipped catalog, <c>$CODEASSIST_MODELS_DIR</c> and the user's and shipped folders.</summary>
    public static ModelLocations FromEnvironment() => new(ModelCatalog.Locate(), ModelCatalog.ModelFolders, ModelCatalog.DownloadFolder);

    /// <summary>
    /// The catalog entry <paramref name="id"/> names, if it can be downloaded. Throws <see cref="UnknownModelException"/>
    /// for an id the catalog does not list or a model without a download address, <see cref="InvalidDataException"/>
    /// when the catalog is missing or broken.
    /// </summary>
    public CatalogEntry FindDownloadable(string id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new UnknownModelException("the model id is empty");
        }

        var path = CatalogPath ?? throw new InvalidDataException($"no {ModelCatalog.FileName} found (in a models/ folder beside or above the executable, or ${ModelCatalog.CatalogVariable})");
        var catalog = ModelCatalog.Load(path);
        var entry = catalog.Models.FirstOrDefault(model => model.Id == id)
            ?? throw new UnknownModelException($"'{id}' is not in the catalog ({path}); `codeassist models` lists its ids");
        if (entry.Url is null)
        {
            throw new UnknownModelException(entry.Shipped
                ? $"{id} is shipped with CodeAssist: there is nothing to download"
                : $"{id} has no download address in the catalog ({path})");
        }

        return entry;
    }
}
