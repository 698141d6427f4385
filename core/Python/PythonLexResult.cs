namespace CodeAssist.Server.Python;

/// <summary>The lines of a lexed text and the lexer's state at its end.</summary>
public sealed class PythonLexResult
{
    internal PythonLexResult(IReadOnlyList<PythonLine> lines, PythonLexState endState, IReadOnlyList<int> unmatchedClosers)
    {
        Lines = lines;
        EndState = endState;
        UnmatchedClosers = unmatchedClosers;
    }

    /// <summary>One entry per physical line; at least one, since an empty text is one empty line.</summary>
    /// <remarks>When lexing resumed from a state, the first entry is the rest of a line and its <c>Starts…</c> values describe the resume point.</remarks>
    public IReadOnlyList<PythonLine> Lines { get; }

    /// <summary>The state at the end of the text, from which lexing can resume.</summary>
    public PythonLexState EndState { get; }

    /// <summary>Offsets of closing brackets, outside strings, that close nothing open or a different kind of bracket, in order.</summary>
    public IReadOnlyList<int> UnmatchedClosers { get; }

    /// <summary>The text ends inside a string literal.</summary>
    public bool EndsInString => EndState.InString;

    /// <summary>Brackets open at the end of the text, outside strings.</summary>
    public int BracketDepth => EndState.BracketDepth;
}
