using System.Text.RegularExpressions;

namespace CodeAssist.Server.Python;

/// <summary>A line range of a text, both ends included; zero-based line numbers as the lexer (and LSP) count them.</summary>
public readonly record struct LineSpan(int First, int Last)
{
    /// <summary>Whether <paramref name="line"/> lies in the span.</summary>
    public bool Contains(int line) => line >= First && line <= Last;
}

/// <summary>What a function's body holds when it is still to be written.</summary>
public enum StubKind
{
    /// <summary>No statement at all (or only a docstring).</summary>
    Empty,

    /// <summary><c>pass</c>.</summary>
    Pass,

    /// <summary><c>...</c>.</summary>
    Ellipsis,

    /// <summary><c>raise NotImplementedError</c>, with or without arguments.</summary>
    NotImplemented,
}

/// <summary>The placeholder statement of a stub body, when there is one.</summary>
/// <param name="Lines">The statement's lines.</param>
/// <param name="Start">Offset of the statement's first character (after its indentation).</param>
/// <param name="End">Offset of the end of the statement's last line (a trailing comment included, the line break not).</param>
public sealed record StubStatement(StubKind Kind, LineSpan Lines, int Start, int End);

/// <summary>One <c>def</c>, <c>async def</c> or <c>class</c> of a Python text.</summary>
/// <param name="Keyword">"def" (for async ones too) or "class".</param>
/// <param name="Header">The header's lines: from the keyword's line to the line that ends with ':'.</param>
/// <param name="HeaderEnd">Offset just after the header's last line (before its line break).</param>
/// <param name="IndentText">The header's indentation.</param>
/// <param name="BodyIndentText">The body's indentation: its first statement's, else the header's plus one level of the file's style.</param>
/// <param name="Body">The lines the body spans, header excluded; for an empty body, the blank lines right after the header (possibly none: First > Last).</param>
/// <param name="InlineBodyStart">For a one-line definition (<c>def f(): pass</c>), the offset just after its ':' (the end of its line when the inline body is not a placeholder); else null.</param>
/// <param name="Docstring">The docstring's lines, when the body starts with a string literal.</param>
/// <param name="Stub">For a function whose body is empty, <c>pass</c>, <c>...</c> or <c>raise NotImplementedError</c>: what it is; else null.</param>
/// <param name="StubStatement">The placeholder statement, when the stub has one.</param>
public sealed record PythonDefinition(
    string Keyword,
    LineSpan Header,
    int HeaderEnd,
    string IndentText,
    string BodyIndentText,
    LineSpan Body,
    int? InlineBodyStart,
    LineSpan? Docstring,
    StubKind? Stub,
    StubStatement? StubStatement)
{
    /// <summary>The header and the body.</summary>
    public LineSpan Extent => new(Header.First, Math.Max(Header.Last, Body.Last));

    /// <summary>A one-line definition such as <c>def f(): pass</c>.</summary>
    public bool IsOneLine => InlineBodyStart is not null;
}

/// <summary>A comment line that asks for code: <c># TODO</c> or <c># TODO: what</c>, alone on its line.</summary>
/// <param name="Line">The comment's line.</param>
/// <param name="LineEnd">Offset just after the comment (before the line break).</param>
/// <param name="IndentText">The comment's indentation, which the code written for it takes.</param>
/// <param name="Placeholder">A placeholder statement (<c>pass</c>, <c>...</c>, <c>raise NotImplementedError</c>) on the next code line at the same depth, which the code replaces; null to insert after the comment.</param>
public sealed record TodoComment(int Line, int LineEnd, string IndentText, StubStatement? Placeholder);

/// <summary>
/// The definitions and TODO comments of a Python text, found with <see cref="PythonLexer"/> so strings, brackets and
/// continuation lines are read as Python reads them.
/// </summary>
public sealed partial class PythonOutline
{
    private readonly string _text;
    private readonly IReadOnlyList<PythonLine> _lines;

    private PythonOutline(string text, IReadOnlyList<PythonLine> lines, IReadOnlyList<PythonDefinition> definitions, IndentStyle style)
    {
        _text = text;
        _lines = lines;
        Definitions = definitions;
        IndentStyle = style;
    }

