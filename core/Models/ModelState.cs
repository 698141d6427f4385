namespace CodeAssist.Server.Models;

/// <summary>The state of a tier's model, as the status bar shows it.</summary>
public enum ModelState
{
    /// <summary>Nothing loaded yet.</summary>
    NotLoaded,

    /// <summary>Loading.</summary>
    Loading,

    /// <summary>Loaded and answering.</summary>
    Ready,

    /// <summary>The last load failed; <see cref="ModelLifecycle{TKey, TModel}.LastError"/> says why.</summary>
    Error,
}
