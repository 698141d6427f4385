namespace CodeAssist.Server.Documents;

/// <summary>A change that cannot be applied: an unknown document, or a range outside the text. The server and client texts have diverged.</summary>
public sealed class DocumentChangeException : Exception
{
    /// <summary>Creates the exception for the document at <paramref name="uri"/>.</summary>
    public DocumentChangeException(string uri, string message)
        : base(message)
    {
        Uri = uri;
    }

    /// <summary>The document the change was meant for.</summary>
    public string Uri { get; }
}