    /// <summary>Every definition, in text order (outer ones before the ones nested in them).</summary>
    public IReadOnlyList<PythonDefinition> Definitions { get; }

    /// <summary>The file's indentation style.</summary>
    public IndentStyle IndentStyle { get; }

    /// <summary>Reads a whole file.</summary>
    public static PythonOutline Analyze(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var style = IndentStyle.Detect(text);
        var lines = PythonLexer.Lex(text).Lines;
        var statements = Statements(lines);
        var definitions = new List<PythonDefinition>();
        for (var s = 0; s < statements.Count; s++)
        {
            var statement = statements[s];
            var first = text.AsSpan(lines[statement.First].Start, lines[statement.First].Length);
            var keyword = BlockContext.Keyword(first.ToString());
            if (keyword is "def" or "class")
            {
                definitions.Add(Define(text, lines, statements, s, keyword, style));
            }
        }

        return new PythonOutline(text, lines, definitions, style);
    }

    /// <summary>The innermost definition whose header or body holds <paramref name="line"/>.</summary>
    public PythonDefinition? DefinitionAt(int line) => Definitions.LastOrDefault(definition => definition.Extent.Contains(line));

    /// <summary>The definition whose header starts on <paramref name="line"/>.</summary>
    public PythonDefinition? DefinitionStartingAt(int line) => Definitions.FirstOrDefault(definition => definition.Header.First == line);

    /// <summary>The TODO comment on <paramref name="line"/>, if the line is one.</summary>
    public TodoComment? TodoAt(int line)
    {
        if (line < 0 || line >= _lines.Count || !_lines[line].IsCommentOnly || !_lines[line].StartsLogicalLine)
        {
            return null;
        }

        var comment = _text.Substring(_lines[line].Start, _lines[line].Length);
        if (!TodoPattern().IsMatch(comment))
        {
            return null;
        }

        var indent = Indentation.LeadingText(comment);
        var width = Indentation.Columns(indent);
        StubStatement? placeholder = null;
        var statements = Statements(_lines);
        var next = statements.FirstOrDefault(statement => statement.First > line);
        if (next != default && Indentation.Width(_text.AsSpan(_lines[next.First].Start, _lines[next.First].Length)) == width)
        {
            placeholder = Placeholder(_text, _lines, next);
        }

        return new TodoComment(line, _lines[line].End, indent, placeholder);
    }

    /// <summary>The physical lines of each statement: from a line that starts one to the last line that continues it.</summary>
    private static List<LineSpan> Statements(IReadOnlyList<PythonLine> lines)
    {
        var statements = new List<LineSpan>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (!lines[i].IsCode || !lines[i].StartsLogicalLine)
            {
                continue;
            }

            var last = i;
            while (last + 1 < lines.Count && lines[last + 1].LogicalStartLine == i && !lines[last + 1].StartsLogicalLine)
            {
                last++;
            }

            statements.Add(new LineSpan(i, last));
        }

