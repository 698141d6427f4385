namespace CodeAssist.Server.Python;

/// <summary>Where the expressions of an f-string's replacement fields lie: the code inside <c>{…}</c>, nested format specs included.</summary>
/// <remarks>
/// A field's expression ends at its <c>!</c> conversion, <c>:</c> format spec, self-documenting <c>=</c> or closing
/// brace, outside brackets. Strings inside a field are skipped whole, so names in a nested f-string are not found.
/// </remarks>
internal static class PythonFormatFields
{
    /// <summary>The (start, length) of each replacement field's expression in the string token at [<paramref name="start"/>, <paramref name="end"/>) of <paramref name="text"/>; none for a string that is not formatted.</summary>
    public static List<(int Start, int Length)> Expressions(string text, int start, int end)
    {
        var fields = new List<(int Start, int Length)>();
        int quote = start;
        while (quote < end && char.IsAsciiLetter(text[quote]))
        {
            quote++;
        }

        if (quote >= end || !PythonLexer.IsStringPrefix(text.AsSpan(start, quote - start), out bool formatted, out bool raw) || !formatted)
        {
            return fields;
        }

        char q = text[quote];
        bool triple = quote + 2 < end && text[quote + 1] == q && text[quote + 2] == q;
        int bodyEnd = end;
        int closing = triple ? 3 : 1;
        if (end - closing > quote && text.AsSpan(end - closing, closing).IndexOfAnyExcept(q) < 0)
        {
            bodyEnd = end - closing;
        }

        Literal(text, quote + closing, bodyEnd, raw, fields);
        return fields;
    }

    /// <summary>Literal text up to <paramref name="end"/>, or up to a closing brace when <paramref name="spec"/>; returns where it stopped.</summary>
    private static int Literal(string text, int i, int end, bool raw, List<(int Start, int Length)> fields, bool spec = false)
    {
        while (i < end)
        {
            char c = text[i];
            char next = i + 1 < end ? text[i + 1] : '\0';
            if (c == '\\' && !raw)
            {
                if (next == 'N' && i + 2 < end && text[i + 2] == '{')
                {
                    int close = text.IndexOf('}', i + 3, end - i - 3);
                    i = close < 0 ? end : close + 1;
                    continue;
                }

                i += next is '{' or '}' ? 1 : 2;
            }
            else if (c == '{' && next == '{' && !spec)
            {
                i += 2;
            }
            else if (c == '{')
            {
                i = Field(text, i + 1, end, raw, fields);
            }
            else if (c == '}')
            {
                if (spec)
                {
                    return i;
                }

                i += next == '}' ? 2 : 1;
            }
            else
            {
                i++;
            }
        }

        return end;
    }

    private static int Field(string text, int i, int end, bool raw, List<(int Start, int Length)> fields)
    {
        int expressionStart = i, depth = 0;
        bool ended = false;
        while (i < end)
        {
            char c = text[i];
            char next = i + 1 < end ? text[i + 1] : '\0';
            char previous = text[i - 1];
            switch (c)
            {
                case '"' or '\'':
                    int close = text.IndexOf(c, i + 1, end - i - 1);
                    i = close < 0 ? end : close + 1;
                    continue;
                case '(' or '[' or '{':
                    depth++;
                    break;
                case ')' or ']':
                    depth--;
                    break;
                case '}' when depth > 0:
                    depth--;
                    break;
                case '}':
                    End(expressionStart, i);
                    return i + 1;
                case '!' when depth == 0 && next != '=':
                case '=' when depth == 0 && next != '=' && previous is not ('=' or '!' or '<' or '>'):
                    End(expressionStart, i);
                    break;
                case ':' when depth == 0:
                    End(expressionStart, i);
                    i = Literal(text, i + 1, end, raw, fields, spec: true);
                    return Math.Min(end, i + 1);
            }

            i++;
        }

        End(expressionStart, end);
        return end;

        void End(int from, int to)
        {
            if (!ended && to > from)
            {
                fields.Add((from, to - from));
            }

            ended = true;
        }
    }
}
