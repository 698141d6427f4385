namespace CodeAssist.Server.Documents;

/// <summary>What <see cref="DocumentStore.Change"/> did with a notification it could use or safely pass over.</summary>
public enum DocumentChangeOutcome
{
    /// <summary>The changes were applied and the version recorded.</summary>
    Applied,

    /// <summary>The document was out of sync and a change that sent its whole text brought it back.</summary>
    Resynced,

    /// <summary>The document is out of sync and the notification had no whole text to recover from: nothing was applied.</summary>
    Skipped,
}
