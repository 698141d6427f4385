using CodeAssist.Server.Protocol;
using CodeAssist.Server.Python;

namespace CodeAssist.Server.CodeActions;

/// <summary>What text a code action generates and where it goes.</summary>
/// <param name="Action">One of <see cref="CodeAssistActionKinds"/>.</param>
/// <param name="ReplaceStart">Offset in the document where the replaced text starts.</param>
/// <param name="ReplaceEnd">Offset where it ends (equal to <paramref name="ReplaceStart"/> for an insertion).</param>
/// <param name="Lead">Text the edit writes before the generated text (a line break and indentation, an opening quote).</param>
/// <param name="Trail">Text the edit writes after it (a closing quote).</param>
/// <param name="BodyIndent">The indentation of the generated lines.</param>
/// <param name="MaxLines">The most lines kept.</param>
public sealed record CodeActionPlan(string Action, int ReplaceStart, int ReplaceEnd, string Lead, string Trail, string BodyIndent, int MaxLines)
{
    /// <summary>The function (or class) the text is written for, as the checks read it; <see cref="FunctionShape.None"/> for a TODO.</summary>
    public FunctionShape Shape { get; init; } = FunctionShape.None;

    /// <summary>The shape of <paramref name="definition"/> in <paramref name="text"/>.</summary>
    public static FunctionShape ShapeOf(PythonDefinition definition, string text, Documents.LineIndex lines)
    {
        var header = text[lines.GetLineStart(definition.Header.First)..definition.HeaderEnd];
        var docstring = definition.Docstring is { } span ? text[lines.GetLineStart(span.First)..lines.GetLineEnd(span.Last)] : string.Empty;
        return definition.Keyword == "def" ? FunctionShape.Read(header, docstring) : FunctionShape.None with { Docstring = docstring };
    }

    /// <summary>The FIM prompt's prefix: the document before the generated text, as the edit will leave it.</summary>
    public string Prefix(string text) => text[..ReplaceStart] + Lead;

    /// <summary>The FIM prompt's suffix: what follows the generated text.</summary>
    public string Suffix(string text) => Trail + text[ReplaceEnd..];

    /// <summary>Whether the generated text is a docstring's content rather than code.</summary>
    public bool IsDocstring => Action == CodeAssistActionKinds.WriteDocstring;

    /// <summary>The body of a function stub: the placeholder statement replaced, or the code inserted after the header (and docstring).</summary>
    public static CodeActionPlan ImplementFunction(PythonDefinition function, LineBreaks breaks)
    {
        if (function.IsOneLine)
        {
            // def f(): pass → the body moves to its own lines.
            var colon = function.InlineBodyStart!.Value;
            return new CodeActionPlan(CodeAssistActionKinds.ImplementFunction, colon, function.HeaderEnd, breaks.Newline + function.BodyIndentText, string.Empty, function.BodyIndentText, 40);
        }

        if (function.StubStatement is { } stub)
        {
            return new CodeActionPlan(CodeAssistActionKinds.ImplementFunction, stub.Start, stub.End, string.Empty, string.Empty, function.BodyIndentText, 40);
        }

        var after = function.Docstring is { } docstring ? breaks.LineEnd(docstring.Last) : function.HeaderEnd;
        return new CodeActionPlan(CodeAssistActionKinds.ImplementFunction, after, after, breaks.Newline + function.BodyIndentText, string.Empty, function.BodyIndentText, 40);
    }

    /// <summary>A docstring as the first statement of the body, on the line after the header.</summary>
    public static CodeActionPlan WriteDocstring(PythonDefinition definition, LineBreaks breaks) =>
        new(CodeAssistActionKinds.WriteDocstring, definition.HeaderEnd, definition.HeaderEnd, breaks.Newline + definition.BodyIndentText + "\"\"\"", "\"\"\"", definition.BodyIndentText, 8);

    /// <summary>The code a TODO comment asks for: replacing the placeholder after it, or inserted after it.</summary>
    public static CodeActionPlan CompleteTodo(TodoComment todo, LineBreaks breaks, int maxLines) => todo.Placeholder is { } placeholder
        ? new CodeActionPlan(CodeAssistActionKinds.CompleteTodo, placeholder.Start, placeholder.End, string.Empty, string.Empty, todo.IndentText, maxLines)
        : new CodeActionPlan(CodeAssistActionKinds.CompleteTodo, todo.LineEnd, todo.LineEnd, breaks.Newline + todo.IndentText, string.Empty, todo.IndentText, maxLines);
}

/// <summary>A text's line breaks: the one it uses, and where each line ends.</summary>
public sealed class LineBreaks
{
    private readonly Documents.LineIndex _lines;

    /// <summary>Reads <paramref name="text"/>, whose lines <paramref name="lines"/> indexes.</summary>
    public LineBreaks(string text, Documents.LineIndex lines)
    {
        _lines = lines;
        var first = text.AsSpan().IndexOfAny('\r', '\n');
        Newline = first < 0 || text[first] == '\n' ? "\n" : first + 1 < text.Length && text[first + 1] == '\n' ? "\r\n" : "\r";
    }

    /// <summary>The file's line break ("\n" when it has none).</summary>
    public string Newline { get; }

    /// <summary>The offset just after <paramref name="line"/>'s last character.</summary>
    public int LineEnd(int line) => _lines.GetLineEnd(line);
}
