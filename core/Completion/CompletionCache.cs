namespace CodeAssist.Server.Completion;

/// <summary>
/// Answers repeated and typed-through requests without a model call: an LRU of finished completions
/// keyed by (model, prefix, suffix), and per document the last suggestion shown, so that typing the
/// characters it suggested returns the rest of it. Each answer keeps the tier and model that wrote it.
/// </summary>
public sealed class CompletionCache(int capacity = 256)
{
    // The typed-through check compares this much of the text around the cursor, not the whole document.
    private const int ContextProbe = 512;

    private readonly Lock _gate = new();
    private readonly Dictionary<Key, LinkedListNode<(Key Key, string Text, SuggestionOrigin Origin)>> _entries = [];
    private readonly LinkedList<(Key Key, string Text, SuggestionOrigin Origin)> _order = new();
    private readonly Dictionary<string, Suggestion> _lastByDocument = new(StringComparer.Ordinal);

    /// <summary>Cache hits since start.</summary>
    public long Hits { get; private set; }

    /// <summary>Typed-through hits since start.</summary>
    public long TypedThroughHits { get; private set; }

    /// <summary>A finished completion for exactly this model, prefix and suffix, if one is cached, and who wrote it.</summary>
    public bool TryGet(string model, string prefix, string suffix, out string text, out SuggestionOrigin origin)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(new Key(model, prefix, suffix), out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                text = node.Value.Text;
                origin = node.Value.Origin;
                Hits++;
                return true;
            }
        }

        text = string.Empty;
        origin = default;
        return false;
    }

    /// <summary>Stores a finished completion and who wrote it, evicting the least recently used one when full.</summary>
    public void Add(string model, string prefix, string suffix, string text, SuggestionOrigin origin)
    {
        var key = new Key(model, prefix, suffix);
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                _order.Remove(existing);
            }

            var node = _order.AddFirst((key, text, origin));
            _entries[key] = node;
            while (_entries.Count > capacity && _order.Last is { } last)
            {
                _order.RemoveLast();
                _entries.Remove(last.Value.Key);
            }
        }
    }

    /// <summary>Remembers the suggestion shown in a document at a cursor offset, and who wrote it.</summary>
    public void RememberShown(string document, string model, int cursorOffset, string prefix, string suffix, string text, SuggestionOrigin origin)
    {
        if (text.Length == 0)
        {
            return;
        }

        lock (_gate)
        {
            _lastByDocument[document] = new Suggestion(model, cursorOffset, Tail(prefix), Head(suffix), text, origin);
        }
    }

    /// <summary>
    /// When the user has typed the start of the last suggestion (same text after the cursor, the text
    /// before it grown by exactly those characters), returns what is left of the suggestion and who wrote it.
    /// </summary>
    public bool TryTypeThrough(string document, string model, int cursorOffset, string prefix, string suffix, out string rest, out SuggestionOrigin origin)
    {
        rest = string.Empty;
        origin = default;
        lock (_gate)
        {
            if (!_lastByDocument.TryGetValue(document, out var last) || last.Model != model)
            {
                return false;
            }

            var typed = cursorOffset - last.CursorOffset;
            if (typed <= 0 || typed >= last.Text.Length || typed > prefix.Length)
            {
                return false;
            }

            var typedText = prefix.AsSpan(prefix.Length - typed);
            var before = prefix.AsSpan(0, prefix.Length - typed);
            if (!last.Text.AsSpan().StartsWith(typedText, StringComparison.Ordinal)
                || !before.EndsWith(last.PrefixTail, StringComparison.Ordinal)
                || !Head(suffix).Equals(last.SuffixHead, StringComparison.Ordinal))
            {
                return false;
            }

            rest = last.Text[typed..];
            origin = last.Origin;
            TypedThroughHits++;
            return true;
        }
    }

    /// <summary>Forgets a document's last suggestion (closed, or its text replaced).</summary>
    public void Forget(string document)
    {
        lock (_gate)
        {
            _lastByDocument.Remove(document);
        }
    }

    /// <summary>Drops everything (after a model switch).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
            _order.Clear();
            _lastByDocument.Clear();
        }
    }

    private static string Tail(string prefix) => prefix.Length <= ContextProbe ? prefix : prefix[^ContextProbe..];

    private static string Head(string suffix) => suffix.Length <= ContextProbe ? suffix : suffix[..ContextProbe];

    private readonly record struct Key(string Model, string Prefix, string Suffix);

    private sealed record Suggestion(string Model, int CursorOffset, string PrefixTail, string SuffixHead, string Text, SuggestionOrigin Origin);
}
