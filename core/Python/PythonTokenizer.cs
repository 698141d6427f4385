namespace CodeAssist.Server.Python;

/// <summary>
/// Cuts Python source into the tokens the parser reads, as CPython's tokenizer does: NEWLINE at the end of each
/// logical line, INDENT and DEDENT from the indentation of its first line, nothing for blank and comment lines or for
/// line breaks inside brackets and after a backslash.
/// </summary>
/// <remarks>
/// <see cref="PythonLexer"/> tells lines apart (strings, comments, brackets) and resumes from a state, which the
/// keystroke path needs; the parser needs the tokens themselves, so this is a second scanner with the same string
/// prefixes (<see cref="PythonLexer.IsStringPrefix"/>) and indentation arithmetic (<see cref="Indentation"/>).
/// The text may be a block fragment: its first code line's indentation is the base. With
/// <c>fragment</c>, a later line indented less than the base is allowed (the text runs on past the end of the block
/// it started in) and its first token is listed in <see cref="PythonTokens.Rebased"/>; without it, such a line is
/// an inconsistent dedent. A string is one token, f-strings included; their replacement fields are scanned as code
/// as Python 3.12 does (PEP 701: strings of any quote nest, and a field may span lines), and a line break ends a
/// single-quoted string everywhere else. CPython's limits of 200 nested brackets and 100 indentation levels hold.
/// </remarks>
internal sealed partial class PythonTokenizer
{
    private const int MaximumNesting = 200;
    private const int MaximumIndentation = 100;

    private readonly string _text;
    private readonly bool _fragment;
    private readonly List<PythonToken> _tokens;
    private readonly List<(int Column, int Alternative)> _indents = [];
    private readonly List<int> _brackets = [];
    private readonly List<int> _rebased = [];
    private int _contentEnd;
    private bool _lineHasTokens;
    private bool _continued;
    private int _continuationOffset;
    private string? _error;
    private int _errorOffset;
    private PythonTruncation _truncation;
    private int _truncationOffset;

    private PythonTokenizer(string text, bool fragment)
    {
        _text = text;
        _fragment = fragment;
        _tokens = new List<PythonToken>((text.Length / 4) + 8);
    }

