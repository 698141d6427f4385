using System.Text;

namespace CodeAssist.Server.Inference;

/// <summary>
/// Tokenizes prompt text without redoing what an earlier call already did: while the user types, the prefix of one
/// request is the previous one plus a few characters, so the tokens up to a safe boundary before the edit are kept
/// and only the text after it goes through the tokenizer. Exact repeats (the suffix, the budget windows) are answered
/// from the few texts remembered.
/// </summary>
/// <remarks>
/// A boundary is safe when a byte-level BPE with the GPT-2 pre-tokenizer (digits split first, as llama.cpp's
/// <c>smollm</c>, <c>gpt-2</c>, <c>qwen2</c> … do) never puts a pre-token across it, so the tokens of the whole text are
/// the tokens of the two parts: after a single "\n" that follows a non-space and precedes a non-space (a run of
/// whitespace keeps its last character for the next word, so a longer run is not safe), or before the space that
/// ends a run of two or more whitespace characters and precedes a non-space, non-digit character (indentation:
/// the last space joins the word). A tokenizer that breaks this — SentencePiece's dummy prefix, another
/// pre-tokenizer — fails <see cref="IsExact"/>, and the model then tokenizes every text whole.
/// </remarks>
public sealed class IncrementalTokenizer
{
    // Shorter texts are cheap to tokenize whole; longer ones (a whole file) are not worth remembering.
    private const int MinReuseChars = 256;
    private const int MaxCachedChars = 128 * 1024;
    private const int Capacity = 8;

    // How far back from the edit to look for a safe boundary: a few lines.
    private const int MaxBoundarySearch = 2048;

    private readonly Func<string, int[]> _tokenize;
    private readonly Func<int, int> _pieceBytes;
    private readonly Lock _gate = new();
    private readonly LinkedList<Entry> _entries = new();
    private long _wholeChars;
    private long _incrementalChars;

    /// <summary>Tokenizes with <paramref name="tokenize"/>; <paramref name="pieceBytes"/> is a token's length in UTF-8 bytes of document text.</summary>
    public IncrementalTokenizer(Func<string, int[]> tokenize, Func<int, int> pieceBytes)
    {
        _tokenize = tokenize;
        _pieceBytes = pieceBytes;
    }

    /// <summary>Characters that went through the tokenizer (for tests and benchmarks).</summary>
    public long CharsTokenized => Interlocked.Read(ref _wholeChars) + Interlocked.Read(ref _incrementalChars);

    /// <summary>The tokens of <paramref name="text"/>, exactly as tokenizing it whole gives them. Do not modify the array.</summary>
    public int[] Tokenize(string text)
    {
        if (text.Length < MinReuseChars || text.Length > MaxCachedChars)
        {
            Interlocked.Add(ref _wholeChars, text.Length);
            return _tokenize(text);
        }

        Entry? best = null;
        var bestCommon = 0;
        lock (_gate)
        {
            for (var node = _entries.First; node is not null; node = node.Next)
            {
                var entry = node.Value;
                if (ReferenceEquals(entry.Text, text) || entry.Text.Equals(text, StringComparison.Ordinal))
                {
                    _entries.Remove(node);
                    _entries.AddFirst(node);
                    return entry.Tokens;
                }

                var common = entry.Text.AsSpan().CommonPrefixLength(text);
                if (common > bestCommon)
                {
                    (best, bestCommon) = (entry, common);
                }
            }
        }

        var tokens = best is not null && bestCommon >= MinReuseChars ? Extend(best, text, bestCommon) : null;
        if (tokens is null)
        {
            Interlocked.Add(ref _wholeChars, text.Length);
            tokens = _tokenize(text);
        }

        Remember(new Entry(text, tokens));
        return tokens;
    }

    /// <summary>True when cutting <paramref name="text"/> at every safe boundary gives the same tokens as tokenizing it whole.</summary>
    public static bool IsExact(Func<string, int[]> tokenize, string text)
    {
        var whole = tokenize(text);
        for (var p = 1; p < text.Length; p++)
        {
            if (IsSafeBoundary(text, p) && !whole.AsSpan().SequenceEqual([.. tokenize(text[..p]), .. tokenize(text[p..])]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether no pre-token of <paramref name="text"/> crosses offset <paramref name="p"/> (see the remarks).</summary>
    internal static bool IsSafeBoundary(string text, int p)
    {
        if (p < 2 || p >= text.Length - 1)
        {
            return false;
        }

        var next = text[p];
        if (text[p - 1] == '\n')
        {
            return !char.IsWhiteSpace(next) && !char.IsWhiteSpace(text[p - 2]);
        }

        return next == ' ' && char.IsWhiteSpace(text[p - 1]) && !char.IsWhiteSpace(text[p + 1]) && !char.IsNumber(text[p + 1])
            && !char.IsSurrogate(text[p + 1]);
    }

    private int[]? Extend(Entry previous, string text, int common)
    {
        // The characters on both sides of the cut must be the same in both texts, so stay two short of the edit.
        var stop = Math.Max(2, common - MaxBoundarySearch);
        for (var p = Math.Min(common - 2, text.Length - 2); p >= stop; p--)
        {
            if (!IsSafeBoundary(text, p) || !IsSafeBoundary(previous.Text, p))
            {
                continue;
            }

            var kept = TokensCovering(previous.Tokens, Encoding.UTF8.GetByteCount(text.AsSpan(0, p)));
            if (kept < 0)
            {
                // Not a token boundary after all (a tokenizer this rule does not describe): tokenize whole.
                return null;
            }

            var tail = text[p..];
            Interlocked.Add(ref _incrementalChars, tail.Length);
            return [.. previous.Tokens.AsSpan(0, kept), .. _tokenize(tail)];
        }

        return null;
    }

    // How many leading tokens make up exactly the first `bytes` bytes of their text; -1 when a token straddles that point.
    private int TokensCovering(int[] tokens, int bytes)
    {
        var total = 0;
        for (var i = 0; i < tokens.Length; i++)
        {
            if (total == bytes)
            {
                return i;
            }

            total += _pieceBytes(tokens[i]);
            if (total > bytes)
            {
                return -1;
            }
        }

        return total == bytes ? tokens.Length : -1;
    }

    private void Remember(Entry entry)
    {
        lock (_gate)
        {
            _entries.AddFirst(entry);
            while (_entries.Count > Capacity)
            {
                _entries.RemoveLast();
            }
        }
    }

    private sealed record Entry(string Text, int[] Tokens);
}
