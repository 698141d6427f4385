namespace CodeAssist.Server.Documents;

/// <summary>
/// A change that cannot be applied: an unknown document, a range outside the text, or a version that does not
/// increase. The server and client texts have diverged; the store has marked the document out of sync.
/// </summary>
public sealed class DocumentChangeException : Exception
{
    /// <summary>Creates the exception for the document at <paramref name="uri"/>; <paramref name="message"/> is the reason.</summary>
    public DocumentChangeException(string uri, string message, Exception? inner = null)
        : base(message, inner)
    {
        Uri = uri;
    }

    /// <summary>The document the change was meant for.</summary>
    public string Uri { get; }

    /// <summary>The version the rejected notification carried, when the store knows it.</summary>
    public int? Version { get; init; }

    /// <summary>The version the store held before the notification; null for a document that was never opened.</summary>
    public int? CurrentVersion { get; init; }
}
