namespace CodeAssist.Server.Documents;

/// <summary>
/// The line starts of one version of a text, and conversions between UTF-16 offsets and (line, character) positions.
/// </summary>
/// <remarks>
/// Lines end at "\n", "\r\n" or "\r", as in LSP. Positions are lenient where LSP says so and predictable elsewhere:
/// <list type="bullet">
/// <item>a character past the end of its line means the end of the line (before its line break);</item>
/// <item>a character that falls inside a surrogate pair (UTF-16) or inside a character's UTF-8 bytes snaps back to the start of that character, so an edit never splits one;</item>
/// <item>an offset between the "\r" and "\n" of a CRLF is reported as the end of its line, since no position can address it;</item>
/// <item>a line before the first or after the last is outside the text: <see cref="TryGetOffset"/> answers false and <see cref="OffsetAt"/> throws.</item>
/// </list>
/// The index is immutable. It reads the line starts its text keeps per chunk, so the index of an edited text costs
/// only the rescan of the chunks the edit touched, and nothing per later line (see <see cref="ChunkedText"/>).
/// </remarks>
public sealed class LineIndex
{
    private readonly ChunkedText _text;

    internal LineIndex(ChunkedText text)
    {
        _text = text;
    }

    /// <summary>Builds the index of a string.</summary>
    public static LineIndex Create(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new(ChunkedText.Create(text));
    }

    /// <summary>The number of lines; a text that ends with a line break has an empty last line, and an empty text has one line.</summary>
    public int LineCount => _text.LineCount;

    /// <summary>The length of the indexed text in UTF-16 code units.</summary>
    public int TextLength => _text.Length;

    /// <summary>The offset of the first character of <paramref name="line"/>.</summary>
    public int GetLineStart(int line)
    {
        CheckLine(line);
        return _text.GetLineStart(line);
    }

    /// <summary>The offset just after the last character of <paramref name="line"/>, before its line break.</summary>
    public int GetLineEnd(int line)
    {
        CheckLine(line);
        return LineEnd(line);
    }

    /// <summary>The line that contains <paramref name="offset"/> (an offset at a line's end belongs to that line).</summary>
    public int GetLineOfOffset(int offset)
    {
        CheckOffset(offset);
        return _text.GetLineOfOffset(offset);
    }

    /// <summary>Converts a position to an offset; false when the line or character is negative or the line is past the last line.</summary>
    public bool TryGetOffset(int line, int character, PositionEncoding encoding, out int offset)
    {
        if (line < 0 || line >= LineCount || character < 0)
        {
            offset = 0;
            return false;
        }

        int start = _text.GetLineStart(line);
        int end = LineEnd(line);
        offset = encoding switch
        {
            PositionEncoding.Utf16 => Utf16Offset(start, end, character),
            PositionEncoding.Utf8 => start + CountedLength(_text.Slice(start, end - start).Span, character, utf8: true),
            PositionEncoding.Utf32 => start + CountedLength(_text.Slice(start, end - start).Span, character, utf8: false),
            _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Unknown position encoding."),
        };
        return true;
    }

    /// <summary>Converts a position to an offset, clamping a character past the line's end; throws for a line outside the text.</summary>
    public int OffsetAt(int line, int character, PositionEncoding encoding)
    {
        if (!TryGetOffset(line, character, encoding, out int offset))
        {
            throw new ArgumentOutOfRangeException(nameof(line), $"Position {line}:{character} is outside the text, which has {LineCount} line(s).");
        }

        return offset;
    }

    /// <summary>Converts an offset in 0..<see cref="TextLength"/> to a position in <paramref name="encoding"/>.</summary>
    public DocumentPosition PositionAt(int offset, PositionEncoding encoding)
    {
        CheckOffset(offset);
        int line = _text.GetLineOfOffset(offset);
        int start = _text.GetLineStart(line);
        int end = LineEnd(line);
        offset = Math.Min(offset, end);
        if (IsInsidePair(start, end, offset))
        {
            offset--;
        }

        int character = encoding switch
        {
            PositionEncoding.Utf16 => offset - start,
            PositionEncoding.Utf8 => CountUnits(_text.Slice(start, offset - start).Span, utf8: true),
            PositionEncoding.Utf32 => CountUnits(_text.Slice(start, offset - start).Span, utf8: false),
            _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Unknown position encoding."),
        };
        return new DocumentPosition(line, character);
    }

    private int LineEnd(int line)
    {
        if (line + 1 >= LineCount)
        {
            return _text.Length;
        }

        int end = _text.GetLineStart(line + 1) - 1;
        if (_text[end] == '\n' && end > _text.GetLineStart(line) && _text[end - 1] == '\r')
        {
            end--;
        }

        return end;
    }

    private int Utf16Offset(int start, int end, int character)
    {
        int offset = character >= end - start ? end : start + character;
        return IsInsidePair(start, end, offset) ? offset - 1 : offset;
    }

    private bool IsInsidePair(int start, int end, int offset) =>
        offset > start && offset < end && char.IsLowSurrogate(_text[offset]) && char.IsHighSurrogate(_text[offset - 1]);

    /// <summary>How many UTF-16 units of <paramref name="line"/> fit in <paramref name="units"/> UTF-8 or UTF-32 units, never splitting a character.</summary>
    private static int CountedLength(ReadOnlySpan<char> line, int units, bool utf8)
    {
        int counted = 0;
        int length = 0;
        while (length < line.Length)
        {
            int width = CharWidth(line, length, out int unitsHere, utf8);
            if (counted + unitsHere > units)
            {
                break;
            }

            counted += unitsHere;
            length += width;
        }

        return length;
    }

    private static int CountUnits(ReadOnlySpan<char> text, bool utf8)
    {
        int units = 0;
        int position = 0;
        while (position < text.Length)
        {
            position += CharWidth(text, position, out int unitsHere, utf8);
            units += unitsHere;
        }

        return units;
    }

    /// <summary>The UTF-16 length of the character at <paramref name="index"/> and how many units it counts in UTF-8 or UTF-32.</summary>
    private static int CharWidth(ReadOnlySpan<char> text, int index, out int units, bool utf8)
    {
        char c = text[index];
        if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            units = utf8 ? 4 : 1;
            return 2;
        }

        // A lone surrogate would be sent as U+FFFD, three UTF-8 bytes.
        units = !utf8 ? 1 : c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        return 1;
    }

    private void CheckLine(int line)
    {
        if ((uint)line >= (uint)LineCount)
        {
            throw new ArgumentOutOfRangeException(nameof(line), line, $"Line must be within 0..{LineCount - 1}.");
        }
    }

    private void CheckOffset(int offset)
    {
        if ((uint)offset > (uint)_text.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"Offset must be within 0..{_text.Length}.");
        }
    }
}
