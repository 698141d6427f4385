namespace CodeAssist.Server.Context;

/// <summary>
/// Where the user edited lately, as a ring of chunks (document, first line) like llama.vscode's: each change records the
/// chunk of <see cref="ChunkLines"/> lines around it, newest first; an edit inside a chunk already held moves it to the
/// front instead of adding one. Only positions are kept here: the text is read from the document store when a request
/// asks, so a keystroke costs a few comparisons, never a copy of text.
/// </summary>
public sealed class RecentEdits
{
    /// <summary>Chunks kept.</summary>
    public const int Capacity = 16;

    /// <summary>Lines per chunk.</summary>
    public const int ChunkLines = 64;

    private readonly Lock _gate = new();
    private readonly List<(string Uri, int FirstLine)> _chunks = [];

    /// <summary>Records an edit at <paramref name="line"/> of <paramref name="uri"/>.</summary>
    public void Record(string uri, int line)
    {
        var first = Math.Max(0, line - (ChunkLines / 2));
        lock (_gate)
        {
            var held = _chunks.FindIndex(c => c.Uri == uri && line >= c.FirstLine && line < c.FirstLine + ChunkLines);
            if (held == 0)
            {
                return;
            }

            if (held > 0)
            {
                first = _chunks[held].FirstLine;
                _chunks.RemoveAt(held);
            }
            else if (_chunks.Count == Capacity)
            {
                _chunks.RemoveAt(Capacity - 1);
            }

            _chunks.Insert(0, (uri, first));
        }
    }

    /// <summary>Forgets a closed document's chunks.</summary>
    public void Forget(string uri)
    {
        lock (_gate)
        {
            _chunks.RemoveAll(c => c.Uri == uri);
        }
    }

    /// <summary>The chunks, newest first.</summary>
    public IReadOnlyList<(string Uri, int FirstLine)> Chunks()
    {
        lock (_gate)
        {
            return [.. _chunks];
        }
    }
}
