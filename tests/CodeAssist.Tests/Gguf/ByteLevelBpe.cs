using System.Text;
using System.Text.RegularExpressions;

namespace CodeAssist.Tests.Gguf;

/// <summary>GPT-2 style byte-level BPE, small enough to read: the byte-to-unicode alphabet, a deterministic merge
/// trainer, and an encoder that applies merges by rank the way llama.cpp's BPE tokenizer does.</summary>
/// <remarks>
/// Every byte maps to one printable code point (printable Latin-1 bytes map to themselves, the rest to U+0100 and up),
/// so a token's string in the GGUF vocabulary is the mapped form of its bytes: " return" is stored as "Ġreturn" and
/// "\n" as "Ċ". A merge "a b" (ranked by position) says symbols a and b join into the token "ab".
/// </remarks>
public sealed partial class ByteLevelBpe
{
    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly Dictionary<char, byte> CharToByte =
        Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);

    private readonly Dictionary<(string Left, string Right), int> _ranks = [];
    private readonly List<(string Left, string Right)> _merges = [];

    /// <summary>Merges in rank order (rank 0 applies first).</summary>
    public IReadOnlyList<(string Left, string Right)> Merges => _merges;

    /// <summary>The token for byte <paramref name="value"/> as it appears in the vocabulary.</summary>
    public static string ByteToken(byte value) => ByteToChar[value].ToString();

    /// <summary>Maps raw text to the byte-level alphabet (UTF-8 bytes, one code point each).</summary>
    public static string ToByteLevel(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[i] = ByteToChar[bytes[i]];
        }

        return new string(chars);
    }

    /// <summary>Maps a byte-level token string back to the raw bytes it stands for.</summary>
    public static byte[] FromByteLevel(string token) => token.Select(c => CharToByte[c]).ToArray();

    /// <summary>Splits text like llama.cpp's "smollm" pre-tokenizer: every digit alone, then the GPT-2 pattern
    /// (contractions, optional space plus letters, optional space plus punctuation, whitespace not before a word).</summary>
    public static IEnumerable<string> PreTokenize(string text) =>
        PreTokenizerPattern().Matches(text).Select(m => m.Value);

    /// <summary>Learns up to <paramref name="mergeCount"/> merges from <paramref name="corpus"/> (most frequent pair
    /// first, ties broken by ordinal order, so the result depends only on the input), then adds merges so that each of
    /// <paramref name="requiredWords"/> (single pre-tokens) becomes one token.</summary>
    public static ByteLevelBpe Train(string corpus, int mergeCount, IEnumerable<string> requiredWords)
    {
        var bpe = new ByteLevelBpe();
        var words = PreTokenize(corpus)
            .GroupBy(w => w, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Symbols: ToByteLevel(g.Key).Select(c => c.ToString()).ToList(), Count: g.Count()))
            .ToList();

        while (bpe._merges.Count < mergeCount)
        {
            var pairCounts = new Dictionary<(string, string), int>();
            foreach (var (symbols, count) in words)
            {
                for (var i = 0; i + 1 < symbols.Count; i++)
                {
                    var pair = (symbols[i], symbols[i + 1]);
                    pairCounts[pair] = pairCounts.GetValueOrDefault(pair) + count;
                }
            }

            var best = pairCounts
                .Where(p => p.Value >= 2)
                .OrderByDescending(p => p.Value)
                .ThenBy(p => p.Key.Item1, StringComparer.Ordinal)
                .ThenBy(p => p.Key.Item2, StringComparer.Ordinal)
                .Select(p => ((string Left, string Right)?)p.Key)
                .FirstOrDefault();
            if (best is not { } merge)
            {
                break;
            }

            bpe.AddMerge(merge.Left, merge.Right);
            foreach (var (symbols, _) in words)
            {
                MergeAll(symbols, merge.Left, merge.Right);
            }
        }

        foreach (var word in requiredWords)
        {
            // Appended merges rank after every existing one, so they only act once the earlier merges are exhausted:
            // words that already became single tokens are unaffected.
            while (bpe.EncodeWord(word) is { Count: > 1 } symbols)
            {
                bpe.AddMerge(symbols[0], symbols[1]);
            }
        }

        return bpe;
    }

    /// <summary>Encodes one pre-token into byte-level symbols by repeatedly joining the adjacent pair of lowest rank
    /// (leftmost on ties) until no pair has a merge.</summary>
    public List<string> EncodeWord(string word)
    {
        var symbols = ToByteLevel(word).Select(c => c.ToString()).ToList();
        while (true)
        {
            var bestIndex = -1;
            var bestRank = int.MaxValue;
            for (var i = 0; i + 1 < symbols.Count; i++)
            {
                if (_ranks.TryGetValue((symbols[i], symbols[i + 1]), out var rank) && rank < bestRank)
                {
                    bestRank = rank;
                    bestIndex = i;
                }
            }

            if (bestIndex < 0)
            {
                return symbols;
            }

            symbols[bestIndex] += symbols[bestIndex + 1];
            symbols.RemoveAt(bestIndex + 1);
        }
    }

    /// <summary>Encodes text (no special tokens) into byte-level token strings.</summary>
    public IEnumerable<string> Encode(string text) => PreTokenize(text).SelectMany(EncodeWord);

    private void AddMerge(string left, string right)
    {
        _ranks.Add((left, right), _merges.Count);
        _merges.Add((left, right));
    }

    private static void MergeAll(List<string> symbols, string left, string right)
    {
        for (var i = 0; i + 1 < symbols.Count; i++)
        {
            if (symbols[i] == left && symbols[i + 1] == right)
            {
                symbols[i] = left + right;
                symbols.RemoveAt(i + 1);
            }
        }
    }

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }

        return map;
    }

    // Digits first (smollm splits each digit), then GPT-2's pattern; the trailing \s+ catches whitespace the
    // lookahead alternative leaves, as llama.cpp emits unmatched runs as pieces of their own.
    [GeneratedRegex(@"\p{N}|'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    private static partial Regex PreTokenizerPattern();
}
