using System.Runtime.InteropServices;
using System.Text;
using CodeAssist.Server.Prompting;
using LLama;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Inference.Local;

/// <summary>
/// A loaded model's vocabulary: each token's bytes, which tokens end generation, the special tokens by their text, and
/// tokenization of document text (incremental when the tokenizer splits at line boundaries) and of FIM prompts.
/// </summary>
internal sealed class ModelVocabulary
{
    // Python that exercises every kind of boundary the incremental tokenizer cuts at, and the ones it must not.
    private const string TokenizerProbe =
        "import os\n\n\nclass Foo(Bar):\n    \"\"\"Doc string.\"\"\"\n\n    def method(self, x=1):  \n        if x:\n" +
        "            return [1, 2,\n                    3]\n        # a comment\n\treturn None\n  \n    value = 'it''s' + \"é\"\n" +
        "print(Foo().method())\n x = 10\n    42\n";

    private readonly LLamaWeights _weights;
    private readonly Func<bool> _disposed;
    private readonly byte[][] _pieces;
    private readonly bool[] _endsGeneration;
    private readonly Dictionary<string, LLamaToken> _specialTokens = new(StringComparer.Ordinal);
    private readonly HashSet<int> _stopTokens = [];
    private readonly bool _addBos;
    private readonly IncrementalTokenizer? _incremental;

    // SentencePiece tokenizers put a space in front of the text (llama.cpp's add_space_prefix); the tokens after this
    // line break (which merges with nothing) are the text's own. Null for tokenizers that add nothing.
    private readonly LLamaToken[]? _sentinel;

    /// <summary>Reads the vocabulary of <paramref name="weights"/>; <paramref name="disposed"/> says when the weights are gone.</summary>
    public ModelVocabulary(string path, LLamaWeights weights, Func<bool> disposed, ILogger logger)
    {
        _weights = weights;
        _disposed = disposed;
        Size = weights.Vocab.Count;
        _addBos = weights.Vocab.ShouldAddBOS;
        (_pieces, _endsGeneration) = Read();
        Words = TokenWords.From(_pieces);
        if (!TokenizeNative("a").SelectMany(t => _pieces[(int)t]).SequenceEqual("a"u8.ToArray()))
        {
            _sentinel = TokenizeNative(Sentinel);
        }

        if (IncrementalTokenizer.IsExact(TokenizeIds, TokenizerProbe))
        {
            _incremental = new IncrementalTokenizer(TokenizeIds, id => _pieces[id].Length);
        }
        else
        {
            logger.LogInformation("{Path}: the tokenizer does not split at line boundaries the way the prompt cache assumes; prompts are tokenized whole", path);
        }
    }

    /// <summary>Which tokens spell names, for the copy model's matches in distant sources.</summary>
    public TokenWords Words { get; }

    /// <summary>Tokens in the vocabulary.</summary>
    public int Size { get; }

    /// <summary>Whether prompt text is tokenized incrementally.</summary>
    public bool TokenizesIncrementally => _incremental is not null;

    /// <summary>Characters of prompt text that went through the tokenizer (null when it is not incremental).</summary>
    public long? PromptCharsTokenized => _incremental?.CharsTokenized;

    /// <summary>Makes the template's stop markers and the model's end tokens stop generation.</summary>
    public void AddStopTokens(FimTemplate template)
    {
        foreach (var marker in template.StopMarkers)
        {
            if (_specialTokens.TryGetValue(marker, out var id))
            {
                _stopTokens.Add((int)id);
            }
        }

        foreach (var id in new[] { _weights.Vocab.EOS, _weights.Vocab.EOT })
        {
            if (id is { } token)
            {
                _stopTokens.Add((int)token);
            }
        }
    }

    /// <summary>The bytes a token stands for in document text (empty for control tokens).</summary>
    public byte[] Piece(int token) => _pieces[token];

    /// <summary>The token ends generation: an end-of-generation or control token, or a stop marker.</summary>
    public bool Ends(int token) => _endsGeneration[token] || _stopTokens.Contains(token);

    /// <summary>Whether the vocabulary has a special token with this text.</summary>
    public bool HasSpecialToken(string text) => _specialTokens.ContainsKey(text);

    /// <summary>The text of the special token with this id; null when there is none.</summary>
    public string? SpecialTokenText(long id) =>
        id < 0 || id >= Size ? null : _specialTokens.FirstOrDefault(kv => (int)kv.Value == id).Key;

