namespace CodeAssist.Server.Inference;

/// <summary>
/// An index of token n-grams over many files, for the copy model to search text far larger than the prompt: every
/// position where <see cref="GramLength"/> tokens end is sorted by those tokens' key, so the longest earlier run that
/// ends like the history is found by one binary search and a walk over its occurrences, not a scan of every file.
/// Immutable once built; a changed workspace builds a new one (reusing the tokens of files that did not change).
/// </summary>
/// <remarks>
/// Memory: 2 bytes per token when the vocabulary has fewer than 65,535 tokens (else 4) plus 4 bytes per position —
/// 6 bytes per token for CodeAssist's own models, about 45 MB for 7.5 million tokens (a 26 MB workspace).
/// </remarks>
public sealed class TokenIndex
{
    /// <summary>Tokens a match needs before the index can find it (the key's length).</summary>
    public const int GramLength = 4;

    /// <summary>Occurrences of one key looked at per search at most (common runs such as <c>self.assert</c> repeat thousands of times).</summary>
    public const int MaxOccurrences = 256;

    private const ushort SmallSeparator = ushort.MaxValue;

    private readonly ushort[]? _small;
    private readonly int[]? _large;
    private readonly int[] _order;
    private readonly int[] _starts;
    private readonly string[] _paths;
    private readonly long[] _stamps;
    private readonly Dictionary<string, int> _ids;

    private TokenIndex(ushort[]? small, int[]? large, int[] order, int[] starts, string[] paths, long[] stamps)
    {
        _small = small;
        _large = large;
        _order = order;
        _starts = starts;
        _paths = paths;
        _stamps = stamps;
        _ids = new Dictionary<string, int>(paths.Length, StringComparer.Ordinal);
        for (var i = 0; i < paths.Length; i++)
        {
            _ids[paths[i]] = i;
        }
    }

    /// <summary>An index of nothing.</summary>
    public static TokenIndex Empty { get; } = Build([]);

    /// <summary>Files indexed.</summary>
    public int FileCount => _paths.Length;

    /// <summary>Tokens indexed (separators not counted).</summary>
    public long TokenCount => Length - _paths.Length;

    /// <summary>Bytes the index holds (tokens, positions, file starts).</summary>
    public long Bytes => (_small is not null ? 2L * _small.Length : 4L * _large!.Length) + (4L * _order.Length) + (12L * _starts.Length);

    private int Length => _small?.Length ?? _large!.Length;

    /// <summary>Builds an index of <paramref name="files"/> (their tokens and a stamp that says which version was read).</summary>
    public static TokenIndex Build(IReadOnlyList<IndexedFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var length = files.Sum(f => f.Tokens.Length + 1);
        var small = files.All(f => f.Tokens.All(t => t is >= 0 and < SmallSeparator));
        var tokens = small ? new ushort[length] : null;
        var large = small ? null : new int[length];
        var starts = new int[files.Count];
        var positions = files.Sum(f => Math.Max(0, f.Tokens.Length - GramLength));
        var keys = new ulong[positions];
        var order = new int[positions];
        var at = 0;
        var next = 0;
        for (var f = 0; f < files.Count; f++)
        {
            var file = files[f].Tokens;
            starts[f] = at;
            for (var i = 0; i < file.Length; i++)
            {
                if (small)
                {
                    tokens![at + i] = (ushort)file[i];
                }
                else
                {
                    large![at + i] = file[i];
                }

                // A position is where a gram ends and something follows it in the same file.
                if (i >= GramLength - 1 && i + 1 < file.Length)
                {
                    keys[next] = Key(file[i - 3], file[i - 2], file[i - 1], file[i]);
                    order[next++] = at + i;
                }
            }

            at += file.Length;
            if (small)
            {
                tokens![at] = SmallSeparator;
            }
            else
            {
                large![at] = -1;
            }

            at++;
        }

        Array.Sort(keys, order);
        return new TokenIndex(tokens, large, order, starts, [.. files.Select(f => f.Path)], [.. files.Select(f => f.Stamp)]);
    }

