namespace CodeAssist.Tools.Evaluation;

/// <summary>The kinds of completion point the evaluation samples.</summary>
public enum EvalKind
{
    /// <summary>The rest of a line, with nothing after it (left-to-right completion).</summary>
    Line,

    /// <summary>A masked line in the middle of a file, with the text after it given.</summary>
    Fim,

    /// <summary>A function body, the cursor after its signature and docstring, the rest of the file after it given.</summary>
    Block,

    /// <summary>
    /// A documented function with a short body, the body removed: "Implement function" writes it, through the code
    /// action's stages. <see cref="EvalSample.Prefix"/> ends with the docstring, <see cref="EvalSample.Line"/> is the def's line.
    /// </summary>
    Implement,

    /// <summary>
    /// A masked line whose text uses a name defined in another module of the evaluated folder and spelled nowhere in
    /// the prompt's window of this file; completed as the open document of a workspace that is the folder (the
    /// document's own file on disk is never read: the open document replaces it).
    /// </summary>
    CrossFile,
}

/// <summary>One completion point: the text around the cursor and the text that belongs there.</summary>
/// <param name="File">The source file, relative to the evaluated folder.</param>
/// <param name="Line">Zero-based line of the cursor.</param>
/// <param name="Kind">How the point was made.</param>
/// <param name="Prefix">Text before the cursor.</param>
/// <param name="Suffix">Text after the cursor (empty for <see cref="EvalKind.Line"/>).</param>
/// <param name="Expected">What really follows the cursor: the rest of its line, or for <see cref="EvalKind.Block"/> the whole body (later lines with their indentation).</param>
/// <param name="Typed">The part of the line already typed before the cursor (after its indentation).</param>
/// <param name="PreviousLine">The previous non-blank line, for the repeat-line baseline.</param>
public sealed record EvalSample(string File, int Line, EvalKind Kind, string Prefix, string Suffix, string Expected, string Typed, string PreviousLine);

/// <summary>Why a file under the evaluated folder was not sampled.</summary>
public enum SkipReason
{
    /// <summary>It could not be read (permissions, I/O error, vanished).</summary>
    Unreadable,

    /// <summary>Its bytes are not valid UTF-8.</summary>
    NotUtf8,

    /// <summary>It is larger than the sampler reads (1 MB).</summary>
    TooLarge,

    /// <summary>It does not tokenize as Python (see <see cref="Python.PythonSyntaxCheck"/>).</summary>
    SyntaxError,
}

/// <summary>One file the sampler skipped, and why.</summary>
public sealed record SkippedFile(string File, SkipReason Reason, string Detail);

/// <summary>The sampled points, with what the sampler read and what it skipped.</summary>
/// <param name="Samples">The points, kind by kind in the order asked.</param>
/// <param name="FilesRead">Python files read and sampled from.</param>
/// <param name="Skipped">Files skipped, in path order.</param>
/// <param name="Kinds">The kinds asked for.</param>
/// <param name="PerKind">The points asked for per kind.</param>
public sealed record EvalCorpus(IReadOnlyList<EvalSample> Samples, int FilesRead, IReadOnlyList<SkippedFile> Skipped, IReadOnlyList<EvalKind> Kinds, int PerKind)
{
    /// <summary>Points drawn per kind (fewer than asked when the folder has fewer places).</summary>
    public IReadOnlyDictionary<EvalKind, int> SamplesByKind =>
        Kinds.ToDictionary(kind => kind, kind => Samples.Count(s => s.Kind == kind));

    /// <summary>How many files were skipped.</summary>
    public int FilesSkipped => Skipped.Count;

    /// <summary>Skipped files by reason; every reason is present, with 0 when none.</summary>
    public IReadOnlyDictionary<SkipReason, int> SkippedByReason =>
        Enum.GetValues<SkipReason>().ToDictionary(reason => reason, reason => Skipped.Count(s => s.Reason == reason));
}
