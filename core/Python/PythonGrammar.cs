using System.Runtime.CompilerServices;

namespace CodeAssist.Server.Python;

/// <summary>
/// The recursive-descent parser behind <see cref="PythonParser"/>: one method per rule of the Python grammar, over
/// a cursor on the tokens. A rule that cannot go on throws <see cref="ParseFailure"/> at the token it stopped at.
/// </summary>
/// <remarks>
/// The grammar is PEG, but it needs to look back only where a soft keyword or a parenthesis can start two kinds of
/// statement (<c>match</c>, <c>case</c> in a fragment, <c>with (</c>); there <see cref="Either"/> tries both and keeps
/// the failure that got further, as CPython reports the furthest error. Expressions are parsed once and described by
/// <see cref="ExprTraits"/>, which tells whether they may be assigned to or deleted.
/// </remarks>
internal sealed partial class PythonGrammar
{
    /// <summary>How deep expressions may nest (unary operators, powers, conditionals, lambdas, brackets); CPython compiles 2,000 and fails at 5,000.</summary>
    private const int MaximumDepth = 3000;

    private readonly PythonTokens _source;
    private readonly List<PythonToken> _tokens;
    private readonly List<int> _rebased;
    private readonly string _text;
    private readonly bool _fragment;
    private readonly int _contentEnd;
    private readonly List<(int Start, int Length)> _names = [];
    private int _position;
    private int _depth;

    public PythonGrammar(PythonTokens tokens, bool fragment)
    {
        _source = tokens;
        _tokens = tokens.Tokens;
        _rebased = tokens.Rebased;
        _text = tokens.Text;
        _fragment = fragment;
        _contentEnd = tokens.ContentEnd;
    }

    private PythonTokenKind Kind => _tokens[_position].Kind;

    private PythonTokenKind Next => KindAt(_position + 1);

    /// <summary>Parses the whole text: statements up to the end.</summary>
    public void ParseFile()
    {
        bool first = true;
        bool afterCase = false;
        while (Kind != PythonTokenKind.EndOfText)
        {
            if (Kind == PythonTokenKind.Indent)
            {
                throw Failure("unexpected indent");
            }

            bool continues = _fragment && (first || afterCase || _rebased.Contains(_position));
            first = false;
            afterCase = false;
            if (continues && Kind is PythonTokenKind.Elif or PythonTokenKind.Else or PythonTokenKind.Except or PythonTokenKind.Finally)
            {
                DanglingClauses();
            }
            else if (continues && IsWord("case") && Next is not (PythonTokenKind.Equal or PythonTokenKind.Dot or PythonTokenKind.Colon or PythonTokenKind.Newline or PythonTokenKind.AugmentedAssign))
            {
                Either(CaseBlock, Statement);
                afterCase = true;
            }
            else
            {
                Statement();
            }
        }
    }

    private PythonTokenKind KindAt(int index) => _tokens[Math.Min(index, _tokens.Count - 1)].Kind;

    private void Advance() => _position++;

    private bool Accept(PythonTokenKind kind)
    {
        if (Kind != kind)
        {
            return false;
        }

        _position++;
        return true;
    }

    private void Expect(PythonTokenKind kind, string message)
    {
        if (Kind != kind)
        {
            throw Failure(message);
        }

        _position++;
    }

    private ParseFailure Failure(string message) => new(_source, _position, message);

    private ParseFailure FailureAt(int index, string message) => new(_source, index, message);

    private bool IsWord(string word) => IsWordAt(_position, word);

    private bool IsWordAt(int index, string word)
    {
        var token = _tokens[Math.Min(index, _tokens.Count - 1)];
        return token.Kind == PythonTokenKind.Name && _text.AsSpan(token.Start, token.Length).SequenceEqual(word);
    }

    /// <summary>One level deeper into nested expressions: wrong past <see cref="MaximumDepth"/>, and never a stack overflow.</summary>
    private void Deeper()
    {
        if (++_depth > MaximumDepth)
        {
            throw Failure("too deeply nested");
        }

        RuntimeHelpers.EnsureSufficientExecutionStack();
    }

    /// <summary>Whether the token at <paramref name="index"/> is the name __debug__, which nothing may bind.</summary>
    private bool IsDebug(int index) => _tokens[index].Length == 9 && IsWordAt(index, "__debug__");

