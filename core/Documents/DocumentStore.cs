using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace CodeAssist.Server.Documents;

/// <summary>The open documents, updated by the text sync notifications and read by completion requests from any thread.</summary>
/// <remarks>
/// Each document has its own lock: a change holds it while it edits, and <see cref="TryGet"/> holds it only to take
/// the document's snapshot, an immutable view that shares the text's chunks. A reader therefore always sees one
/// whole version of a notification, never half of one, and neither an edit nor a snapshot copies the whole text.
/// </remarks>
public sealed class DocumentStore
{
    private readonly ConcurrentDictionary<string, Entry> _documents = new(StringComparer.Ordinal);

    /// <summary>The number of open documents.</summary>
    public int Count => _documents.Count;

    /// <summary>Opens a document, or replaces it if the client opens it again.</summary>
    public void Open(string uri, string languageId, int version, string text)
    {
        ArgumentNullException.ThrowIfNull(uri);
        _documents[uri] = new Entry(new TextDocument(uri, languageId, version, text));
    }

    /// <summary>Applies a didChange notification's changes in order and records <paramref name="version"/>.</summary>
    /// <remarks>
    /// The client is trusted: a version lower than the stored one is applied all the same. Each change is checked
    /// before it is made, so a failing change leaves the text as the earlier changes of the same call made it, and
    /// the version unchanged.
    /// </remarks>
    /// <exception cref="DocumentChangeException">The document is not open, or a change's range is outside its text.</exception>
    public void Change(string uri, int version, IReadOnlyList<DocumentChange> changes, PositionEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(changes);
        if (!_documents.TryGetValue(uri, out Entry? entry))
        {
            throw new DocumentChangeException(uri, $"Cannot change {uri} (version {version}): the document is not open.");
        }

        lock (entry.Gate)
        {
            TextDocument document = entry.Document;
            foreach (DocumentChange change in changes)
            {
                if (change.Range is { } range)
                {
                    document.ApplyChange(range.StartLine, range.StartCharacter, range.EndLine, range.EndCharacter, change.Text, encoding);
                }
                else
                {
                    document.ReplaceAll(change.Text);
                }
            }

            document.Version = version;
        }
    }

    /// <summary>Closes a document; false if it was not open.</summary>
    public bool Close(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return _documents.TryRemove(uri, out _);
    }

    /// <summary>An immutable snapshot of the document's current version, if it is open.</summary>
    public bool TryGet(string uri, [NotNullWhen(true)] out DocumentSnapshot? snapshot)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (!_documents.TryGetValue(uri, out Entry? entry))
        {
            snapshot = null;
            return false;
        }

        lock (entry.Gate)
        {
            snapshot = entry.Document.GetSnapshot();
        }

        return true;
    }

    private sealed class Entry(TextDocument document)
    {
        public Lock Gate { get; } = new();

        public TextDocument Document { get; } = document;
    }
}
