using System.Globalization;

namespace CodeAssist.Server.Python;

/// <summary>Names, keywords and numbers for <see cref="PythonTokenizer"/>.</summary>
internal sealed partial class PythonTokenizer
{
    private static bool IsIdentifierStart(char c) =>
        c < 128 ? char.IsAsciiLetter(c) || c == '_' : char.IsLetter(c) || char.IsSurrogate(c) || char.GetUnicodeCategory(c) == UnicodeCategory.LetterNumber;

    private static bool IsIdentifierPart(char c)
    {
        if (c < 128)
        {
            return char.IsAsciiLetterOrDigit(c) || c == '_';
        }

        return char.IsLetterOrDigit(c) || char.IsSurrogate(c) || char.GetUnicodeCategory(c) is UnicodeCategory.LetterNumber
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.ConnectorPunctuation;
    }

    private static PythonTokenKind Keyword(ReadOnlySpan<char> word) => word switch
    {
        "False" => PythonTokenKind.False,
        "None" => PythonTokenKind.None,
        "True" => PythonTokenKind.True,
        "and" => PythonTokenKind.And,
        "as" => PythonTokenKind.As,
        "assert" => PythonTokenKind.Assert,
        "async" => PythonTokenKind.Async,
        "await" => PythonTokenKind.Await,
        "break" => PythonTokenKind.Break,
        "class" => PythonTokenKind.Class,
        "continue" => PythonTokenKind.Continue,
        "def" => PythonTokenKind.Def,
        "del" => PythonTokenKind.Del,
        "elif" => PythonTokenKind.Elif,
        "else" => PythonTokenKind.Else,
        "except" => PythonTokenKind.Except,
        "finally" => PythonTokenKind.Finally,
        "for" => PythonTokenKind.For,
        "from" => PythonTokenKind.From,
        "global" => PythonTokenKind.Global,
        "if" => PythonTokenKind.If,
        "import" => PythonTokenKind.Import,
        "in" => PythonTokenKind.In,
        "is" => PythonTokenKind.Is,
        "lambda" => PythonTokenKind.Lambda,
        "nonlocal" => PythonTokenKind.Nonlocal,
        "not" => PythonTokenKind.Not,
        "or" => PythonTokenKind.Or,
        "pass" => PythonTokenKind.Pass,
        "raise" => PythonTokenKind.Raise,
        "return" => PythonTokenKind.Return,
        "try" => PythonTokenKind.Try,
        "while" => PythonTokenKind.While,
        "with" => PythonTokenKind.With,
        "yield" => PythonTokenKind.Yield,
        _ => PythonTokenKind.Name,
    };

    private int IdentifierEnd(int i)
    {
        while (i < _text.Length && IsIdentifierPart(_text[i]))
        {
            i++;
        }

        return i;
    }

    private int NameOrString(int i)
    {
        int end = IdentifierEnd(i);
        if (end < _text.Length && _text[end] is '"' or '\'' && PythonLexer.IsStringPrefix(_text.AsSpan(i, end - i), out bool formatted, out bool raw))
        {
            return String(i, end, formatted, raw);
        }

        Emit(Keyword(_text.AsSpan(i, end - i)), i, end - i);
        return end;
    }

    private int Number(int start)
    {
        string text = _text;
        int i = start;
        if (text[i] == '0' && i + 1 < text.Length && char.ToLowerInvariant(text[i + 1]) is 'x' or 'o' or 'b')
        {
            int radix = char.ToLowerInvariant(text[i + 1]) switch { 'x' => 16, 'o' => 8, _ => 2 };
            i += 2;
            if (i < text.Length && text[i] == '_')
            {
                i++;
            }

            i = Digits(i, radix);
            return i < 0 ? Fail(start, "invalid number literal") : EndNumber(start, i);
        }

        bool leadingZero = false;
        bool point = false;
        if (text[i] != '.')
        {
            i = Digits(i, 10);
            if (i < 0)
            {
                return Fail(start, "invalid decimal literal");
            }

            leadingZero = text[start] == '0' && text.AsSpan(start, i - start).ContainsAnyExcept('0', '_');
        }

        if (i < text.Length && text[i] == '.')
        {
            point = true;
            i++;
            if (i < text.Length && IsDigit(text[i]))
            {
                i = Digits(i, 10);
                if (i < 0)
                {
                    return Fail(start, "invalid decimal literal");
                }
            }
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            int exponent = i + 1;
            if (exponent < text.Length && text[exponent] is '+' or '-')
            {
                exponent++;
            }

            if (exponent < text.Length && IsDigit(text[exponent]))
            {
                i = Digits(exponent, 10);
                if (i < 0)
                {
                    return Fail(start, "invalid decimal literal");
                }

                point = true;
            }
        }

        if (i < text.Length && text[i] is 'j' or 'J')
        {
            i++;
        }
        else if (leadingZero && !point)
        {
            return Fail(start, "leading zeros in decimal integer literals are not permitted");
        }

        return EndNumber(start, i);
    }

    /// <summary>Digits of <paramref name="radix"/> from <paramref name="i"/>, single underscores between them; -1 when there are none or an underscore is misplaced.</summary>
    private int Digits(int i, int radix)
    {
        string text = _text;
        int first = i;
        while (i < text.Length)
        {
            char c = text[i];
            if (IsRadixDigit(c, radix))
            {
                i++;
            }
            else if (c == '_' && i > first && i + 1 < text.Length && IsRadixDigit(text[i + 1], radix))
            {
                i++;
            }
            else
            {
                break;
            }
        }

        return i > first ? i : -1;

        static bool IsRadixDigit(char c, int radix) => radix switch
        {
            16 => char.IsAsciiHexDigit(c),
            10 => IsDigit(c),
            8 => c is >= '0' and <= '7',
            _ => c is '0' or '1',
        };
    }

    private int EndNumber(int start, int end)
    {
        if (end < _text.Length && (IsIdentifierPart(_text[end]) || _text[end] == '_'))
        {
            // "1if x else 2" is still Python; "1abc" and "0b12" are not.
            int wordEnd = IdentifierEnd(end);
            bool keyword = _text.AsSpan(end, wordEnd - end) is "and" or "else" or "for" or "if" or "in" or "is" or "not" or "or";
            if (!keyword || IsDigit(_text[end]))
            {
                return Fail(start, "invalid decimal literal");
            }
        }

        Emit(PythonTokenKind.Number, start, end - start);
        return end;
    }
}
