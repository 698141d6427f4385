namespace CodeAssist.Server.Inference.Local;

/// <summary>
/// The generation side of token healing (the prompt side is <see cref="Prompting.FimPrompt"/>): while the text cut off
/// the prompt is not yet produced again, only tokens that agree with it may be chosen.
/// </summary>
internal static class TokenHealing
{
    /// <summary>
    /// The best token that agrees with the healed text: its bytes are a prefix of what remains to be produced, or it
    /// produces all of it and goes on; never <paramref name="except"/> (the next best, for a candidate that branches off).
    /// With <paramref name="canonical"/>, a token that produces only part of what remains must be that one (see
    /// <see cref="TokensAt"/>). -1 when none does.
    /// </summary>
    public static int ArgMaxMatching(ReadOnlySpan<float> logits, ReadOnlySpan<byte> remaining, ModelVocabulary vocabulary, int except = -1, int? canonical = null)
    {
        var best = -1;
        var bestValue = float.NegativeInfinity;
        for (var i = 0; i < vocabulary.Size; i++)
        {
            var piece = vocabulary.Piece(i);
            if (piece.Length == 0 || logits[i] <= bestValue || i == except)
            {
                continue;
            }

            if (Agrees(piece, remaining, i, canonical))
            {
                bestValue = logits[i];
                best = i;
            }
        }

        return best;
    }

    /// <summary>
    /// Its bytes are a prefix of what remains of the healed text, or it produces all of that and goes on (without
    /// indenting deeper). With <paramref name="canonical"/>, a <paramref name="token"/> that produces only part of what
    /// remains must be the canonical one.
    /// </summary>
    public static bool Agrees(byte[] piece, ReadOnlySpan<byte> remaining, int token = -1, int? canonical = null)
    {
        var n = Math.Min(piece.Length, remaining.Length);
        return piece.AsSpan(0, n).SequenceEqual(remaining[..n]) && !AddsWhitespace(piece, remaining)
            && (canonical is not { } only || piece.Length >= remaining.Length || token == only);
    }

    /// <summary>
    /// For a healed text that holds a word (<c>total_</c>, <c> tot</c>), the token the tokenizer itself puts at each byte
    /// where one of its tokens starts (-1 elsewhere); null for whitespace, or where the tokens do not spell the text.
    /// </summary>
    /// <remarks>
    /// Healing produces the text again token by token, and the model was trained on the tokenizer's own cuts only: the
    /// most likely token that is a prefix of <c>total_</c> can be <c>to</c>, after which <c>ta</c>, <c>l</c> are cuts it
    /// has never seen, and what it writes after them is noise. So a token that produces only part of the healed text must
    /// be the tokenizer's; one that produces all of it and goes on (the point of healing: <c>tot</c> → <c>total</c>) may
    /// be any.
    /// </remarks>
    public static int[]? TokensAt(byte[] healed, IReadOnlyList<int> tokens, Func<int, byte[]> pieceOf)
    {
        ArgumentNullException.ThrowIfNull(healed);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(pieceOf);
        if (!healed.Any(b => b == '_' || char.IsAsciiLetterOrDigit((char)b) || b >= 0x80))
        {
            return null;
        }

        var at = new int[healed.Length];
        Array.Fill(at, -1);
        var offset = 0;
        foreach (var token in tokens)
        {
            var piece = pieceOf(token);
            if (piece.Length == 0 || offset + piece.Length > healed.Length || !healed.AsSpan(offset, piece.Length).SequenceEqual(piece))
            {
                return null;
            }

            at[offset] = token;
            offset += piece.Length;
        }

        return offset == healed.Length ? at : null;
    }

    // A token that covers the healed indentation and goes on with more whitespace would indent deeper
    // than where the user put the cursor.
    private static bool AddsWhitespace(byte[] piece, ReadOnlySpan<byte> remaining) =>
        piece.Length > remaining.Length && remaining.Length > 0 && IsSpace(remaining[^1]) && IsSpace(piece[remaining.Length]);

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r';
}