    /// <summary>
    /// Consumes the name at the cursor, which binds it (a parameter or keyword argument): unique among the names
    /// bound from <paramref name="names"/> on in <see cref="_names"/>, and not __debug__.
    /// </summary>
    private void Bind(int names, string repeated)
    {
        var token = _tokens[_position];
        if (IsDebug(_position))
        {
            throw Failure("cannot assign to __debug__");
        }

        var name = _text.AsSpan(token.Start, token.Length);
        for (int i = names; i < _names.Count; i++)
        {
            if (_text.AsSpan(_names[i].Start, _names[i].Length).SequenceEqual(name))
            {
                throw Failure(repeated);
            }
        }

        _names.Add((token.Start, token.Length));
        Advance();
    }

    /// <summary>Tries <paramref name="first"/>, then from the same token <paramref name="second"/>; when both fail, the failure that got further.</summary>
    private void Either(Action first, Action second)
    {
        int start = _position, depth = _depth, names = _names.Count;
        try
        {
            first();
        }
        catch (ParseFailure failed)
        {
            _position = start;
            _depth = depth;
            _names.RemoveRange(names, _names.Count - names);
            try
            {
                second();
            }
            catch (ParseFailure alsoFailed)
            {
                throw failed.TokenIndex > alsoFailed.TokenIndex ? failed : alsoFailed;
            }
        }
    }

    /// <summary>A block after a clause's colon: statements on the same line, or NEWLINE INDENT statements DEDENT.</summary>
    private void Block()
    {
        if (!Accept(PythonTokenKind.Newline))
        {
            SimpleStatements();
            return;
        }

        Expect(PythonTokenKind.Indent, "expected an indented block");
        do
        {
            Statement();
        }
        while (Kind != PythonTokenKind.Dedent);
        Advance();
    }

    private void Statement()
    {
        switch (Kind)
        {
            case PythonTokenKind.Def or PythonTokenKind.Class or PythonTokenKind.At:
                Definition();
                break;
            case PythonTokenKind.Async:
                AsyncStatement();
                break;
            case PythonTokenKind.If:
                IfStatement();
                break;
            case PythonTokenKind.While:
                WhileStatement();
                break;
            case PythonTokenKind.For:
                ForStatement();
                break;
            case PythonTokenKind.Try:
                TryStatement();
                break;
            case PythonTokenKind.With:
                WithStatement();
                break;
            case PythonTokenKind.Indent:
                throw Failure("unexpected indent");
            case PythonTokenKind.Elif or PythonTokenKind.Else or PythonTokenKind.Except or PythonTokenKind.Finally:
                var token = _tokens[_position];
                throw Failure($"'{_text.AsSpan(token.Start, token.Length)}' does not continue a statement here");
            case PythonTokenKind.Name when IsWord("match") && MayStartMatch():
                Either(MatchStatement, SimpleStatements);
                break;
            default:
                SimpleStatements();
                break;
        }
    }

    /// <summary>
    /// Whether "match" here may start a match statement rather than an expression: what follows is no operator that
    /// makes it a name, and its logical line ends with a colon, or with the text.
    /// </summary>
    private bool MayStartMatch()
    {
        if (Next is PythonTokenKind.Equal or PythonTokenKind.AugmentedAssign or PythonTokenKind.Dot or PythonTokenKind.Colon
            or PythonTokenKind.Comma or PythonTokenKind.Semicolon or PythonTokenKind.Newline or PythonTokenKind.ColonEqual
            or PythonTokenKind.RightParen or PythonTokenKind.EndOfText)
        {
            return false;
        }

        int i = _position + 1;
        while (KindAt(i) is not (PythonTokenKind.Newline or PythonTokenKind.EndOfText or PythonTokenKind.Error))
        {
            i++;
        }

        return KindAt(i - 1) == PythonTokenKind.Colon || KindAt(i) != PythonTokenKind.Newline || IsEnd(i);
    }

    /// <summary>Whether the token at <paramref name="index"/> stands where the text ends, after its last real token.</summary>
    private bool IsEnd(int index)
    {
        var token = _tokens[Math.Min(index, _tokens.Count - 1)];
        return token.Kind is PythonTokenKind.Newline or PythonTokenKind.Dedent or PythonTokenKind.EndOfText && token.Start >= _contentEnd;
    }
}

/// <summary>The parse stopped at a token no rule accepts.</summary>
internal sealed class ParseFailure(PythonTokens tokens, int tokenIndex, string message) : Exception(message)
{
    /// <summary>The tokens parsed.</summary>
    public PythonTokens Tokens { get; } = tokens;

    /// <summary>The index of that token.</summary>
    public int TokenIndex { get; } = tokenIndex;
}
