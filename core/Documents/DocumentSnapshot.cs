namespace CodeAssist.Server.Documents;

/// <summary>An immutable view of one version of a document, safe to read from any thread while edits continue.</summary>
/// <remarks>
/// It shares the version's chunks with the document, so taking one costs nothing. Reading a window around the
/// cursor (<see cref="GetTextBefore"/>, <see cref="GetTextAfter"/>) copies at most the window; only
/// <see cref="Text"/> makes the whole text, once per snapshot.
/// </remarks>
public sealed class DocumentSnapshot
{
    private readonly ChunkedText _content;
    private string? _text;

    internal DocumentSnapshot(string uri, string languageId, int version, ChunkedText content, LineIndex lines, string? text)
    {
        Uri = uri;
        LanguageId = languageId;
        Version = version;
        _content = content;
        Lines = lines;
        _text = text;
    }

    /// <summary>The document's URI.</summary>
    public string Uri { get; }

    /// <summary>The client's language identifier.</summary>
    public string LanguageId { get; }

    /// <summary>The version this snapshot shows.</summary>
    public int Version { get; }

    /// <summary>The whole text, made on first use; prefer the windows for large files.</summary>
    public string Text => _text ?? Interlocked.CompareExchange(ref _text, _content.ToString(), null) ?? _text!;

    /// <summary>The text's length in UTF-16 code units.</summary>
    public int Length => _content.Length;

    /// <summary>The line index of this text.</summary>
    public LineIndex Lines { get; }

    /// <summary>The number of lines.</summary>
    public int LineCount => Lines.LineCount;

    /// <summary>Converts a position to an offset; see <see cref="LineIndex.TryGetOffset"/>.</summary>
    public bool TryGetOffset(int line, int character, PositionEncoding encoding, out int offset) =>
        Lines.TryGetOffset(line, character, encoding, out offset);

    /// <summary>Converts a position to an offset; see <see cref="LineIndex.OffsetAt"/>.</summary>
    public int OffsetAt(int line, int character, PositionEncoding encoding = PositionEncoding.Utf16) =>
        Lines.OffsetAt(line, character, encoding);

    /// <summary>Converts an offset to a position; see <see cref="LineIndex.PositionAt"/>.</summary>
    public DocumentPosition PositionAt(int offset, PositionEncoding encoding = PositionEncoding.Utf16) =>
        Lines.PositionAt(offset, encoding);

    /// <summary>The text of <paramref name="line"/> without its line break.</summary>
    public string GetLineText(int line)
    {
        int start = Lines.GetLineStart(line);
        return _content.Slice(start, Lines.GetLineEnd(line) - start).ToString();
    }

    /// <summary>A range of the text; no copy when it lies within one chunk.</summary>
    public ReadOnlyMemory<char> Slice(int start, int length)
    {
        if (start < 0 || length < 0 || (long)start + length > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"Range {start}+{length} is outside 0..{Length}.");
        }

        return _content.Slice(start, length);
    }

    /// <summary>Up to <paramref name="maxChars"/> characters that end at <paramref name="offset"/>; never starts inside a surrogate pair or a CRLF.</summary>
    public ReadOnlyMemory<char> GetTextBefore(int offset, int maxChars)
    {
        CheckOffset(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(maxChars);
        int start = Math.Max(0, offset - maxChars);
        if (start > 0 && start < offset && IsInsidePair(start))
        {
            start++;
        }

        return _content.Slice(start, offset - start);
    }

    /// <summary>Up to <paramref name="maxChars"/> characters that start at <paramref name="offset"/>; never ends inside a surrogate pair or a CRLF.</summary>
    public ReadOnlyMemory<char> GetTextAfter(int offset, int maxChars)
    {
        CheckOffset(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(maxChars);
        int end = (int)Math.Min(Length, (long)offset + maxChars);
        if (end > offset && end < Length && IsInsidePair(end))
        {
            end--;
        }

        return _content.Slice(offset, end - offset);
    }

    private bool IsInsidePair(int index) =>
        (char.IsLowSurrogate(_content[index]) && char.IsHighSurrogate(_content[index - 1]))
        || (_content[index] == '\n' && _content[index - 1] == '\r');

    private void CheckOffset(int offset)
    {
        if ((uint)offset > (uint)Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"Offset must be within 0..{Length}.");
        }
    }
}
