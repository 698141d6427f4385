namespace CodeAssist.Server.Documents;

/// <summary>
/// An immutable text kept as a list of chunks of at most a few thousand characters, each with the line starts it
/// holds. An edit makes a new text that shares every chunk it did not touch: it rebuilds the touched chunks and the
/// per-chunk prefix sums, so typing in a 5,000-line file costs a few kilobytes, not the whole text, and a snapshot of
/// a version is just a reference to its text.
/// </summary>
/// <remarks>
/// Chunks never split a CRLF or a surrogate pair, so each chunk's line starts depend on its own characters only.
/// A line start is an offset p &gt; 0 after "\n", or after a "\r" not followed by "\n"; it belongs to the chunk that
/// holds the character at p - 1, and is stored relative to that chunk's start.
/// </remarks>
internal sealed class ChunkedText
{
    internal const int DefaultMaxChunk = 4096;

    private readonly string[] _chunks;
    private readonly int[][] _lineStarts;
    private readonly int[] _chunkStarts;
    private readonly int[] _linesBefore;
    private readonly int _maxChunk;

    private ChunkedText(string[] chunks, int[][] lineStarts, int maxChunk)
    {
        _chunks = chunks;
        _lineStarts = lineStarts;
        _maxChunk = maxChunk;
        _chunkStarts = new int[chunks.Length];
        _linesBefore = new int[chunks.Length];
        int offset = 0;
        int lines = 0;
        for (int i = 0; i < chunks.Length; i++)
        {
            _chunkStarts[i] = offset;
            _linesBefore[i] = lines;
            offset += chunks[i].Length;
            lines += lineStarts[i].Length;
        }

        Length = offset;
        LineCount = lines + 1;
    }

    public int Length { get; }

    public int LineCount { get; }

    internal int ChunkCount => _chunks.Length;

    private int MinChunk => _maxChunk / 4;

    public char this[int index]
    {
        get
        {
            int chunk = ChunkAt(index);
            return _chunks[chunk][index - _chunkStarts[chunk]];
        }
    }

