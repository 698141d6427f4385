using System.Text;

namespace CodeAssist.Server.Python;

/// <summary>Atoms and what follows them: attributes, calls and their arguments, subscripts, and displays.</summary>
internal sealed partial class PythonGrammar
{
    /// <summary>An atom followed by any number of attributes, calls and subscripts.</summary>
    private ExprTraits Primary()
    {
        var traits = Atom();
        while (true)
        {
            switch (Kind)
            {
                case PythonTokenKind.Dot:
                    Advance();
                    Expect(PythonTokenKind.Name, "expected a name after '.'");
                    traits = IsDebug(_position - 1) ? ExprTraits.None : ReferenceTraits;
                    break;
                case PythonTokenKind.LeftParen:
                    Arguments(allowGenerator: true);
                    traits = ExprTraits.None;
                    break;
                case PythonTokenKind.LeftBracket:
                    Subscript();
                    traits = ReferenceTraits;
                    break;
                default:
                    return traits;
            }
        }
    }

    private ExprTraits Atom()
    {
        switch (Kind)
        {
            case PythonTokenKind.Name:
                Advance();
                return IsDebug(_position - 1) ? ExprTraits.None : NameTraits;
            case PythonTokenKind.Number or PythonTokenKind.None or PythonTokenKind.True or PythonTokenKind.False or PythonTokenKind.Ellipsis:
                Advance();
                return ExprTraits.None;
            case PythonTokenKind.String:
                Strings(allowFormatted: true);
                return ExprTraits.None;
            case PythonTokenKind.LeftParen:
                return Parenthesized();
            case PythonTokenKind.LeftBracket:
                return ListDisplay();
            case PythonTokenKind.LeftBrace:
                BraceDisplay();
                return ExprTraits.None;
            default:
                throw Failure("expected an expression");
        }
    }

    /// <summary>Adjacent string literals, which concatenate: all bytes or none.</summary>
    private void Strings(bool allowFormatted)
    {
        bool? bytes = null;
        while (Kind == PythonTokenKind.String)
        {
            var token = _tokens[_position];
            bool isBytes = false;
            int i = token.Start;
            for (; _text[i] is not ('"' or '\''); i++)
            {
                char c = _text[i];
                isBytes |= c is 'b' or 'B';
                if (!allowFormatted && c is 'f' or 'F' or 't' or 'T')
                {
                    throw Failure("patterns may only match literals and attribute lookups");
                }
            }

            if (bytes is { } previous && previous != isBytes)
            {
                throw Failure("cannot mix bytes and nonbytes literals");
            }

            if (isBytes && !Ascii.IsValid(_text.AsSpan(i, token.End - i)))
            {
                throw Failure("bytes can only contain ASCII literal characters");
            }

            bytes = isBytes;
            Advance();
        }
    }

    /// <summary>A parenthesized expression, a tuple, a generator expression or a parenthesized yield.</summary>
    private ExprTraits Parenthesized()
    {
        Advance();
        if (Accept(PythonTokenKind.RightParen))
        {
            return EmptySequenceTraits;
        }

        if (Kind == PythonTokenKind.Yield)
        {
            YieldExpression();
            Expect(PythonTokenKind.RightParen, "expected ')'");
            return ExprTraits.None;
        }

        int start = _position;
        var first = StarNamedExpression();
        if (StartsComprehension)
        {
            Comprehension(first, start, PythonTokenKind.RightParen, "expected ')'");
            return ExprTraits.None;
        }

        if (Accept(PythonTokenKind.RightParen))
        {
            RequireValue(first, start);
            return first & ~ExprTraits.BareName;
        }

        if (Kind != PythonTokenKind.Comma)
        {
            throw Failure("invalid syntax. Perhaps you forgot a comma?");
        }

        return SequenceRest(first, PythonTokenKind.RightParen, "expected ')'");
    }

    private ExprTraits ListDisplay()
    {
        Advance();
        if (Accept(PythonTokenKind.RightBracket))
        {
            return EmptySequenceTraits;
        }

        int start = _position;
        var first = StarNamedExpression();
        if (StartsComprehension)
        {
            Comprehension(first, start, PythonTokenKind.RightBracket, "expected ']'");
            return ExprTraits.None;
        }

        return SequenceRest(first, PythonTokenKind.RightBracket, "expected ']'");
    }

    /// <summary>The elements after the first of a tuple, list or set, and its closing bracket.</summary>
    private ExprTraits SequenceRest(ExprTraits first, PythonTokenKind closer, string message)
    {
        var sequence = default(SequenceTraits);
        sequence.Add(first);
        while (Accept(PythonTokenKind.Comma) && Kind != closer)
        {
            sequence.Add(StarNamedExpression());
        }

        Expect(closer, message);
        return sequence.Result;
    }

