using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace CodeAssist.Server.Documents;

/// <summary>The open documents, updated by the text sync notifications and read by completion requests from any thread.</summary>
/// <remarks>
/// Each document has its own lock: a change holds it while it edits, and <see cref="TryGet(string, out DocumentSnapshot?)"/>
/// holds it only to take the document's snapshot, an immutable view that shares the text's chunks. A reader therefore
/// always sees one whole version of a notification, never half of one, and neither an edit nor a snapshot copies the
/// whole text.
/// <para>
/// A change that cannot be applied (a range outside the text, a version that does not increase, a document never
/// opened) marks the document out of sync (<see cref="DocumentSyncLoss"/>): from then on the text may differ from
/// the editor's in ways no later change reveals, so readers get no snapshot until a didOpen or a change that sends the
/// whole text brings it back.
/// </para>
/// </remarks>
public sealed class DocumentStore
{
    /// <summary>The longest text kept by default, in UTF-16 code units (VS Code itself stops syncing files near 50 MB).</summary>
    public const int DefaultMaxChars = 16 * 1024 * 1024;

    private readonly ConcurrentDictionary<string, Entry> _documents = new(StringComparer.Ordinal);

    /// <summary>Creates the store; a document longer than <paramref name="maxChars"/> is not kept (it is out of sync until reopened smaller).</summary>
    public DocumentStore(int maxChars = DefaultMaxChars)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxChars);
        MaxChars = maxChars;
    }

    /// <summary>The longest text a document may have, in UTF-16 code units.</summary>
    public int MaxChars { get; }

    /// <summary>The number of open documents (those out of sync included, changes to never-opened ones not).</summary>
    public int Count => _documents.Values.Count(entry => entry.Document is not null);

    /// <summary>The uris of the documents the client has open (those out of sync included).</summary>
    public IReadOnlyList<string> OpenUris => [.. _documents.Where(p => p.Value.Document is not null || p.Value.Loss is not null).Select(p => p.Key)];

    /// <summary>Opens a document, or replaces it if the client opens it again; either way it is in sync.</summary>
    /// <exception cref="DocumentChangeException">The text is longer than <see cref="MaxChars"/>: the document is not kept, and it is out of sync until it is opened again within the limit.</exception>
    public void Open(string uri, string languageId, int version, string text)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxChars)
        {
            var refused = new Entry(null);
            _documents[uri] = refused;
            throw Lose(refused, new DocumentChangeException(uri, TooLong(text.Length)) { Version = version });
        }

        _documents[uri] = new Entry(new TextDocument(uri, languageId, version, text));
    }

    /// <summary>Applies a didChange notification's changes in order and records <paramref name="version"/>.</summary>
    /// <remarks>
    /// A notification with only incremental changes needs a version greater than the stored one and ranges inside the
    /// text; one that breaks either marks the document out of sync, as does any change to a document never opened.
    /// Once out of sync, incremental changes are skipped (they would edit a text the editor does not have). A change
    /// without a range sends the whole text, so the changes from the last such change on are applied whatever the
    /// versions, and a document out of sync is back in sync.
    /// </remarks>
    /// <exception cref="DocumentChangeException">This notification put the document out of sync (it is thrown once, not for the notifications skipped after it).</exception>
    public DocumentChangeOutcome Change(string uri, int version, IReadOnlyList<DocumentChange> changes, PositionEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(changes);
        var wholeText = LastWholeText(changes);
        var entry = _documents.GetOrAdd(uri, static _ => new Entry(null));
        lock (entry.Gate)
        {
            var document = entry.Document;
            if (document is null)
            {
                // No language and no text to start from: only didOpen can make this a document.
                return entry.Loss is null
                    ? throw Lose(entry, new DocumentChangeException(uri, "the document is not open") { Version = version })
                    : DocumentChangeOutcome.Skipped;
            }

            if (wholeText < 0)
            {
                if (entry.Loss is not null)
                {
                    return DocumentChangeOutcome.Skipped;
                }

                if (version <= document.Version)
                {
                    throw Lose(entry, new DocumentChangeException(uri, $"version {version} is not greater than the current version {document.Version}")
                    {
                        Version = version,
                        CurrentVersion = document.Version,
                    });
                }
            }

            var current = document.Version;
            try
            {
                for (var i = Math.Max(wholeText, 0); i < changes.Count; i++)
                {
                    var change = changes[i];
                    if (change.Range is { } range)
                    {
                        document.ApplyChange(range.StartLine, range.StartCharacter, range.EndLine, range.EndCharacter, change.Text, encoding);
                    }
                    else
                    {
                        document.ReplaceAll(change.Text);
                    }
                }
            }
            catch (DocumentChangeException ex)
            {
                // The changes before the failing one are applied: the text is neither the old version nor the new one.
                throw Lose(entry, new DocumentChangeException(uri, ex.Message, ex) { Version = version, CurrentVersion = current });
            }

            if (document.Length > MaxChars)
            {
                // Not kept: the text is released, and only a didOpen within the limit brings the document back.
                entry.Document = null;
                throw Lose(entry, new DocumentChangeException(uri, TooLong(document.Length)) { Version = version, CurrentVersion = current });
            }

            document.Version = version;
            var resynced = entry.Loss is not null;
            entry.Loss = null;
            return resynced ? DocumentChangeOutcome.Resynced : DocumentChangeOutcome.Applied;
        }
    }

    /// <summary>Closes a document; false if it was not open.</summary>
    public bool Close(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return _documents.TryRemove(uri, out var entry) && entry.Document is not null;
    }

    /// <summary>An immutable snapshot of the document's current version, if it is open and in sync.</summary>
    public bool TryGet(string uri, [NotNullWhen(true)] out DocumentSnapshot? snapshot) => TryGet(uri, out snapshot, out _);

    /// <summary>
    /// An immutable snapshot of the document's current version, if it is open and in sync; when it is out of sync,
    /// <paramref name="outOfSync"/> says why (and there is no snapshot).
    /// </summary>
    public bool TryGet(string uri, [NotNullWhen(true)] out DocumentSnapshot? snapshot, out DocumentSyncLoss? outOfSync)
    {
        ArgumentNullException.ThrowIfNull(uri);
        snapshot = null;
        outOfSync = null;
        if (!_documents.TryGetValue(uri, out Entry? entry))
        {
            return false;
        }

        lock (entry.Gate)
        {
            outOfSync = entry.Loss;
            if (outOfSync is null && entry.Document is { } document)
            {
                snapshot = document.GetSnapshot();
            }
        }

        return snapshot is not null;
    }

    private string TooLong(int length) => string.Create(
        System.Globalization.CultureInfo.InvariantCulture, $"the document is {length} characters long, over the limit of {MaxChars}");

    private static int LastWholeText(IReadOnlyList<DocumentChange> changes)
    {
        for (var i = changes.Count - 1; i >= 0; i--)
        {
            if (changes[i].Range is null)
            {
                return i;
            }
        }

        return -1;
    }

    private static DocumentChangeException Lose(Entry entry, DocumentChangeException error)
    {
        entry.Loss = new DocumentSyncLoss(error.Uri, error.Message);
        return error;
    }

    private sealed class Entry(TextDocument? document)
    {
        public Lock Gate { get; } = new();

        /// <summary>The document; null for a URI that was changed without ever being opened.</summary>
        public TextDocument? Document { get; set; } = document;

        /// <summary>Why the document is out of sync; null while it is in sync. Read and written under <see cref="Gate"/>.</summary>
        public DocumentSyncLoss? Loss { get; set; }
    }
}
