using System.Text.RegularExpressions;
using CodeAssist.Server.Completion;
using CodeAssist.Server.Protocol;
using CodeAssist.Server.Python;

namespace CodeAssist.Server.CodeActions;

/// <summary>What the checks need to know about the function a code action writes for: its parameters, docstring and return annotation.</summary>
/// <param name="Parameters">Its parameter names, in order (<c>self</c> and <c>cls</c> included).</param>
/// <param name="Docstring">Its docstring's text (empty when it has none).</param>
/// <param name="ReturnsNone">Whether the signature says <c>-&gt; None</c>.</param>
public sealed partial record FunctionShape(IReadOnlyList<string> Parameters, string Docstring, bool ReturnsNone)
{
    /// <summary>A class, or a function the checks know nothing about.</summary>
    public static FunctionShape None { get; } = new([], string.Empty, ReturnsNone: false);

    /// <summary>Whether the docstring says the function returns something ("Return …", "Returns …").</summary>
    public bool DocstringSaysReturn => SaysReturn().IsMatch(Docstring);

    /// <summary>Reads the header (<c>def name(params) -&gt; annotation:</c>) and the docstring's text.</summary>
    public static FunctionShape Read(string header, string docstring)
    {
        var tokens = PythonTokenizer.Tokenize(header, fragment: true);
        var parameters = new List<string>();
        var open = tokens.Tokens.FindIndex(t => t.Kind == PythonTokenKind.LeftParen);
        var depth = 0;
        var close = -1;
        for (var i = Math.Max(open, 0); open >= 0 && i < tokens.Tokens.Count; i++)
        {
            var token = tokens[i];
            depth += token.Kind switch
            {
                PythonTokenKind.LeftParen or PythonTokenKind.LeftBracket or PythonTokenKind.LeftBrace => 1,
                PythonTokenKind.RightParen or PythonTokenKind.RightBracket or PythonTokenKind.RightBrace => -1,
                _ => 0,
            };
            if (depth == 0)
            {
                close = i;
                break;
            }

            if (depth == 1 && token.Kind == PythonTokenKind.Name
                && tokens[i - 1].Kind is PythonTokenKind.LeftParen or PythonTokenKind.Comma or PythonTokenKind.Star or PythonTokenKind.DoubleStar)
            {
                parameters.Add(header.Substring(token.Start, token.Length));
            }
        }

        var returnsNone = close >= 0 && close + 3 < tokens.Tokens.Count
            && tokens[close + 1].Kind == PythonTokenKind.Arrow && tokens[close + 2].Kind == PythonTokenKind.None
            && tokens[close + 3].Kind == PythonTokenKind.Colon;
        return new FunctionShape(parameters, Unquote(docstring), returnsNone);
    }

    private static string Unquote(string docstring)
    {
        var text = docstring.Trim();
        var start = text.IndexOfAny(['"', '\'']);
        return start < 0 ? text : text[start..].Trim('"', '\'', ' ', '\t', '\r', '\n');
    }

