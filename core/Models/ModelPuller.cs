using CodeAssist.Server.Configuration;
using CodeAssist.Server.Protocol;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Models;

/// <summary>
/// <c>codeAssist.pullModel</c>: downloads a catalog model into the download folder (<see cref="ModelDownloader"/>), then
/// makes it the local tier's model through <see cref="ModelSelector"/>, as a selection would. In restricted mode nothing
/// is downloaded: only the shipped models may be used there.
/// </summary>
public sealed class ModelPuller(ModelLocations locations, ModelDownloader downloader, ModelSelector selector, WorkspaceTrust trust, ILogger<ModelPuller> logger)
{
    /// <summary>
    /// The catalog entry to download; <see cref="UnknownModelException"/> for an id that cannot be downloaded,
    /// <see cref="WorkspaceNotTrustedException"/> in restricted mode, <see cref="InvalidDataException"/> for a broken catalog.
    /// </summary>
    public CatalogEntry Resolve(string id)
    {
        var entry = locations.FindDownloadable(id);
        var target = Path.Combine(locations.DownloadFolder(), entry.File);
        trust.CheckSelectable(new AvailableModel(entry.Id, entry.Id, ModelTiers.Local, target, null, entry.SizeBytes, entry.Family, true, false));
        return entry;
    }

    /// <summary>
    /// Downloads <paramref name="entry"/> (nothing when it is there and verified), then selects it for the local tier; returns
    /// the selected model (active). Throws what <see cref="ModelDownloader.DownloadAsync"/> and <see cref="ModelSelector.SelectAsync"/>
    /// throw. The selection runs to its end once the file is verified, even if <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task<AvailableModel> PullAsync(CatalogEntry entry, Func<DownloadProgress, Task>? progress, CancellationToken cancellationToken)
    {
        var folder = locations.DownloadFolder();
        logger.LogInformation("Pulling {Model} into {Folder}", entry.Id, folder);
        var downloaded = await downloader.DownloadAsync(entry, folder, progress, cancellationToken).ConfigureAwait(false);
        var model = selector.Resolve(ModelTiers.Local, downloaded.Path);
        return await selector.SelectAsync(model, CancellationToken.None).ConfigureAwait(false);
    }
}