        return statements;
    }

    private static PythonDefinition Define(string text, IReadOnlyList<PythonLine> lines, List<LineSpan> statements, int index, string keyword, IndentStyle style)
    {
        var header = statements[index];
        var headerText = text.AsSpan(lines[header.First].Start, lines[header.First].Length);
        var indentText = Indentation.Leading(headerText).ToString();
        var width = Indentation.Columns(indentText);
        var lastLine = text.Substring(lines[header.Last].Start, lines[header.Last].Length);
        var defaultBodyIndent = indentText + style.Unit;

        if (!lines[header.Last].IsBlockOpener)
        {
            // def f(): pass — a body on the header's line.
            var inline = InlineStubPattern().Match(lastLine);
            int? bodyStart = inline.Success ? lines[header.Last].Start + inline.Groups["colon"].Index + 1 : lines[header.Last].End;
            StubKind? stub = inline.Success && keyword == "def" ? StubOf(inline.Groups["stub"].Value) : null;
            var statement = inline.Success
                ? new StubStatement(stub ?? StubKind.Pass, header, lines[header.Last].Start + inline.Groups["stub"].Index, lines[header.Last].End)
                : null;
            return new PythonDefinition(keyword, header, lines[header.Last].End, indentText, defaultBodyIndent, new LineSpan(header.Last + 1, header.Last), bodyStart, null, stub, stub is null ? null : statement);
        }

        var body = new List<LineSpan>();
        for (var s = index + 1; s < statements.Count; s++)
        {
            var statement = statements[s];
            if (Indentation.Width(text.AsSpan(lines[statement.First].Start, lines[statement.First].Length)) <= width)
            {
                break;
            }

            body.Add(statement);
        }

        if (body.Count == 0)
        {
            var blank = header.Last;
            while (blank + 1 < lines.Count && lines[blank + 1].IsBlank)
            {
                blank++;
            }

            return new PythonDefinition(
                keyword, header, lines[header.Last].End, indentText, defaultBodyIndent, new LineSpan(header.Last + 1, blank), null, null,
                keyword == "def" ? StubKind.Empty : null, null);
        }

        var bodyIndent = Indentation.LeadingText(text.Substring(lines[body[0].First].Start, lines[body[0].First].Length));
        LineSpan? docstring = IsStringStatement(text, lines, body[0]) ? body[0] : null;
        var code = docstring is null ? body : body.Skip(1).ToList();
        StubKind? kind = null;
        StubStatement? placeholder = null;
        if (keyword == "def")
        {
            if (code.Count == 0)
            {
                kind = StubKind.Empty;
            }
            else if (code.Count == 1 && Placeholder(text, lines, code[0]) is { } only)
            {
                kind = only.Kind;
                placeholder = only;
            }
        }

        return new PythonDefinition(
            keyword, header, lines[header.Last].End, indentText, bodyIndent, new LineSpan(header.Last + 1, body[^1].Last), null, docstring, kind, placeholder);
    }

    /// <summary>The statement as a placeholder (pass, ..., raise NotImplementedError), or null when it is real code.</summary>
    private static StubStatement? Placeholder(string text, IReadOnlyList<PythonLine> lines, LineSpan statement)
    {
        var start = lines[statement.First].Start;
        var end = lines[statement.Last].End;
        var source = text[start..end];
        var match = PlaceholderPattern().Match(source);
        if (!match.Success)
        {
            return null;
        }

        var stub = match.Groups["stub"];
        return new StubStatement(StubOf(stub.Value), statement, start + stub.Index, end);
    }

    private static StubKind StubOf(string statement) => statement.TrimStart() switch
    {
        "pass" => StubKind.Pass,
        "..." => StubKind.Ellipsis,
        _ => StubKind.NotImplemented,
    };

    private static bool IsStringStatement(string text, IReadOnlyList<PythonLine> lines, LineSpan statement)
    {
        var first = text.AsSpan(lines[statement.First].Start, lines[statement.First].Length).TrimStart();
        var quote = first.IndexOfAny('"', '\'');
        return quote == 0 || (quote > 0 && PythonLexer.IsStringPrefix(first[..quote], out _, out _));
    }

    // "# TODO", "# TODO: what", "#TODO what" — not "# TODOS" or "# todo list".
    [GeneratedRegex(@"^\s*#\s*TODO(?::|\b)", RegexOptions.CultureInvariant)]
    private static partial Regex TodoPattern();

    // A placeholder statement, optionally followed by a comment.
    [GeneratedRegex(@"^\s*(?<stub>pass|\.\.\.|raise\s+NotImplementedError\b(?:\s*\([^\r\n]*\))?)\s*(?:#[^\r\n]*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex PlaceholderPattern();

    // The end of a one-line definition: "...): pass" (the ':' is the last one outside the placeholder).
    [GeneratedRegex(@"(?<colon>:)\s*(?<stub>pass|\.\.\.|raise\s+NotImplementedError\b(?:\s*\([^\r\n]*\))?)\s*(?:#[^\r\n]*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex InlineStubPattern();
}