    [GeneratedRegex(@"^\s*(?:[A-Za-z_]\w*\s*:\s*)?Returns?\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SaysReturn();
}

/// <summary>
/// The checks a code action's candidate must pass before it may be applied, besides the ghost text's (syntax, bound
/// names, standard-library attributes, see <see cref="CandidateCheck"/>). A function body: not a placeholder
/// (<c>pass</c>, <c>...</c>, a lone docstring); parses as the function's body, complete; reads only bound names —
/// called ones included, the file being finished; uses every parameter (unless the docstring says one is ignored or
/// unused); returns a value when the docstring says "Return …", none when the signature says <c>-&gt; None</c>. A
/// docstring: some text, and no parameter described that the function does not have. A TODO's code: Python in place,
/// and no line outside the TODO's block.
/// </summary>
public static partial class BodyCheck
{
    /// <summary>Null when <paramref name="text"/> (what the action writes between <paramref name="prefix"/> and <paramref name="suffix"/>) passes; else <c>check: why</c>.</summary>
    public static string? Reject(CodeActionPlan plan, FunctionShape shape, string prefix, string text, string suffix, ModuleNames? modules = null) => plan.Action switch
    {
        CodeAssistActionKinds.ImplementFunction => Body(shape, prefix, text, suffix, modules),
        CodeAssistActionKinds.WriteDocstring => Docstring(shape, text),
        _ => Todo(plan, prefix, text, suffix, modules),
    };

    private static string? Body(FunctionShape shape, string prefix, string text, string suffix, ModuleNames? modules)
    {
        if (CodeActionGenerator.IsOnlyPlaceholder(text) || IsLoneString(text))
        {
            return "placeholder: the body is only pass, ..., a docstring or a comment";
        }

        var region = prefix[CandidateCheck.StatementStart(prefix)..];
        var parsed = PythonParser.Check(region + text + "\n", PythonParseOptions.Fragment);
        if (parsed.Verdict != PythonParseVerdict.Valid)
        {
            return parsed.Verdict == PythonParseVerdict.Invalid ? $"syntax: {parsed.Reason}" : "syntax: the body ends unfinished";
        }

        if (NameCheck.Find(prefix, text, suffix, region, string.Empty, complete: true, modules) is { } unbound)
        {
            return unbound.Reason;
        }

        var tokens = PythonTokenizer.Tokenize(text, fragment: true);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var returnsValue = false;
        for (var i = 0; i < tokens.Tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Kind == PythonTokenKind.Name)
            {
                used.Add(text.Substring(token.Start, token.Length));
            }
            else if (token.Kind == PythonTokenKind.Yield
                || (token.Kind == PythonTokenKind.Return && tokens[i + 1].Kind is not (PythonTokenKind.Newline or PythonTokenKind.Semicolon or PythonTokenKind.EndOfText or PythonTokenKind.Dedent)))
            {
                returnsValue = true;
            }
        }

        var unused = shape.Parameters.Where(p => p is not ("self" or "cls") && !p.StartsWith('_') && !used.Contains(p) && !SaysIgnored(shape.Docstring, p)).ToList();
        if (unused.Count > 0)
        {
            return $"parameters: the body does not use {string.Join(", ", unused)}";
        }

        if (shape.ReturnsNone && returnsValue)
        {
            return "returns: the signature says -> None but the body returns a value";
        }

        if (!shape.ReturnsNone && shape.DocstringSaysReturn && !returnsValue)
        {
            return "returns: the docstring says Return but the body returns no value";
        }

        return null;
    }

    private static string? Docstring(FunctionShape shape, string text)
    {
        if (text.Trim().Length == 0)
        {
            return "placeholder: the docstring is empty";
        }

        foreach (var name in DescribedParameters(text))
        {
            if (shape.Parameters.Count > 0 && !shape.Parameters.Contains(name) && name is not ("self" or "cls"))
            {
                return $"parameters: the docstring describes '{name}', which the function does not have";
            }
        }

        return null;
    }

    /// <summary>The names a docstring describes as parameters: <c>:param x:</c>, and the <c>x:</c> or <c>x (type):</c> lines of an Args or Parameters section.</summary>
    internal static IEnumerable<string> DescribedParameters(string docstring)
    {
        foreach (Match match in ParamField().Matches(docstring))
        {
            yield return match.Groups["name"].Value;
        }

        var inSection = false;
        foreach (var raw in docstring.Split('\n'))
        {
            var line = raw.Trim();
            if (SectionHeader().IsMatch(line))
            {
                inSection = true;
                continue;
            }

            if (line.Length == 0 || (line.EndsWith(':') && !line.Contains(' ', StringComparison.Ordinal)))
            {
                inSection = false;
                continue;
            }

            if (inSection && SectionEntry().Match(line) is { Success: true } entry)
            {
                yield return entry.Groups["name"].Value;
            }
        }
    }

    private static string? Todo(CodeActionPlan plan, string prefix, string text, string suffix, ModuleNames? modules)
    {
        if (CodeActionGenerator.IsOnlyPlaceholder(text))
        {
            return "placeholder: only pass, ... or a comment";
        }

        var outside = text.Split('\n').Skip(1).FirstOrDefault(line => line.Trim().Length > 0 && !line.StartsWith(plan.BodyIndent, StringComparison.Ordinal));
        if (outside is not null)
        {
            return $"block: '{outside.Trim()}' is outside the TODO's block";
        }

        return CandidateCheck.Check(prefix, text, suffix, modules).Rejection;
    }

    /// <summary>Whether the docstring says <paramref name="parameter"/> is not used ("x is ignored", "unused: x").</summary>
    private static bool SaysIgnored(string docstring, string parameter) =>
        docstring.Contains(parameter, StringComparison.Ordinal) && IgnoredWords().IsMatch(docstring);

    private static bool IsLoneString(string text)
    {
        var tokens = PythonTokenizer.Tokenize(text, fragment: true).Tokens;
        var content = tokens.Where(t => t.Kind is not (PythonTokenKind.Newline or PythonTokenKind.Indent or PythonTokenKind.Dedent or PythonTokenKind.EndOfText)).ToList();
        return content.Count > 0 && content.All(t => t.Kind == PythonTokenKind.String);
    }

    [GeneratedRegex(@"\b(ignored|unused|not used)\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex IgnoredWords();

    [GeneratedRegex(@":param\s+(?:[\w\[\], .]+\s+)?(?<name>[A-Za-z_]\w*)\s*:", RegexOptions.CultureInvariant)]
    private static partial Regex ParamField();

    [GeneratedRegex(@"^(Args|Arguments|Parameters|Params|Keyword Args|Keyword Arguments):?$", RegexOptions.CultureInvariant)]
    private static partial Regex SectionHeader();

    [GeneratedRegex(@"^\*{0,2}(?<name>[A-Za-z_]\w*)\s*(\([^)]*\))?\s*:", RegexOptions.CultureInvariant)]
    private static partial Regex SectionEntry();
}
