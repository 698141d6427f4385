using CodeAssist.Server.Python;

namespace CodeAssist.Server.Completion;

/// <summary>How <see cref="PostProcessor"/> shapes one completion.</summary>
public sealed record PostProcessorOptions
{
    /// <summary>Whether the completion may span lines; when false only its first line is kept.</summary>
    public bool Multiline { get; init; }

    /// <summary>The model stopped at its token budget, so the last line it wrote may be cut short.</summary>
    public bool Truncated { get; init; }

    /// <summary>The most lines a multi-line completion keeps.</summary>
    public int MaxLines { get; init; } = 8;

    /// <summary>The file's indentation style, which the completion's indentation is converted to.</summary>
    public IndentStyle IndentStyle { get; init; } = IndentStyle.Default;

    /// <summary>The cursor's block context, when the caller has already analysed the same prefix and suffix.</summary>
    public BlockContext? Context { get; init; }
}
