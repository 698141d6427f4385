namespace CodeAssist.Server.Python;

/// <summary>Operators and brackets for <see cref="PythonTokenizer"/>: the longest operator that matches, brackets matched as they close.</summary>
internal sealed partial class PythonTokenizer
{
    private int Operator(int i)
    {
        string text = _text;
        char c = text[i];
        char next = i + 1 < text.Length ? text[i + 1] : '\0';
        char third = i + 2 < text.Length ? text[i + 2] : '\0';
        switch (c)
        {
            case '(' or '[' or '{':
                if (_brackets.Count == MaximumNesting)
                {
                    return Fail(i, "too many nested parentheses");
                }

                _brackets.Add(i);
                return Single(c switch { '(' => PythonTokenKind.LeftParen, '[' => PythonTokenKind.LeftBracket, _ => PythonTokenKind.LeftBrace });
            case ')' or ']' or '}':
                return CloseBracket(i);
            case ',':
                return Single(PythonTokenKind.Comma);
            case ';':
                return Single(PythonTokenKind.Semicolon);
            case '~':
                return Single(PythonTokenKind.Tilde);
            case ':':
                return next == '=' ? Pair(PythonTokenKind.ColonEqual) : Single(PythonTokenKind.Colon);
            case '.':
                return next == '.' && third == '.' ? Emitted(PythonTokenKind.Ellipsis, 3) : Single(PythonTokenKind.Dot);
            case '@':
                return next == '=' ? Pair(PythonTokenKind.AugmentedAssign) : Single(PythonTokenKind.At);
            case '=':
                return next == '=' ? Pair(PythonTokenKind.Comparison) : Single(PythonTokenKind.Equal);
            case '!':
                return next == '=' ? Pair(PythonTokenKind.Comparison) : Fail(i, "invalid syntax");
            case '<' or '>':
                if (next == c)
                {
                    return third == '=' ? Emitted(PythonTokenKind.AugmentedAssign, 3) : Pair(PythonTokenKind.Shift);
                }

                return next == '=' ? Pair(PythonTokenKind.Comparison) : Single(PythonTokenKind.Comparison);
            case '-':
                return next switch { '>' => Pair(PythonTokenKind.Arrow), '=' => Pair(PythonTokenKind.AugmentedAssign), _ => Single(PythonTokenKind.Minus) };
            case '+':
                return next == '=' ? Pair(PythonTokenKind.AugmentedAssign) : Single(PythonTokenKind.Plus);
            case '*' or '/':
                if (next == c)
                {
                    return third == '=' ? Emitted(PythonTokenKind.AugmentedAssign, 3) : Pair(c == '*' ? PythonTokenKind.DoubleStar : PythonTokenKind.TermOperator);
                }

                return next == '=' ? Pair(PythonTokenKind.AugmentedAssign) : Single(c == '*' ? PythonTokenKind.Star : PythonTokenKind.Slash);
            case '%' or '&' or '|' or '^':
                if (next == '=')
                {
                    return Pair(PythonTokenKind.AugmentedAssign);
                }

                return Single(c switch { '%' => PythonTokenKind.TermOperator, '&' => PythonTokenKind.Ampersand, '|' => PythonTokenKind.Pipe, _ => PythonTokenKind.Caret });
            default:
                return Fail(i, "invalid character");
        }

        int Single(PythonTokenKind kind) => Emitted(kind, 1);

        int Pair(PythonTokenKind kind) => Emitted(kind, 2);

        int Emitted(PythonTokenKind kind, int length)
        {
            Emit(kind, i, length);
            return i + length;
        }
    }

    private int CloseBracket(int i)
    {
        char c = _text[i];
        if (_brackets.Count == 0)
        {
            return Fail(i, $"unmatched '{c}'");
        }

        char opening = _text[_brackets[^1]];
        if (opening != c switch { ')' => '(', ']' => '[', _ => '{' })
        {
            return Fail(i, $"closing parenthesis '{c}' does not match opening parenthesis '{opening}'");
        }

        _brackets.RemoveAt(_brackets.Count - 1);
        Emit(c switch { ')' => PythonTokenKind.RightParen, ']' => PythonTokenKind.RightBracket, _ => PythonTokenKind.RightBrace }, i, 1);
        return i + 1;
    }
}