    /// <summary>Tokenizes <paramref name="text"/>; <paramref name="fragment"/> allows lines indented less than the first.</summary>
    public static PythonTokens Tokenize(string text, bool fragment)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokenizer = new PythonTokenizer(text, fragment);
        tokenizer.Run();
        return new PythonTokens(
            text,
            tokenizer._tokens,
            tokenizer._contentEnd,
            tokenizer._error,
            tokenizer._truncation,
            tokenizer._truncationOffset,
            tokenizer._brackets.Count > 0 ? tokenizer._brackets[0] : -1,
            tokenizer._rebased);
    }

    private static bool IsBreak(char c) => c is '\n' or '\r';

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    private void Run()
    {
        string text = _text;
        int i = text.Length > 0 && text[0] == '\ufeff' ? 1 : 0;
        bool lineStart = true;
        while (i < text.Length)
        {
            if (lineStart && _brackets.Count == 0 && !_continued)
            {
                i = StartLine(i, out bool code);
                lineStart = !code;
                if (i < 0)
                {
                    break;
                }

                continue;
            }

            char c = text[i];
            if (c is ' ' or '\t' or '\f')
            {
                i++;
                continue;
            }

            if (IsBreak(c))
            {
                int next = AfterBreak(i);
                _continued = false;
                if (_brackets.Count == 0)
                {
                    if (_lineHasTokens)
                    {
                        _tokens.Add(new PythonToken(PythonTokenKind.Newline, i, next - i));
                        _lineHasTokens = false;
                    }

                    lineStart = true;
                }

                i = next;
                continue;
            }

            if (c == '#')
            {
                i = LineEnd(i);
                continue;
            }

            if (c == '\\')
            {
                if (i + 1 == text.Length)
                {
                    Truncate(PythonTruncation.Continuation, i);
                    break;
                }

                if (!IsBreak(text[i + 1]))
                {
                    i = Fail(i, "unexpected character after line continuation character");
                    break;
                }

                _continued = true;
                _continuationOffset = i;
                i = AfterBreak(i + 1);
                continue;
            }

            i = c switch
            {
                '\0' => Fail(i, "source code cannot contain null bytes"),
                '"' or '\'' => String(i, i, formatted: false, raw: false),
                _ when IsDigit(c) || (c == '.' && i + 1 < text.Length && IsDigit(text[i + 1])) => Number(i),
                _ when IsIdentifierStart(c) => NameOrString(i),
                _ => Operator(i),
            };
            if (i < 0)
            {
                break;
            }
        }

        Finish();
    }

    /// <summary>Measures a physical line's indentation; a code line's changes it, a blank or comment line is skipped whole.</summary>
    private int StartLine(int i, out bool code)
    {
        string text = _text;
        int column = 0, alternative = 0, j = i;
        for (; j < text.Length; j++)
        {
            char c = text[j];
            if (c == ' ')
            {
                column++;
                alternative++;
            }
            else if (c == '\t')
            {
                column = ((column / Indentation.TabWidth) + 1) * Indentation.TabWidth;
                alternative++;
            }
            else if (c == '\f')
            {
                column = 0;
                alternative = 0;
            }
            else
            {
                break;
            }
        }

        code = false;
        if (j == text.Length)
        {
            return j;
        }

        if (text[j] == '#')
        {
            j = LineEnd(j);
        }

        if (j == text.Length)
        {
            return j;
        }

        if (IsBreak(text[j]))
        {
            return AfterBreak(j);
        }

        code = true;
        return Indent(j, column, alternative);
    }

    private int Indent(int at, int column, int alternative)
    {
        if (_indents.Count == 0)
        {
            _indents.Add((column, alternative));
            return at;
        }

        var top = _indents[^1];
        if (column == top.Column)
        {
            return alternative == top.Alternative ? at : Fail(at, "inconsistent use of tabs and spaces in indentation");
        }

        if (column > top.Column)
        {
            if (alternative <= top.Alternative)
            {
                return Fail(at, "inconsistent use of tabs and spaces in indentation");
            }

            if (_indents.Count > MaximumIndentation)
            {
                return Fail(at, "too many levels of indentation");
            }

            _indents.Add((column, alternative));
            _tokens.Add(new PythonToken(PythonTokenKind.Indent, at, 0));
            return at;
        }

        if (_fragment && column < _indents[0].Column)
        {
            for (int level = _indents.Count - 1; level > 0; level--)
            {
                _tokens.Add(new PythonToken(PythonTokenKind.Dedent, at, 0));
            }

            _indents.Clear();
            _indents.Add((column, alternative));
            _rebased.Add(_tokens.Count);
            return at;
        }

        while (_indents.Count > 1 && column < _indents[^1].Column)
        {
            _indents.RemoveAt(_indents.Count - 1);
            _tokens.Add(new PythonToken(PythonTokenKind.Dedent, at, 0));
        }

        top = _indents[^1];
        if (column != top.Column)
        {
            return Fail(at, "unindent does not match any outer indentation level");
        }

        return alternative == top.Alternative ? at : Fail(at, "inconsistent use of tabs and spaces in indentation");
    }

    private void Finish()
    {
        int end = _text.Length;
        if (_error is not null)
        {
            _tokens.Add(new PythonToken(PythonTokenKind.Error, _errorOffset, 0));
            _tokens.Add(new PythonToken(PythonTokenKind.EndOfText, end, 0));
            return;
        }

        if (_continued && _truncation == PythonTruncation.None)
        {
            // A backslash continued the last line and nothing came after it.
            Truncate(PythonTruncation.Continuation, _continuationOffset);
        }

        if (_lineHasTokens)
        {
            _tokens.Add(new PythonToken(PythonTokenKind.Newline, end, 0));
        }

        for (int level = _indents.Count - 1; level > 0; level--)
        {
            _tokens.Add(new PythonToken(PythonTokenKind.Dedent, end, 0));
        }

        _tokens.Add(new PythonToken(PythonTokenKind.EndOfText, end, 0));
    }

    private void Emit(PythonTokenKind kind, int start, int length)
    {
        _tokens.Add(new PythonToken(kind, start, length));
        _contentEnd = start + length;
        _lineHasTokens = true;
        _continued = false;
    }

    private int AfterBreak(int i) => _text[i] == '\r' && i + 1 < _text.Length && _text[i + 1] == '\n' ? i + 2 : i + 1;

    private int LineEnd(int i)
    {
        while (i < _text.Length && !IsBreak(_text[i]))
        {
            i++;
        }

        return i;
    }

    private int Fail(int offset, string message)
    {
        if (_error is null)
        {
            _error = message;
            _errorOffset = offset;
        }

        return -1;
    }

    private void Truncate(PythonTruncation truncation, int offset)
    {
        _truncation = truncation;
        _truncationOffset = offset;
    }
}