    /// <summary>
    /// Tokenizes document text as exactly that text: special-token parsing off, and no space of the tokenizer's own in
    /// front. Text never becomes a control token, even where a SentencePiece vocabulary would merge it into one
    /// (CodeLlama's <c>▁&lt;PRE&gt;</c> is a piece that " &lt;PRE&gt;" in a file merges into).
    /// </summary>
    public LLamaToken[] Tokenize(string text)
    {
        // A request that took this model just before a swap may still count tokens: fail cleanly, never touch freed weights.
        ObjectDisposedException.ThrowIf(_disposed(), this);
        var tokens = TokenizeExactly(text);
        foreach (var token in tokens)
        {
            if (_pieces[(int)token].Length > 0 || SpecialTokenText((int)token)?.Replace('▁', ' ') is not { Length: > 1 } spelling)
            {
                continue;
            }

            // Cut the text inside the control token's spelling and tokenize the parts apart.
            var at = text.IndexOf(spelling, StringComparison.Ordinal);
            if (at >= 0)
            {
                var cut = at + spelling.Length - 1;
                return [.. Tokenize(text[..cut]), .. Tokenize(text[cut..])];
            }
        }

        return tokens;
    }

    /// <summary>Prompt text: the same tokens as <see cref="Tokenize"/>, from the incremental cache when the tokenizer allows it.</summary>
    public ReadOnlySpan<LLamaToken> TokenizeText(string text) =>
        _incremental is { } incremental ? MemoryMarshal.Cast<int, LLamaToken>(incremental.Tokenize(text)) : Tokenize(text);

    /// <summary>The token ids of a prompt: markers as control tokens, text tokenized plainly.</summary>
    public List<LLamaToken> TokenizePrompt(IReadOnlyList<PromptPart> parts)
    {
        var tokens = new List<LLamaToken>();
        if (_addBos && _weights.Vocab.BOS is { } bos)
        {
            tokens.Add(bos);
        }

        foreach (var part in parts)
        {
            if (part.IsMarker)
            {
                if (!_specialTokens.TryGetValue(part.Value, out var id))
                {
                    throw new InvalidOperationException($"the model has no control token {part.Value}");
                }

                tokens.Add(id);
            }
            else if (part.Value.Length > 0)
            {
                tokens.AddRange(TokenizeText(part.Value));
            }
        }

        return tokens;
    }

    private const string Sentinel = "\n";

    private LLamaToken[] TokenizeNative(string text) => _weights.NativeHandle.Tokenize(text, false, false, Encoding.UTF8);

    private LLamaToken[] TokenizeExactly(string text)
    {
        if (_sentinel is not { } sentinel || text.Length == 0)
        {
            return TokenizeNative(text);
        }

        if (text.Length > 1 && text[0] == ' ')
        {
            // The tokenizer's space is the text's own.
            return TokenizeNative(text[1..]);
        }

        var tokens = TokenizeNative(Sentinel + text);
        return tokens.AsSpan().StartsWith(sentinel) ? tokens[sentinel.Length..] : TokenizeNative(text);
    }

    private int[] TokenizeIds(string text) => MemoryMarshal.Cast<LLamaToken, int>(Tokenize(text)).ToArray();

    private (byte[][] Pieces, bool[] EndsGeneration) Read()
    {
        var pieces = new byte[Size][];
        var ends = new bool[Size];
        var buffer = new byte[256];
        var vocab = _weights.Vocab;
        for (var i = 0; i < Size; i++)
        {
            var token = (LLamaToken)i;
            var attributes = token.GetAttributes(vocab);
            var special = (attributes & (LLamaTokenAttr.Control | LLamaTokenAttr.UserDefined)) != 0;
            if (special)
            {
                var n = (int)_weights.NativeHandle.TokenToSpan(token, buffer, 0, true);
                var text = Encoding.UTF8.GetString(buffer, 0, Math.Min(n, buffer.Length));
                if (text.Length > 0)
                {
                    _specialTokens.TryAdd(text, token);
                }
            }

            var count = (int)_weights.NativeHandle.TokenToSpan(token, buffer, 0, false);
            pieces[i] = (attributes & LLamaTokenAttr.Control) != 0 ? [] : buffer.AsSpan(0, Math.Min(count, buffer.Length)).ToArray();
            ends[i] = token.IsEndOfGeneration(vocab) || (attributes & LLamaTokenAttr.Control) != 0;
        }

        return (pieces, ends);
    }
}
