using System.Buffers;

namespace CodeAssist.Server.Inference;

/// <summary>
/// Which tokens of a vocabulary spell identifiers, so that the copy model can match a name however the tokenizer cut it
/// at its start: a name after a dot (<c>order.total_</c>: <c>total</c>) and the same name after a space
/// (<c>def total_including…</c>: <c> total</c>) are different tokens, and without this a distant source's definition
/// never matches the first token of the name that calls it.
/// </summary>
public sealed class TokenWords
{
    private const byte Word = 1;       // the piece, a leading space aside, is identifier characters only
    private const byte SpaceLed = 2;   // the piece is a space then identifier characters
    private const byte EndsInWord = 4; // the piece's last byte is an identifier character

    private static readonly SearchValues<byte> WordBytes = SearchValues.Create(
        [.. "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"u8, .. Enumerable.Range(0x80, 0x80).Select(b => (byte)b)]);

    private readonly int[] _bare;
    private readonly byte[] _kind;

    private TokenWords(int[] bare, byte[] kind)
    {
        _bare = bare;
        _kind = kind;
    }

    /// <summary>Reads the vocabulary's pieces (each token's bytes in document text; empty for control tokens).</summary>
    public static TokenWords From(IReadOnlyList<byte[]> pieces)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        var bare = new int[pieces.Count];
        var kind = new byte[pieces.Count];
        var byText = new Dictionary<string, int>(pieces.Count, StringComparer.Ordinal);
        for (var t = 0; t < pieces.Count; t++)
        {
            bare[t] = t;
            var piece = pieces[t];
            if (piece.Length == 0)
            {
                continue;
            }

            byText.TryAdd(Convert.ToHexString(piece), t);
            if (IsWordByte(piece[^1]))
            {
                kind[t] |= EndsInWord;
            }

            var start = piece[0] == (byte)' ' ? 1 : 0;
            if (start < piece.Length && piece.AsSpan(start).IndexOfAnyExcept(WordBytes) < 0 && !IsDigit(piece[start]))
            {
                kind[t] |= (byte)(start == 1 ? Word | SpaceLed : Word);
            }
        }

        for (var t = 0; t < pieces.Count; t++)
        {
            if ((kind[t] & SpaceLed) != 0 && byText.TryGetValue(Convert.ToHexString(pieces[t].AsSpan(1)), out var alone))
            {
                bare[t] = alone;
            }
        }

        return new TokenWords(bare, kind);
    }

    /// <summary>Whether two tokens spell the same thing, a space in front of a name aside.</summary>
    public bool Same(int a, int b) => a == b || (a >= 0 && b >= 0 && a < _bare.Length && b < _bare.Length && _bare[a] == _bare[b]);

    /// <summary>Whether the token at <paramref name="at"/> starts a name: a name's piece after a space, or after a token that does not end in one.</summary>
    public bool StartsName(ReadOnlySpan<int> tokens, int at)
    {
        var token = tokens[at];
        if (!Has(token, Word))
        {
            return false;
        }

        return Has(token, SpaceLed) || at == 0 || !Has(tokens[at - 1], EndsInWord);
    }

    private bool Has(int token, byte flag) => token >= 0 && token < _kind.Length && (_kind[token] & flag) != 0;

    private static bool IsWordByte(byte b) => WordBytes.Contains(b);

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';
}
