using System.Globalization;
using System.Text;

namespace CodeAssist.Server.Lsp.Framing;

/// <summary>What the bytes at the start of the input are.</summary>
public enum FrameHeaderKind
{
    /// <summary>Not enough bytes yet to tell.</summary>
    NeedMore,

    /// <summary>Bytes that are not a message (the tail of a body whose Content-Length was too short, noise): skip them.</summary>
    Garbage,

    /// <summary>A well-formed header whose body follows.</summary>
    Header,

    /// <summary>A delimited header that is wrong; when it still names a usable length, that many body bytes are skipped.</summary>
    BadHeader,
}

/// <summary>
/// The header block of one LSP frame (<c>Content-Length: N</c>, optional <c>Content-Type</c>, an empty line), read leniently
/// so that the session survives bad input: LF-only line ends are accepted, junk before a header is skipped up to the next
/// <c>Content-Length</c>, and a header that is delimited but wrong is skipped with its body when its length is usable.
/// </summary>
/// <param name="Kind">What the bytes are.</param>
/// <param name="Consumed">How many bytes this verdict covers (the junk, or the header with its empty line).</param>
/// <param name="ContentLength">The body's declared length, when the header names a usable one.</param>
/// <param name="Problem">Why the bytes are skipped, for the log; null for silent skips (blank lines between frames).</param>
public readonly record struct FrameHeader(FrameHeaderKind Kind, int Consumed, long? ContentLength, string? Problem)
{
    /// <summary>The header name every frame carries; also what resynchronising looks for.</summary>
    public const string ContentLengthName = "Content-Length";

    private const int MaxLengthDigits = 18;

    /// <summary>
    /// Reads the header at the start of <paramref name="window"/> (the first bytes of the input, at most
    /// <paramref name="maxHeaderBytes"/> + 4 of them).
    /// </summary>
    public static FrameHeader Parse(ReadOnlySpan<byte> window, int maxHeaderBytes)
    {
        // Headers are ASCII; Latin-1 keeps one character per byte, so string offsets are byte offsets.
        var text = Encoding.Latin1.GetString(window);
        var blank = LeadingWhitespace(text);
        if (blank > 0)
        {
            return new FrameHeader(FrameHeaderKind.Garbage, blank, null, null);
        }

        var marker = text.IndexOf(ContentLengthName, StringComparison.OrdinalIgnoreCase);
        var (end, terminator) = FindTerminator(text);
        var limit = end >= 0 ? end : text.Length;
        if (marker > 0 && marker < limit && !OnlyHeaderLinesBefore(text, marker))
        {
            return new FrameHeader(FrameHeaderKind.Garbage, marker, null, Describe(marker, "before a header"));
        }

        if (end < 0)
        {
            if (text.Length < maxHeaderBytes + 4)
            {
                return new FrameHeader(FrameHeaderKind.NeedMore, 0, null, null);
            }

            // No header ends within the limit: drop what cannot start one, keeping a tail that may hold a split name.
            var drop = marker > 0 ? marker : Math.Max(1, text.Length - ContentLengthName.Length);
            return new FrameHeader(FrameHeaderKind.Garbage, drop, null, Describe(drop, marker == 0 ? $"of a header longer than {maxHeaderBytes} bytes" : "that are not a message"));
        }

        var consumed = end + terminator;
        if (marker < 0 || marker > end)
        {
            return new FrameHeader(FrameHeaderKind.BadHeader, consumed, null, $"a header without {ContentLengthName}: '{Preview(text[..end])}'");
        }

        return ReadFields(text[..end], consumed);
    }

    private static FrameHeader ReadFields(string header, int consumed)
    {
        long? length = null;
        string? problem = null;
        foreach (var raw in header.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                problem ??= $"a header line without a colon: '{Preview(line)}'";
                continue;
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals(ContentLengthName, StringComparison.OrdinalIgnoreCase))
            {
                if (length is not null)
                {
                    problem ??= $"two {ContentLengthName} headers";
                }
                else if (value.Length is > 0 and <= MaxLengthDigits && value.All(char.IsAsciiDigit))
                {
                    length = long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture);
                }
                else
                {
                    problem ??= $"{ContentLengthName} '{Preview(value)}' is not a byte count";
                }
            }
            else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) && Charset(value) is { } charset
                && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
            {
                problem ??= $"charset '{Preview(charset)}' (only utf-8 is spoken)";
            }
        }

        if (problem is null && length == 0)
        {
            problem = $"{ContentLengthName} 0: an empty message";
        }

        return problem is null
            ? new FrameHeader(FrameHeaderKind.Header, consumed, length, null)
            : new FrameHeader(FrameHeaderKind.BadHeader, consumed, length, problem);
    }

    private static string? Charset(string contentType)
    {
        foreach (var part in contentType.Split(';'))
        {
            var pair = part.Trim();
            if (pair.StartsWith("charset=", StringComparison.OrdinalIgnoreCase))
            {
                return pair["charset=".Length..].Trim().Trim('"');
            }
        }

        return null;
    }

    private static (int End, int Terminator) FindTerminator(string text)
    {
        var crlf = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var lf = text.IndexOf("\n\n", StringComparison.Ordinal);
        var lfcr = text.IndexOf("\n\r\n", StringComparison.Ordinal);
        var best = (End: -1, Terminator: 0);
        foreach (var (end, length) in new[] { (crlf, 4), (lf, 2), (lfcr, 3) })
        {
            if (end >= 0 && (best.End < 0 || end < best.End))
            {
                best = (end, length);
            }
        }

        return best;
    }

    /// <summary>Whether the text before the Content-Length line is whole header lines (e.g. a Content-Type first).</summary>
    private static bool OnlyHeaderLinesBefore(string text, int marker)
    {
        if (text[marker - 1] != '\n')
        {
            return false;
        }

        foreach (var raw in text[..(marker - 1)].Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !line[..colon].All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static int LeadingWhitespace(string text)
    {
        var count = 0;
        while (count < text.Length && text[count] is '\r' or '\n' or ' ' or '\t')
        {
            count++;
        }

        return count;
    }

    private static string Describe(int bytes, string what) => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes {what}");

    private static string Preview(string text)
    {
        var printable = new string([.. text.Take(40).Select(c => char.IsControl(c) ? '?' : c)]);
        return text.Length > 40 ? printable + "…" : printable;
    }
}
