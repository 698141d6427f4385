using CodeAssist.Server.Completion;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Protocol;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Models;

/// <summary>
/// Switches a tier to another model for this session (<c>codeAssist.selectModel</c>): loads it first, then switches
/// at once and records the selection over the settings; the previous model keeps answering while the new one loads,
/// and stays in use when it fails to load. Cached completions are dropped, since they came from the previous model.
/// In restricted mode only the shipped models may be selected (<see cref="WorkspaceTrust"/>).
/// </summary>
public sealed class ModelSelector(
    ModelInventory inventory,
    ModelManager models,
    FallbackModelProvider fallback,
    SettingsStore settings,
    CompletionCache cache,
    WorkspaceTrust trust,
    ILogger<ModelSelector> logger)
{
    /// <summary>
    /// The model <paramref name="id"/> names for <paramref name="tier"/>; <see cref="UnknownModelException"/> when none,
    /// <see cref="WorkspaceNotTrustedException"/> when restricted mode does not serve it.
    /// </summary>
    public AvailableModel Resolve(string tier, string id)
    {
        var model = inventory.Find(tier, id);
        trust.CheckSelectable(model);
        return model;
    }

    /// <summary>
    /// Loads <paramref name="model"/> and makes it its tier's model. Throws <see cref="ModelLoadException"/> when it
    /// cannot be loaded (the previous model stays), <see cref="WorkspaceNotTrustedException"/> when restricted mode does
    /// not serve it (nothing is loaded). Returns the model as now listed (active).
    /// </summary>
    public async Task<AvailableModel> SelectAsync(AvailableModel model, CancellationToken cancellationToken)
    {
        trust.CheckSelectable(model);
        logger.LogInformation("Selecting {Label} for the {Tier} tier", model.Label, model.Tier);
        if (model.Tier == ModelTiers.Local)
        {
            var path = model.Path ?? throw new UnknownModelException($"{model.Id} is not a model file");
            await models.SwitchAsync(path, () => settings.SelectLocalModel(path), cancellationToken).ConfigureAwait(false);
        }
        else if (model.IsRemote)
        {
            var configured = settings.Configured.Fallback;
            var name = model.Id[ModelInventory.RemotePrefix.Length..];
            if (!configured.IsRemote || name == (string.IsNullOrWhiteSpace(configured.Model) ? FallbackOptions.KindName(configured.Kind) : configured.Model))
            {
                // The configured model: selecting it undoes a session selection.
                await fallback.SwitchAsync(settings.Current with { Fallback = configured }, () => settings.SelectFallback(null), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // Another model of the same server; where we render the FIM prompt, in the format its name says.
                var template = configured.FimMode == Inference.Remote.RemoteFimMode.Client ? ModelNames.FimFamilyOf(name) ?? configured.Template : configured.Template;
                var chosen = configured with { Model = name, Template = template };
                await fallback.SwitchAsync(settings.Current with { Fallback = chosen }, () => settings.SelectFallback(chosen), cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            var path = model.Path ?? throw new UnknownModelException($"{model.Id} is not a model file");
            var chosen = settings.Configured.Fallback with { Kind = FallbackKind.Local, Model = path };
            await fallback.SwitchAsync(settings.Current with { Fallback = chosen }, () => settings.SelectFallback(chosen), cancellationToken).ConfigureAwait(false);
        }

        cache.Clear();
        var listed = inventory.List(model.Tier);
        return listed.FirstOrDefault(entry => entry.Active && (entry.Id == model.Id || (entry.Path is not null && entry.Path == model.Path)))
            ?? model with { Active = true };
    }
}