    /// <summary>The tokens indexed for <paramref name="path"/> when they were read at <paramref name="stamp"/> (to reuse them in a rebuild); else null.</summary>
    public int[]? TokensOf(string path, long stamp)
    {
        if (!_ids.TryGetValue(path, out var id) || _stamps[id] != stamp)
        {
            return null;
        }

        var start = _starts[id];
        var end = (id + 1 < _starts.Length ? _starts[id + 1] : Length) - 1;
        var tokens = new int[end - start];
        for (var i = 0; i < tokens.Length; i++)
        {
            tokens[i] = At(start + i);
        }

        return tokens;
    }

    /// <summary>The ids of the indexed files among <paramref name="paths"/>.</summary>
    public HashSet<int> IdsOf(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var ids = new HashSet<int>();
        foreach (var path in paths)
        {
            if (_ids.TryGetValue(path, out var id))
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    /// <summary>
    /// Finds the longest runs (up to <paramref name="maxMatch"/> tokens, at least <see cref="GramLength"/>) that end like
    /// <paramref name="history"/> in files not in <paramref name="excluded"/>, and counts in <paramref name="followers"/>
    /// (cleared first) the token that followed each; returns the runs' length and how many there were (0, 0: none).
    /// </summary>
    public (int Best, int Count) Longest(ReadOnlySpan<int> history, int maxMatch, IReadOnlySet<int>? excluded, Dictionary<int, double> followers)
    {
        ArgumentNullException.ThrowIfNull(followers);
        followers.Clear();
        var n = history.Length;
        if (n < GramLength || _order.Length == 0)
        {
            return (0, 0);
        }

        var key = Key(history[n - 4], history[n - 3], history[n - 2], history[n - 1]);
        int lo = 0, hi = _order.Length;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (KeyAt(_order[mid]) < key)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        var best = 0;
        var count = 0;
        var checkExcluded = excluded is { Count: > 0 };
        for (var i = lo; i < _order.Length && i < lo + MaxOccurrences; i++)
        {
            var end = _order[i];
            if (KeyAt(end) != key)
            {
                break;
            }

            if (checkExcluded && excluded!.Contains(FileOf(end)))
            {
                continue;
            }

            // The key is a hash: the run is checked token by token (a separator, -1, never matches).
            var k = 0;
            while (k < maxMatch && k < n && end - k >= 0 && At(end - k) == history[n - 1 - k])
            {
                k++;
            }

            if (k < GramLength || k < best)
            {
                continue;
            }

            if (k > best)
            {
                best = k;
                count = 0;
                followers.Clear();
            }

            var next = At(end + 1);
            followers[next] = followers.GetValueOrDefault(next) + 1;
            count++;
        }

        return (best, count);
    }

    private static ulong Key(int a, int b, int c, int d)
    {
        var h = 0xCBF29CE484222325UL;
        h = (h ^ (uint)a) * 0x100000001B3UL;
        h = (h ^ (uint)b) * 0x100000001B3UL;
        h = (h ^ (uint)c) * 0x100000001B3UL;
        h = (h ^ (uint)d) * 0x100000001B3UL;
        return h ^ (h >> 29);
    }

    private ulong KeyAt(int end) => Key(At(end - 3), At(end - 2), At(end - 1), At(end));

    private int At(int position)
    {
        if (_small is not null)
        {
            var token = _small[position];
            return token == SmallSeparator ? -1 : token;
        }

        return _large![position];
    }

    private int FileOf(int position)
    {
        var found = Array.BinarySearch(_starts, position);
        return found >= 0 ? found : ~found - 1;
    }
}

/// <summary>A file's tokens for a <see cref="TokenIndex"/>.</summary>
/// <param name="Path">The file.</param>
/// <param name="Stamp">Which version was read (length and modification time), to reuse the tokens while it holds.</param>
/// <param name="Tokens">Its token ids.</param>
public sealed record IndexedFile(string Path, long Stamp, int[] Tokens);
