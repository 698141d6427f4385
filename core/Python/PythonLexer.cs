using System.Collections.Immutable;

namespace CodeAssist.Server.Python;

/// <summary>A small Python lexer that knows strings, comments and brackets well enough to tell where statements and blocks are.</summary>
/// <remarks>
/// It knows single, double and triple quotes; the prefixes r, b, u, f, t and their valid pairs; backslash escapes
/// and continuations; f-string replacement fields, which are code again (so a quote or '#' inside them is lexed as
/// in code, as Python 3.12 does) with their format specs. It does not tokenize further. An unterminated
/// single-quoted string ends at its line's end, as Python reports it, so one bad line does not swallow the rest.
/// </remarks>
public static partial class PythonLexer
{
    /// <summary>Lexes a text from the start of a file.</summary>
    public static PythonLexResult Lex(ReadOnlySpan<char> text) => Lex(text, PythonLexState.Initial);

    /// <summary>Lexes a text that continues one whose lexing ended in <paramref name="start"/>.</summary>
    public static PythonLexResult Lex(ReadOnlySpan<char> text, PythonLexState start)
    {
        ArgumentNullException.ThrowIfNull(start);
        var scanner = new Scanner(start);
        return scanner.Run(text);
    }

    /// <summary>Whether <paramref name="word"/> is a string prefix such as "rb" or "F", and whether it makes an f-string (or t-string) or a raw one.</summary>
    public static bool IsStringPrefix(ReadOnlySpan<char> word, out bool formatted, out bool raw)
    {
        formatted = false;
        raw = false;
        if (word.Length is 0 or > 2)
        {
            return false;
        }

        int others = 0;
        bool unicode = false;
        foreach (char c in word)
        {
            switch (char.ToLowerInvariant(c))
            {
                case 'r' when !raw:
                    raw = true;
                    break;
                case 'f' or 't':
                    formatted = true;
                    others++;
                    break;
                case 'b':
                    others++;
                    break;
                case 'u':
                    unicode = true;
                    others++;
                    break;
                default:
                    formatted = false;
                    raw = false;
                    return false;
            }
        }

        bool valid = others <= 1 && !(unicode && word.Length > 1);
        if (!valid)
        {
            formatted = false;
            raw = false;
        }

        return valid;
    }

    private static bool IsBreak(char c) => c is '\n' or '\r';

    private static char Opening(char closer) => closer switch
    {
        ')' => '(',
        ']' => '[',
        _ => '{',
    };
}
