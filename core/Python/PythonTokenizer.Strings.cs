using System.Runtime.CompilerServices;

namespace CodeAssist.Server.Python;

/// <summary>Strings for <see cref="PythonTokenizer"/>: one token each, f-strings with their replacement fields and format specs.</summary>
internal sealed partial class PythonTokenizer
{
    private const int Truncated = -2;

    /// <summary>How deep strings may nest in f-string replacement fields (CPython allows 150).</summary>
    private const int MaximumStringNesting = 150;

    private int _stringDepth;

    /// <summary>A string from its prefix at <paramref name="start"/> and its quote at <paramref name="quote"/>; emits it whole.</summary>
    private int String(int start, int quote, bool formatted, bool raw)
    {
        int end = StringBody(start, quote, formatted, raw);
        if (end == Truncated)
        {
            _truncationOffset = start;
            Emit(PythonTokenKind.String, start, _text.Length - start);
            return -1;
        }

        if (end < 0)
        {
            return -1;
        }

        Emit(PythonTokenKind.String, start, end - start);
        return end;
    }

    /// <summary>Scans a string from its quote; the offset after it, <see cref="Truncated"/>, or -1 on an error.</summary>
    private int StringBody(int start, int quoteAt, bool formatted, bool raw)
    {
        if (++_stringDepth > MaximumStringNesting)
        {
            return Fail(start, "too many nested f-strings");
        }

        RuntimeHelpers.EnsureSufficientExecutionStack();
        int end = StringBodyCore(start, quoteAt, formatted, raw);
        _stringDepth--;
        return end;
    }

    private int StringBodyCore(int start, int quoteAt, bool formatted, bool raw)
    {
        string text = _text;
        char quote = text[quoteAt];
        bool triple = quoteAt + 2 < text.Length && text[quoteAt + 1] == quote && text[quoteAt + 2] == quote;
        int i = quoteAt + (triple ? 3 : 1);
        while (true)
        {
            if (i >= text.Length)
            {
                return TruncateString(start, triple);
            }

            char c = text[i];
            if (c == '\\')
            {
                if (i + 1 >= text.Length)
                {
                    return TruncateString(start, triple);
                }

                char next = text[i + 1];
                if (formatted && !raw && next == 'N' && i + 2 < text.Length && text[i + 2] == '{')
                {
                    // A named escape, \N{...}, not a replacement field.
                    int close = text.IndexOf('}', i + 3);
                    if (close < 0)
                    {
                        return TruncateString(start, triple);
                    }

                    i = close + 1;
                    continue;
                }

                i += formatted && next is '{' or '}' ? 1 : next == '\r' && i + 2 < text.Length && text[i + 2] == '\n' ? 3 : 2;
            }
            else if (c == quote)
            {
                if (!triple)
                {
                    return i + 1;
                }

                if (i + 2 < text.Length && text[i + 1] == quote && text[i + 2] == quote)
                {
                    return i + 3;
                }

                i++;
            }
            else if (IsBreak(c) && !triple)
            {
                return Unterminated(start, i);
            }
            else if (formatted && c is '{' or '}')
            {
                if (i + 1 < text.Length && text[i + 1] == c)
                {
                    i += 2;
                }
                else if (c == '}')
                {
                    return Fail(i, "f-string: single '}' is not allowed");
                }
                else
                {
                    i = ReplacementField(start, i + 1, quote, triple);
                    if (i < 0)
                    {
                        return i;
                    }
                }
            }
            else
            {
                i++;
            }
        }
    }

    /// <summary>Scans the code of a replacement field up to and past its closing brace.</summary>
    private int ReplacementField(int start, int i, char quote, bool triple)
    {
        string text = _text;
        int depth = 0;
        while (true)
        {
            if (i >= text.Length)
            {
                return TruncateString(start, triple);
            }

            char c = text[i];
            switch (c)
            {
                case '#':
                    i = LineEnd(i);
                    continue;
                case '"' or '\'':
                    i = StringBody(i, i, formatted: false, raw: false);
                    break;
                case '(' or '[' or '{':
                    depth++;
                    i++;
                    break;
                case ')' or ']':
                    if (depth == 0)
                    {
                        return Fail(i, $"f-string: unmatched '{c}'");
                    }

                    depth--;
                    i++;
                    break;
                case '}':
                    if (depth == 0)
                    {
                        return i + 1;
                    }

                    depth--;
                    i++;
                    break;
                case ':' when depth == 0:
                    return FormatSpec(start, i + 1, quote, triple);
                default:
                    if (IsIdentifierStart(c))
                    {
                        int end = IdentifierEnd(i);
                        bool nested = false, nestedRaw = false;
                        bool prefix = end < text.Length && text[end] is '"' or '\'' && PythonLexer.IsStringPrefix(text.AsSpan(i, end - i), out nested, out nestedRaw);
                        i = prefix ? StringBody(i, end, nested, nestedRaw) : end;
                    }
                    else
                    {
                        i++;
                    }

                    break;
            }

            if (i < 0)
            {
                return i;
            }
        }
    }

    private int FormatSpec(int start, int i, char quote, bool triple)
    {
        string text = _text;
        while (true)
        {
            if (i >= text.Length)
            {
                return TruncateString(start, triple);
            }

            char c = text[i];
            if (c == '{')
            {
                i = ReplacementField(start, i + 1, quote, triple);
                if (i < 0)
                {
                    return i;
                }
            }
            else if (c == '}')
            {
                return i + 1;
            }
            else if (c == quote && (!triple || (i + 2 < text.Length && text[i + 1] == quote && text[i + 2] == quote)))
            {
                return Fail(i, "f-string: expecting '}'");
            }
            else
            {
                i += c == '\\' ? 2 : 1;
            }
        }
    }

    /// <summary>A line break ended a single-quoted string: cut short when only white space follows, wrong otherwise.</summary>
    private int Unterminated(int start, int lineBreak) =>
        _text.AsSpan(lineBreak).IsWhiteSpace() ? TruncateString(start, triple: false) : Fail(start, "unterminated string literal");

    private int TruncateString(int start, bool triple)
    {
        Truncate(triple ? PythonTruncation.TripleQuotedString : PythonTruncation.String, start);
        return Truncated;
    }
}
