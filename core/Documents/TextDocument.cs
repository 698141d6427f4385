namespace CodeAssist.Server.Documents;

/// <summary>An open document's text and line index, kept current by incremental edits. Not thread-safe: <see cref="DocumentStore"/> serializes access.</summary>
/// <remarks>
/// Each version's text is an immutable <see cref="ChunkedText"/>: an edit copies only the few-kilobyte chunks it
/// touches and shares the rest with the previous version. That makes a snapshot free (it keeps a reference), where
/// a gap buffer or StringBuilder would be as cheap to edit but would need a copy of the whole text for every
/// snapshot. The price is a binary search over the chunks for random character access, and a whole-text string
/// only on demand (<see cref="Text"/>).
/// </remarks>
public sealed class TextDocument
{
    private readonly int _maxChunk;
    private ChunkedText _content;
    private string? _text;
    private DocumentSnapshot? _snapshot;
    private int _version;

    /// <summary>Creates a document as opened by the client.</summary>
    public TextDocument(string uri, string languageId, int version, string text)
        : this(uri, languageId, version, text, ChunkedText.DefaultMaxChunk)
    {
    }

    /// <summary>Creates a document whose chunks hold at most <paramref name="maxChunk"/> characters (small values let tests cross chunk boundaries).</summary>
    internal TextDocument(string uri, string languageId, int version, string text, int maxChunk)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(languageId);
        ArgumentNullException.ThrowIfNull(text);
        Uri = uri;
        LanguageId = languageId;
        _version = version;
        _maxChunk = maxChunk;
        _content = ChunkedText.Create(text, maxChunk);
        _text = text;
        LineIndex = new LineIndex(_content);
    }

    /// <summary>The document's URI, as the client sent it.</summary>
    public string Uri { get; }

    /// <summary>The client's language identifier, such as "python".</summary>
    public string LanguageId { get; }

    /// <summary>The version of the last change the client sent.</summary>
    public int Version
    {
        get => _version;
        set
        {
            if (value != _version)
            {
                _version = value;
                _snapshot = null;
            }
        }
    }

    /// <summary>The text's length in UTF-16 code units.</summary>
    public int Length => _content.Length;

    /// <summary>The whole text; made on the first read after an edit.</summary>
    public string Text => _text ??= _content.ToString();

    /// <summary>The line index of the current text (immutable: an edit makes a new one).</summary>
    public LineIndex LineIndex { get; private set; }

    /// <summary>Replaces the text between two positions, given in <paramref name="encoding"/>, with <paramref name="newText"/>.</summary>
    /// <exception cref="DocumentChangeException">A position is outside the text, or the range ends before it starts.</exception>
    public void ApplyChange(int startLine, int startCharacter, int endLine, int endCharacter, string newText, PositionEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(newText);
        if (!LineIndex.TryGetOffset(startLine, startCharacter, encoding, out int start)
            || !LineIndex.TryGetOffset(endLine, endCharacter, encoding, out int end))
        {
            throw new DocumentChangeException(
                Uri,
                $"Change range {startLine}:{startCharacter}-{endLine}:{endCharacter} is outside {Uri} (version {Version}), which has {LineIndex.LineCount} line(s).");
        }

        if (end < start)
        {
            throw new DocumentChangeException(
                Uri,
                $"Change range {startLine}:{startCharacter}-{endLine}:{endCharacter} of {Uri} (version {Version}) ends before it starts.");
        }

        if (end == start && newText.Length == 0)
        {
            return;
        }

        _content = _content.Replace(start, end - start, newText);
        LineIndex = new LineIndex(_content);
        _text = null;
        _snapshot = null;
    }

    /// <summary>Replaces the whole text.</summary>
    public void ReplaceAll(string newText)
    {
        ArgumentNullException.ThrowIfNull(newText);
        _content = ChunkedText.Create(newText, _maxChunk);
        LineIndex = new LineIndex(_content);
        _text = newText;
        _snapshot = null;
    }

    /// <summary>A copy of <paramref name="length"/> characters from <paramref name="start"/>, without making the whole text.</summary>
    public string GetText(int start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + length, Length, nameof(length));
        return _content.Slice(start, length).ToString();
    }

    /// <summary>An immutable view of the current version, made without copying the text.</summary>
    public DocumentSnapshot GetSnapshot() =>
        _snapshot ??= new DocumentSnapshot(Uri, LanguageId, _version, _content, LineIndex, _text);
}
