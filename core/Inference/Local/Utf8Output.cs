using System.Runtime.InteropServices;
using System.Text;

namespace CodeAssist.Server.Inference.Local;

/// <summary>The bytes generated so far, as text: a token may end in the middle of a multi-byte character, whose bytes are held back.</summary>
internal static class Utf8Output
{
    /// <summary>The text of <paramref name="output"/> after its first <paramref name="skip"/> bytes, without an incomplete last character.</summary>
    public static string DecodeAfter(List<byte> output, int skip)
    {
        if (output.Count <= skip)
        {
            return string.Empty;
        }

        var span = CollectionsMarshal.AsSpan(output)[skip..];
        return Encoding.UTF8.GetString(TrimIncomplete(span));
    }

    private static ReadOnlySpan<byte> TrimIncomplete(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.Length;
        for (var back = 1; back <= Math.Min(3, bytes.Length); back++)
        {
            var b = bytes[^back];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }

            var need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            if (need > back)
            {
                end = bytes.Length - back;
            }

            break;
        }

        return bytes[..end];
    }
}