    /// <summary>A dict or set display or comprehension.</summary>
    private void BraceDisplay()
    {
        Advance();
        if (Accept(PythonTokenKind.RightBrace))
        {
            return;
        }

        if (Accept(PythonTokenKind.DoubleStar))
        {
            BitwiseOr();
            DictItems();
            return;
        }

        int start = _position;
        var first = StarNamedExpression();
        if (Accept(PythonTokenKind.Colon))
        {
            if ((first & ExprTraits.Starred) != 0)
            {
                throw FailureAt(start, "cannot use a starred expression in a dictionary key");
            }

            Expression();
            if (StartsComprehension)
            {
                ComprehensionClauses();
                Expect(PythonTokenKind.RightBrace, "expected '}'");
                return;
            }

            DictItems();
            return;
        }

        if (StartsComprehension)
        {
            Comprehension(first, start, PythonTokenKind.RightBrace, "expected '}'");
            return;
        }

        SequenceRest(first, PythonTokenKind.RightBrace, "expected '}'");
    }

    /// <summary>The items after the first of a dict display, and its closing brace.</summary>
    private void DictItems()
    {
        while (Accept(PythonTokenKind.Comma) && Kind != PythonTokenKind.RightBrace)
        {
            if (Accept(PythonTokenKind.DoubleStar))
            {
                BitwiseOr();
                continue;
            }

            Expression();
            Expect(PythonTokenKind.Colon, "expected ':'");
            Expression();
        }

        Expect(PythonTokenKind.RightBrace, "expected '}'");
    }

    /// <summary>A call's arguments, or a class's bases, from the opening parenthesis to the closing one.</summary>
    private void Arguments(bool allowGenerator)
    {
        Advance();
        bool keyword = false, unpackedKeywords = false;
        int count = 0;
        int names = _names.Count;
        while (Kind != PythonTokenKind.RightParen)
        {
            int start = _position;
            if (Accept(PythonTokenKind.Star))
            {
                if (unpackedKeywords)
                {
                    throw FailureAt(start, "iterable argument unpacking follows keyword argument unpacking");
                }

                Expression();
            }
            else if (Accept(PythonTokenKind.DoubleStar))
            {
                Expression();
                unpackedKeywords = true;
            }
            else if (Kind == PythonTokenKind.Name && Next == PythonTokenKind.Equal)
            {
                Bind(names, "keyword argument repeated");
                Advance();
                Expression();
                keyword = true;
            }
            else
            {
                NamedExpression();
                if (Kind == PythonTokenKind.Equal)
                {
                    throw Failure("expression cannot contain assignment, perhaps you meant \"==\"?");
                }

                if (StartsComprehension)
                {
                    if (!allowGenerator || count > 0)
                    {
                        throw FailureAt(start, "Generator expression must be parenthesized");
                    }

                    ComprehensionClauses();
                    if (Kind == PythonTokenKind.Comma)
                    {
                        throw FailureAt(start, "Generator expression must be parenthesized");
                    }

                    break;
                }

                if (keyword || unpackedKeywords)
                {
                    throw FailureAt(start, unpackedKeywords ? "positional argument follows keyword argument unpacking" : "positional argument follows keyword argument");
                }
            }

            count++;
            if (!Accept(PythonTokenKind.Comma))
            {
                break;
            }
        }

        _names.RemoveRange(names, _names.Count - names);
        Expect(PythonTokenKind.RightParen, "expected ')'");
    }

    private void Subscript()
    {
        Advance();
        do
        {
            Slice();
        }
        while (Accept(PythonTokenKind.Comma) && Kind != PythonTokenKind.RightBracket);
        Expect(PythonTokenKind.RightBracket, "expected ']'");
    }

    private void Slice()
    {
        if (Accept(PythonTokenKind.Star))
        {
            Expression();
            return;
        }

        if (Kind != PythonTokenKind.Colon)
        {
            NamedExpression();
            if (Kind != PythonTokenKind.Colon)
            {
                return;
            }
        }

        Advance();
        if (Kind is not (PythonTokenKind.Colon or PythonTokenKind.Comma or PythonTokenKind.RightBracket))
        {
            Expression();
        }

        if (Accept(PythonTokenKind.Colon) && Kind is not (PythonTokenKind.Comma or PythonTokenKind.RightBracket))
        {
            Expression();
        }
    }
}
