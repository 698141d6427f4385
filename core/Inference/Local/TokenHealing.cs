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
    /// -1 when none does.
    /// </summary>
    public static int ArgMaxMatching(ReadOnlySpan<float> logits, ReadOnlySpan<byte> remaining, ModelVocabulary vocabulary, int except = -1)
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

            if (Agrees(piece, remaining))
            {
                bestValue = logits[i];
                best = i;
            }
        }

        return best;
    }

    /// <summary>
    /// Its bytes are a prefix of what remains of the healed text, or it produces all of that and goes on (without
    /// indenting deeper).
    /// </summary>
    public static bool Agrees(byte[] piece, ReadOnlySpan<byte> remaining)
    {
        var n = Math.Min(piece.Length, remaining.Length);
        return piece.AsSpan(0, n).SequenceEqual(remaining[..n]) && !AddsWhitespace(piece, remaining);
    }

    // A token that covers the healed indentation and goes on with more whitespace would indent deeper
    // than where the user put the cursor.
    private static bool AddsWhitespace(byte[] piece, ReadOnlySpan<byte> remaining) =>
        piece.Length > remaining.Length && remaining.Length > 0 && IsSpace(remaining[^1]) && IsSpace(piece[remaining.Length]);

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r';
}
