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
            depth += BodyCheck.Nesting(token.Kind);
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
/// unused); returns a value when the docstring says "Return …" and cannot end without one, none when the signature
/// says <c>-&gt; None</c>; is not pointless (<see cref="PointlessBody"/>: the parameter handed back, <c>n - n</c>). A docstring: some text, and no parameter described that the function does not have. A
/// TODO's code: Python in place, and no line outside the TODO's block.
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
            else if (token.Kind == PythonTokenKind.String)
            {
                // An f-string's replacement fields use names too: return f"Hello, {name}!"
                foreach (var read in PythonReads.In(tokens, token.Start, token.End))
                {
                    used.Add(read.Chain[0]);
                }
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

        if (!shape.ReturnsNone && shape.DocstringSaysReturn && CanEndWithoutValue(IndentOf(prefix) + text))
        {
            return "returns: the docstring says Return but the body can end without returning a value";
        }

        return PointlessBody.Find(shape, text, tokens);
    }

    /// <summary>The white space the body's first line starts with: the end of the prefix when it is only that.</summary>
    private static string IndentOf(string prefix)
    {
        var tail = prefix[(prefix.LastIndexOf('\n') + 1)..];
        return tail.Trim().Length == 0 ? tail : string.Empty;
    }

    /// <summary>
    /// Whether control can run off the end of <paramref name="body"/> (its lines at one indentation), returning None:
    /// its last statement is not a <c>return</c> with a value or a <c>raise</c>, nor an <c>if</c> with an <c>else</c>
    /// whose every branch ends so, nor a <c>with</c> whose block does. Loops, <c>try</c> and <c>match</c> are not judged
    /// (a loop that returns from inside is how "Return the first …" is written). Measured on the short documented
    /// functions of the evaluation's site-packages whose docstring says "Return" and that return a value somewhere:
    /// 22 of 3,527 real bodies end this way (0.6 %), so the check rarely refuses what a person would write; on all
    /// 3,527 it agrees with the same rules applied to Python's own syntax tree.
    /// </summary>
    internal static bool CanEndWithoutValue(string body)
    {
        var tokens = PythonTokenizer.Tokenize(body, fragment: true).Tokens;
        var end = tokens.FindIndex(t => t.Kind is PythonTokenKind.EndOfText or PythonTokenKind.Error);
        return new ControlFlow(body, tokens).FallsThrough(0, end < 0 ? tokens.Count : end);
    }

    /// <summary>Reads where a body's statements end, over its tokens.</summary>
    private sealed class ControlFlow(string text, List<PythonToken> tokens)
    {
        /// <summary>Whether the statements in tokens [start, end) — one block's, or one line's simple ones — can end without a value.</summary>
        public bool FallsThrough(int start, int end)
        {
            var last = LastStatement(start, end);
            if (last < 0)
            {
                return true;
            }

            var next = last + 1 < end ? tokens[last + 1].Kind : PythonTokenKind.EndOfText;
            return tokens[last].Kind switch
            {
                PythonTokenKind.Return => next is PythonTokenKind.EndOfText or PythonTokenKind.Newline or PythonTokenKind.Semicolon or PythonTokenKind.Dedent,
                PythonTokenKind.Raise or PythonTokenKind.For or PythonTokenKind.While or PythonTokenKind.Try => false,
                PythonTokenKind.Async when next == PythonTokenKind.For => false,
                PythonTokenKind.Name when IsMatchStatement(last, end) => false,
                PythonTokenKind.If => IfFallsThrough(last, end),
                PythonTokenKind.With => BlockFallsThrough(last, end),
                PythonTokenKind.Async when next == PythonTokenKind.With => BlockFallsThrough(last, end),
                _ => true,
            };
        }

        /// <summary>
        /// Where the last statement of tokens [start, end) starts: after the last NEWLINE, DEDENT back to this level
        /// or semicolon, unless an elif, else, except or finally carries the compound statement before it on; -1 if none.
        /// </summary>
        private int LastStatement(int start, int end)
        {
            var last = -1;
            var depth = 0;
            var brackets = 0;
            var atStart = true;
            for (var i = start; i < end; i++)
            {
                var kind = tokens[i].Kind;
                if (atStart && depth == 0 && kind is not (PythonTokenKind.Newline or PythonTokenKind.Indent or PythonTokenKind.Dedent)
                    && (last < 0 || kind is not (PythonTokenKind.Elif or PythonTokenKind.Else or PythonTokenKind.Except or PythonTokenKind.Finally)))
                {
                    last = i;
                }

                depth += kind switch { PythonTokenKind.Indent => 1, PythonTokenKind.Dedent => -1, _ => 0 };
                brackets += Nesting(kind);
                atStart = depth == 0 && kind switch
                {
                    PythonTokenKind.Dedent or PythonTokenKind.Newline => true,
                    PythonTokenKind.Semicolon => brackets == 0,
                    _ => false,
                };
            }

            return last;
        }

        /// <summary>An if statement falls through when it has no else or one of its branches does.</summary>
        private bool IfFallsThrough(int clause, int end)
        {
            var hasElse = false;
            while (true)
            {
                hasElse |= tokens[clause].Kind == PythonTokenKind.Else;
                var (bodyStart, bodyEnd) = ClauseBody(clause, end);
                if (FallsThrough(bodyStart, bodyEnd))
                {
                    return true;
                }

                clause = bodyEnd;
                while (clause < end && tokens[clause].Kind is PythonTokenKind.Newline or PythonTokenKind.Dedent)
                {
                    clause++;
                }

                if (clause >= end || tokens[clause].Kind is not (PythonTokenKind.Elif or PythonTokenKind.Else))
                {
                    return !hasElse;
                }
            }
        }

        private bool BlockFallsThrough(int clause, int end)
        {
            var (bodyStart, bodyEnd) = ClauseBody(clause, end);
            return FallsThrough(bodyStart, bodyEnd);
        }

        /// <summary>
        /// The tokens of the body of the clause starting at <paramref name="clause"/>: after the header's colon, either
        /// the rest of its line (<c>if x: return y</c>) or the indented block, without its INDENT and DEDENT.
        /// </summary>
        private (int Start, int End) ClauseBody(int clause, int end)
        {
            var i = clause;
            var brackets = 0;
            var lambdas = 0;
            for (; i < end; i++)
            {
                var kind = tokens[i].Kind;
                brackets += Nesting(kind);
                if (kind == PythonTokenKind.Lambda)
                {
                    lambdas++;
                }
                else if (kind == PythonTokenKind.Colon && lambdas > 0)
                {
                    lambdas--;
                }
                else if (kind == PythonTokenKind.Colon && brackets == 0)
                {
                    break;
                }
            }

            var start = i + 1;
            if (start >= end || tokens[start].Kind != PythonTokenKind.Newline)
            {
                var lineEnd = start;
                while (lineEnd < end && tokens[lineEnd].Kind != PythonTokenKind.Newline)
                {
                    lineEnd++;
                }

                return (Math.Min(start, end), lineEnd);
            }

            var blockStart = start + 1 < end && tokens[start + 1].Kind == PythonTokenKind.Indent ? start + 2 : start + 1;
            var depth = 1;
            var j = blockStart;
            for (; j < end; j++)
            {
                depth += tokens[j].Kind switch { PythonTokenKind.Indent => 1, PythonTokenKind.Dedent => -1, _ => 0 };
                if (depth == 0)
                {
                    break;
                }
            }

            return (Math.Min(blockStart, end), j);
        }

        /// <summary>A <c>match</c> statement: the soft keyword, then its subject, then a colon that ends the line.</summary>
        private bool IsMatchStatement(int at, int end)
        {
            if (!text.AsSpan(tokens[at].Start, tokens[at].Length).SequenceEqual("match"))
            {
                return false;
            }

            var i = at + 1;
            while (i < end && tokens[i].Kind != PythonTokenKind.Newline)
            {
                i++;
            }

            return i > at + 1 && tokens[i - 1].Kind == PythonTokenKind.Colon;
        }
    }

    /// <summary>How a token changes the bracket depth: +1 for an opening bracket, −1 for a closing one, else 0.</summary>
    internal static int Nesting(PythonTokenKind kind) => kind switch
    {
        PythonTokenKind.LeftParen or PythonTokenKind.LeftBracket or PythonTokenKind.LeftBrace => 1,
        PythonTokenKind.RightParen or PythonTokenKind.RightBracket or PythonTokenKind.RightBrace => -1,
        _ => 0,
    };

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
