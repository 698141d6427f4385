namespace CodeAssist.Server.Python;

/// <summary>
/// A parser of Python 3's statement grammar (3.8 to 3.13) that tells whether a text is valid, the valid beginning of
/// something longer, or invalid whatever follows — for checking a completion with the code around it.
/// </summary>
/// <remarks>
/// A recursive-descent parser over <see cref="PythonTokenizer"/>'s tokens. It accepts what any of those versions
/// accepts (so <c>match</c>, <c>type X = …</c>, type parameters, <c>except*</c> and PEP 701 f-strings are valid).
/// Strings are atoms: the code inside f-string replacement fields is tokenized, not parsed. The checks CPython makes
/// after parsing are left out where they need scopes (<c>return</c> or <c>await</c> outside a function,
/// <c>break</c> outside a loop, <c>nonlocal</c> at module level), since the text is usually a block out of its
/// context; the ones about the shape of a statement (assignment targets, starred expressions, parameter and argument
/// order, duplicate parameters) are kept.
/// The verdict is unfinished when the first error is at the end of the text (trailing blank lines and comments do not
/// count, so "x = a +\n" is unfinished like "x = a +"), or when the text parses but ends inside a string or after a
/// backslash continuation. The text must start where a statement starts; it may start indented (its first code line
/// is the base) and, as a <see cref="PythonParseOptions.Fragment"/>, continue a statement it does not show.
/// Measured against CPython 3.11's compile() in PythonParserCPythonAgreementTests; a 100-line block takes tens of
/// microseconds once the JIT has warmed up (PythonParserPerformanceTests).
/// </remarks>
public static class PythonParser
{
    /// <summary>Checks <paramref name="text"/>, a whole block unless <paramref name="options"/> says it is a fragment.</summary>
    public static PythonParseResult Check(string text, PythonParseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        bool fragment = !(options ?? PythonParseOptions.Block).StartsAtBlockStart;
        PythonTokens tokens;
        try
        {
            tokens = PythonTokenizer.Tokenize(text, fragment);
            new PythonGrammar(tokens, fragment).ParseFile();
        }
        catch (InsufficientExecutionStackException)
        {
            // Nesting deeper than any real code (CPython gives up at 200 brackets): wrong, and not worth a stack overflow.
            return Result(text, PythonParseVerdict.Invalid, 0, "too deeply nested");
        }
        catch (ParseFailure failure)
        {
            return Describe(failure);
        }

        return tokens.Truncation switch
        {
            PythonTruncation.None => PythonParseResult.Valid,
            PythonTruncation.String => Result(text, PythonParseVerdict.Unfinished, tokens.TruncationOffset, "unterminated string literal"),
            PythonTruncation.TripleQuotedString => Result(text, PythonParseVerdict.Unfinished, tokens.TruncationOffset, "unterminated triple-quoted string literal"),
            _ => Result(text, PythonParseVerdict.Unfinished, tokens.TruncationOffset, "unexpected end of text after a line continuation"),
        };
    }

    private static PythonParseResult Describe(ParseFailure failure)
    {
        var tokens = failure.Tokens;
        var token = tokens[failure.TokenIndex];
        if (token.Kind == PythonTokenKind.Error)
        {
            return Result(tokens.Text, PythonParseVerdict.Invalid, token.Start, tokens.ErrorMessage ?? "invalid syntax");
        }

        bool atEnd = token.Kind is PythonTokenKind.Newline or PythonTokenKind.Dedent or PythonTokenKind.EndOfText && token.Start >= tokens.ContentEnd;
        if (!atEnd)
        {
            return Result(tokens.Text, PythonParseVerdict.Invalid, token.Start, failure.Message);
        }

        string reason = tokens.OpenBracketOffset >= 0 ? $"'{tokens.Text[tokens.OpenBracketOffset]}' was never closed" : failure.Message;
        return Result(tokens.Text, PythonParseVerdict.Unfinished, tokens.ContentEnd, reason);
    }

    private static PythonParseResult Result(string text, PythonParseVerdict verdict, int offset, string reason)
    {
        int line = 1, lineStart = 0;
        for (int i = 0; i < offset && i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\n' || (c == '\r' && (i + 1 == text.Length || text[i + 1] != '\n')))
            {
                line++;
                lineStart = i + 1;
            }
        }

        return new PythonParseResult(verdict, offset, line, offset - lineStart + 1, reason);
    }
}
