using System.Text.RegularExpressions;
using CodeAssist.Server.Python;

namespace CodeAssist.Server.CodeActions;

/// <summary>
/// Bodies that parse, use every parameter and return something, yet cannot be what the docstring asks for: the whole
/// body is <c>return p</c> for a parameter <c>p</c> (the input handed back unchanged, "Return the number of vowels in
/// text" answered with <c>return text</c>), or an operation of a name with itself whose result never depends on it
/// (<c>n - n</c>, <c>n / n</c>, <c>n % n</c>, <c>n ^ n</c>, <c>n &lt; n</c>, <c>n == n</c>, <c>n is n</c>; not
/// <c>n * n</c>, <c>n &amp; n</c> or <c>n != n</c>, which people write), or a method of a parameter given that parameter
/// again (<c>a.sum(a, b)</c>, <c>path.abspath(path)</c>: a module's function taken for a method; dunders excepted).
/// Measured on the 3,615 short documented functions (at most three statements) of the evaluation's site-packages
/// whose docstring says "Return": 3 are <c>return p</c> (identity helpers), 1 is <c>v.dot(v)</c>, none has such an
/// operation; of all 24,871 calls of a parameter's method in its functions, 12 pass it again (not dunders).
/// </summary>
internal static partial class PointlessBody
{
    /// <summary>Null when <paramref name="tokens"/> (the body's) are neither; else <c>pointless: why</c>.</summary>
    public static string? Find(FunctionShape shape, string text, PythonTokens tokens)
    {
        var content = tokens.Tokens.Where(t => t.Kind is not (PythonTokenKind.Newline or PythonTokenKind.Indent or PythonTokenKind.Dedent or PythonTokenKind.EndOfText)).ToList();
        if (shape.DocstringSaysReturn && content.Count == 2 && content[0].Kind == PythonTokenKind.Return && content[1].Kind == PythonTokenKind.Name)
        {
            var name = text.Substring(content[1].Start, content[1].Length);
            if (name is not ("self" or "cls") && shape.Parameters.Contains(name) && !SaysItReturnsIt(shape.Docstring, name))
            {
                return $"pointless: the body returns {name} unchanged";
            }
        }

        for (var i = 0; i + 2 < tokens.Tokens.Count; i++)
        {
            if (tokens[i].Kind == PythonTokenKind.Name && tokens[i + 2].Kind == PythonTokenKind.Name
                && IsConstantOperator(text, tokens, i + 1)
                && text.AsSpan(tokens[i].Start, tokens[i].Length).SequenceEqual(text.AsSpan(tokens[i + 2].Start, tokens[i + 2].Length))
                && (i == 0 || OpensOperand(tokens[i - 1].Kind))
                && EndsOperand(tokens[i + 1].Kind, tokens[i + 3].Kind))
            {
                var name = text.Substring(tokens[i].Start, tokens[i].Length);
                var op = text.Substring(tokens[i + 1].Start, tokens[i + 1].Length);
                return $"pointless: {name} {op} {name} is the same whatever {name} is";
            }
        }

        for (var i = 0; i + 3 < tokens.Tokens.Count; i++)
        {
            if (tokens[i].Kind == PythonTokenKind.Name && tokens[i + 1].Kind == PythonTokenKind.Dot && tokens[i + 2].Kind == PythonTokenKind.Name
                && tokens[i + 3].Kind == PythonTokenKind.LeftParen && (i == 0 || tokens[i - 1].Kind != PythonTokenKind.Dot))
            {
                var receiver = text.Substring(tokens[i].Start, tokens[i].Length);
                var method = text.Substring(tokens[i + 2].Start, tokens[i + 2].Length);
                if (receiver is not ("self" or "cls") && shape.Parameters.Contains(receiver) && !method.StartsWith("__", StringComparison.Ordinal)
                    && PassesItself(text, tokens, i + 3, receiver))
                {
                    return $"pointless: {receiver}.{method}(…) is given {receiver} again as an argument";
                }
            }
        }

        return null;
    }

