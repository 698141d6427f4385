namespace CodeAssist.Server.Evaluation;

/// <summary>The kinds of completion point the evaluation samples.</summary>
public enum EvalKind
{
    /// <summary>The rest of a line, with nothing after it (left-to-right completion).</summary>
    Line,

    /// <summary>A masked line in the middle of a file, with the text after it given.</summary>
    Fim,
}

/// <summary>One completion point: the text around the cursor and the line that belongs there.</summary>
/// <param name="File">The source file.</param>
/// <param name="Line">Zero-based line of the cursor.</param>
/// <param name="Kind">How the point was made.</param>
/// <param name="Prefix">Text before the cursor.</param>
/// <param name="Suffix">Text after the cursor (empty for <see cref="EvalKind.Line"/>).</param>
/// <param name="Expected">What the rest of the cursor's line really is.</param>
/// <param name="Typed">The part of the line already typed before the cursor (after its indentation).</param>
/// <param name="PreviousLine">The previous non-blank line, for the repeat-line baseline.</param>
public sealed record EvalSample(string File, int Line, EvalKind Kind, string Prefix, string Suffix, string Expected, string Typed, string PreviousLine);
