namespace CodeAssist.Server.Inference;

/// <summary>
/// Text beyond the prompt that the copy model may copy from (the current file outside the window, definitions the file
/// imports, recently edited text elsewhere, the rest of the workspace through an index), with how many tokens must match
/// before it counts: a distant source needs a longer match than the prompt, or many one-token matches drown the useful ones.
/// </summary>
/// <param name="Text">The text; tokenized by the model that copies from it (empty for a <see cref="Corpus"/>).</param>
/// <param name="MinMatch">The fewest tokens of the history's tail that must match in it.</param>
/// <param name="Name">What it is, for statistics: <c>file</c>, <c>imports</c>, <c>edits</c>, <c>workspace</c>.</param>
/// <param name="Corpus">Files too many to tokenize per request: the model searches its <see cref="TokenIndex"/> of them instead of <paramref name="Text"/>.</param>
public sealed record CopySource(string Text, int MinMatch, string Name, CorpusView? Corpus = null);

/// <summary>
/// Files the copy model may index (the workspace's modules). Read off the request path: the model indexes them in the
/// background, in its own tokens, and searches the last index it finished.
/// </summary>
public interface ICopyCorpus
{
    /// <summary>Changes whenever the files or their list may have changed.</summary>
    int Generation { get; }

    /// <summary>The files, in the order they are indexed (a cap keeps the first ones).</summary>
    IReadOnlyList<string> Files();

    /// <summary>Says which version of a file is on disk (length and modification time); -1 when it cannot be read.</summary>
    long Stamp(string path);

    /// <summary>A file's text, or null when it is skipped (not a regular file, too large, binary, unreadable, changing).</summary>
    string? Read(string path);
}

/// <summary>A request's view of an <see cref="ICopyCorpus"/>.</summary>
/// <param name="Files">The corpus.</param>
/// <param name="Excluded">Files not to copy from: open documents, whose text in the editor replaces the disk's (and the evaluated file, whose disk copy holds the answer).</param>
/// <param name="MaxTokens">Tokens indexed at most (the index's memory is about 6 bytes per token).</param>
public sealed record CorpusView(ICopyCorpus Files, IReadOnlySet<string> Excluded, long MaxTokens);