    /// <summary>Whether the call whose '(' is at <paramref name="open"/> has <paramref name="name"/> alone as one of its own arguments.</summary>
    private static bool PassesItself(string text, PythonTokens tokens, int open, string name)
    {
        var depth = 0;
        for (var j = open; j < tokens.Tokens.Count; j++)
        {
            depth += BodyCheck.Nesting(tokens[j].Kind);
            if (depth == 0 || tokens[j].Kind is PythonTokenKind.EndOfText or PythonTokenKind.Error)
            {
                return false;
            }

            if (depth == 1 && tokens[j].Kind == PythonTokenKind.Name && tokens[j - 1].Kind is PythonTokenKind.LeftParen or PythonTokenKind.Comma
                && tokens[j + 1].Kind is PythonTokenKind.Comma or PythonTokenKind.RightParen
                && text.AsSpan(tokens[j].Start, tokens[j].Length).SequenceEqual(name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>-, /, //, %, ^, the comparisons but !=, and <c>is</c> (not <c>is not</c>): a name with itself gives a constant.</summary>
    private static bool IsConstantOperator(string text, PythonTokens tokens, int at) => tokens[at].Kind switch
    {
        PythonTokenKind.Minus or PythonTokenKind.Slash or PythonTokenKind.TermOperator or PythonTokenKind.Caret => true,
        PythonTokenKind.Comparison => !text.AsSpan(tokens[at].Start, tokens[at].Length).SequenceEqual("!="),
        PythonTokenKind.Is => at + 1 < tokens.Tokens.Count && tokens[at + 1].Kind != PythonTokenKind.Not,
        _ => false,
    };

    /// <summary>Whether the first name stands alone on its left: nothing before it that binds it tighter than the operator.</summary>
    private static bool OpensOperand(PythonTokenKind before) => before is PythonTokenKind.Newline or PythonTokenKind.Indent or PythonTokenKind.Dedent
        or PythonTokenKind.Return or PythonTokenKind.Yield or PythonTokenKind.Equal or PythonTokenKind.ColonEqual or PythonTokenKind.AugmentedAssign
        or PythonTokenKind.LeftParen or PythonTokenKind.LeftBracket or PythonTokenKind.LeftBrace or PythonTokenKind.Comma or PythonTokenKind.Colon
        or PythonTokenKind.Semicolon or PythonTokenKind.And or PythonTokenKind.Or or PythonTokenKind.Not or PythonTokenKind.If or PythonTokenKind.Elif
        or PythonTokenKind.While or PythonTokenKind.Else or PythonTokenKind.Assert or PythonTokenKind.Comparison;

    /// <summary>Whether the second name stands alone on its right: no call, attribute, subscript or tighter operator follows it.</summary>
    private static bool EndsOperand(PythonTokenKind op, PythonTokenKind after) => after switch
    {
        PythonTokenKind.EndOfText or PythonTokenKind.Newline or PythonTokenKind.RightParen or PythonTokenKind.RightBracket or PythonTokenKind.RightBrace
            or PythonTokenKind.Comma or PythonTokenKind.Colon or PythonTokenKind.Semicolon or PythonTokenKind.And or PythonTokenKind.Or
            or PythonTokenKind.If or PythonTokenKind.Else or PythonTokenKind.For or PythonTokenKind.Comparison => true,
        PythonTokenKind.Plus or PythonTokenKind.Minus => op is PythonTokenKind.Minus or PythonTokenKind.Slash or PythonTokenKind.TermOperator,
        _ => false,
    };

    /// <summary>Whether the docstring says the parameter itself is returned: "Return x.", "Returns its argument", "… unchanged" (not "Return data serialised as JSON").</summary>
    private static bool SaysItReturnsIt(string docstring, string name) =>
        Regex.IsMatch(docstring, @"^\s*Returns?\s+[`'""]*" + Regex.Escape(name) + @"[`'""]*\s*(?:\.|$)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)
        || ItselfWords().IsMatch(docstring);

    [GeneratedRegex(@"\b(unchanged|as is|itself|identity|its argument|the argument)\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex ItselfWords();
}