    public static ChunkedText Create(string text, int maxChunk = DefaultMaxChunk)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChunk, 4);
        List<string> pieces = Split(text, maxChunk);
        return Build(null, 0, 0, pieces, maxChunk);
    }

    /// <summary>A new text with <paramref name="removedLength"/> characters at <paramref name="start"/> replaced by <paramref name="inserted"/>.</summary>
    public ChunkedText Replace(int start, int removedLength, ReadOnlySpan<char> inserted)
    {
        int end = start + removedLength;
        if (start < 0 || removedLength < 0 || end > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"Range {start}+{removedLength} is outside 0..{Length}.");
        }

        int first = ChunkAt(start);
        int last = removedLength == 0 ? first : ChunkAt(end - 1);
        string middle = string.Concat(
            _chunks[first].AsSpan(0, start - _chunkStarts[first]),
            inserted,
            _chunks[last].AsSpan(end - _chunkStarts[last]));

        // Take in a neighbour when the edited part got small, or when it would meet the neighbour inside a CRLF or a
        // surrogate pair. The junctions beyond a neighbour were valid before the edit, so one step per side suffices.
        char next = last + 1 < _chunks.Length ? _chunks[last + 1][0] : '\0';
        if (first > 0 && (middle.Length < MinChunk || !CanJoin(_chunks[first - 1], middle.Length > 0 ? middle[0] : next)))
        {
            first--;
            middle = _chunks[first] + middle;
        }

        if (last + 1 < _chunks.Length && (middle.Length < MinChunk || !CanJoin(middle, next)))
        {
            last++;
            middle += _chunks[last];
        }

        return Build(this, first, last + 1, Split(middle, _maxChunk), _maxChunk);
    }

    /// <summary>The offset where <paramref name="line"/> starts; the caller checks the line is in range.</summary>
    public int GetLineStart(int line)
    {
        if (line == 0)
        {
            return 0;
        }

        int chunk = UpperBound(_linesBefore, line - 1) - 1;
        return _chunkStarts[chunk] + _lineStarts[chunk][line - _linesBefore[chunk] - 1];
    }

    /// <summary>The line holding <paramref name="offset"/>, in 0..<see cref="Length"/>.</summary>
    public int GetLineOfOffset(int offset)
    {
        int chunk = ChunkAt(offset);
        return _linesBefore[chunk] + UpperBound(_lineStarts[chunk], offset - _chunkStarts[chunk]);
    }

    /// <summary>A range of the text: a slice of one chunk when it lies in one, else a copy.</summary>
    public ReadOnlyMemory<char> Slice(int start, int length)
    {
        if (length == 0)
        {
            return ReadOnlyMemory<char>.Empty;
        }

        int chunk = ChunkAt(start);
        int local = start - _chunkStarts[chunk];
        if (local + length <= _chunks[chunk].Length)
        {
            return _chunks[chunk].AsMemory(local, length);
        }

        return string.Create(length, (Text: this, Start: start), static (span, state) => state.Text.CopyTo(state.Start, span)).AsMemory();
    }

    public void CopyTo(int start, Span<char> destination)
    {
        int chunk = ChunkAt(start);
        int local = start - _chunkStarts[chunk];
        while (!destination.IsEmpty)
        {
            ReadOnlySpan<char> part = _chunks[chunk].AsSpan(local);
            if (part.Length > destination.Length)
            {
                part = part[..destination.Length];
            }

            part.CopyTo(destination);
            destination = destination[part.Length..];
            chunk++;
            local = 0;
        }
    }

    public override string ToString() => string.Concat(_chunks);

    private static ChunkedText Build(ChunkedText? source, int removeFrom, int removeTo, List<string> pieces, int maxChunk)
    {
        string[] oldChunks = source?._chunks ?? [];
        int[][] oldStarts = source?._lineStarts ?? [];
        int kept = oldChunks.Length - (removeTo - removeFrom);
        if (kept + pieces.Count == 0)
        {
            return new ChunkedText([string.Empty], [[]], maxChunk);
        }

        var chunks = new string[kept + pieces.Count];
        var starts = new int[chunks.Length][];
        Array.Copy(oldChunks, chunks, removeFrom);
        Array.Copy(oldStarts, starts, removeFrom);
        for (int i = 0; i < pieces.Count; i++)
        {
            chunks[removeFrom + i] = pieces[i];
            starts[removeFrom + i] = LineStarts(pieces[i]);
        }

        int after = oldChunks.Length - removeTo;
        Array.Copy(oldChunks, removeTo, chunks, removeFrom + pieces.Count, after);
        Array.Copy(oldStarts, removeTo, starts, removeFrom + pieces.Count, after);
        return new ChunkedText(chunks, starts, maxChunk);
    }

    private static int[] LineStarts(string chunk)
    {
        // A "\r" at the chunk's end is a line end of its own: chunks never split a CRLF.
        var starts = new List<int>();
        for (int p = 1; p <= chunk.Length; p++)
        {
            char previous = chunk[p - 1];
            if (previous == '\n' || (previous == '\r' && (p == chunk.Length || chunk[p] != '\n')))
            {
                starts.Add(p);
            }
        }

        return [.. starts];
    }

    /// <summary>Cuts a text into chunks of about half the maximum, never inside a CRLF or a surrogate pair.</summary>
    private static List<string> Split(string text, int maxChunk)
    {
        var pieces = new List<string>();
        if (text.Length <= maxChunk)
        {
            if (text.Length > 0)
            {
                pieces.Add(text);
            }

            return pieces;
        }

        int count = (text.Length + (maxChunk / 2) - 1) / (maxChunk / 2);
        int start = 0;
        for (int i = 1; i <= count && start < text.Length; i++)
        {
            int end = i == count ? text.Length : Math.Max(start + 1, (int)((long)text.Length * i / count));
            if (end < text.Length && !CanSplit(text, end))
            {
                end++;
            }

            pieces.Add(text[start..end]);
            start = end;
        }

        return pieces;
    }

    private static bool CanSplit(string text, int at) =>
        !((text[at - 1] == '\r' && text[at] == '\n') || (char.IsHighSurrogate(text[at - 1]) && char.IsLowSurrogate(text[at])));

    private static bool CanJoin(string left, char right) =>
        left.Length == 0 || !((left[^1] == '\r' && right == '\n') || (char.IsHighSurrogate(left[^1]) && char.IsLowSurrogate(right)));

    /// <summary>The chunk holding <paramref name="offset"/>; the last chunk for the end of the text.</summary>
    private int ChunkAt(int offset) => Math.Max(0, UpperBound(_chunkStarts, offset) - 1);

    /// <summary>The index of the first element greater than <paramref name="value"/> in a sorted array.</summary>
    private static int UpperBound(int[] values, int value)
    {
        int low = 0;
        int high = values.Length;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (values[middle] <= value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
