using System.Runtime.CompilerServices;

namespace CodeAssist.Server.Python;

/// <summary>The patterns of match statements' case blocks (Python 3.10).</summary>
internal sealed partial class PythonGrammar
{
    /// <summary>The patterns after "case": one pattern, or an open sequence of them with commas.</summary>
    private void Patterns()
    {
        int start = _position;
        bool star = MaybeStarPattern();
        if (Kind != PythonTokenKind.Comma)
        {
            if (star)
            {
                throw FailureAt(start, "starred pattern must be in a sequence");
            }

            return;
        }

        while (Accept(PythonTokenKind.Comma) && Kind is not (PythonTokenKind.Colon or PythonTokenKind.If))
        {
            MaybeStarPattern();
        }
    }

    private bool MaybeStarPattern()
    {
        if (Accept(PythonTokenKind.Star))
        {
            Expect(PythonTokenKind.Name, "expected a name after '*'");
            return true;
        }

        Pattern();
        return false;
    }

    private void Pattern()
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        do
        {
            ClosedPattern();
        }
        while (Accept(PythonTokenKind.Pipe));
        if (Accept(PythonTokenKind.As))
        {
            if (IsWord("_"))
            {
                throw Failure("cannot use '_' as a target");
            }

            Expect(PythonTokenKind.Name, "expected a name after 'as'");
        }
    }

    private void ClosedPattern()
    {
        switch (Kind)
        {
            case PythonTokenKind.Minus or PythonTokenKind.Number:
                NumberPattern();
                break;
            case PythonTokenKind.String:
                Strings(allowFormatted: false);
                break;
            case PythonTokenKind.None or PythonTokenKind.True or PythonTokenKind.False:
                Advance();
                break;
            case PythonTokenKind.Name:
                Advance();
                while (Accept(PythonTokenKind.Dot))
                {
                    Expect(PythonTokenKind.Name, "expected a name after '.'");
                }

                if (Kind == PythonTokenKind.LeftParen)
                {
                    ClassPatternArguments();
                }

                break;
            case PythonTokenKind.LeftParen:
                SequencePattern(PythonTokenKind.RightParen, "expected ')'");
                break;
            case PythonTokenKind.LeftBracket:
                SequencePattern(PythonTokenKind.RightBracket, "expected ']'");
                break;
            case PythonTokenKind.LeftBrace:
                MappingPattern();
                break;
            default:
                throw Failure("expected a pattern");
        }
    }

    /// <summary>A signed number, or a complex literal: a real number, + or -, an imaginary one.</summary>
    private void NumberPattern()
    {
        Accept(PythonTokenKind.Minus);
        int real = _position;
        Expect(PythonTokenKind.Number, "expected a number");
        if (Kind is not (PythonTokenKind.Plus or PythonTokenKind.Minus))
        {
            return;
        }

        if (IsImaginary(real))
        {
            throw FailureAt(real, "real number required in complex literal");
        }

        Advance();
        int imaginary = _position;
        Expect(PythonTokenKind.Number, "expected a number");
        if (!IsImaginary(imaginary))
        {
            throw FailureAt(imaginary, "imaginary number required in complex literal");
        }
    }

    private bool IsImaginary(int index) => _text[_tokens[index].End - 1] is 'j' or 'J';

    /// <summary>(…) or […]: a group pattern, or a sequence of patterns, one of them possibly starred.</summary>
    private void SequencePattern(PythonTokenKind closer, string message)
    {
        Advance();
        if (Accept(closer))
        {
            return;
        }

        int start = _position;
        bool star = MaybeStarPattern();
        if (closer == PythonTokenKind.RightParen && Kind == closer && star)
        {
            throw FailureAt(start, "starred pattern must be in a sequence");
        }

        while (Accept(PythonTokenKind.Comma) && Kind != closer)
        {
            MaybeStarPattern();
        }

        Expect(closer, message);
    }

    private void MappingPattern()
    {
        Advance();
        while (Kind != PythonTokenKind.RightBrace)
        {
            if (Accept(PythonTokenKind.DoubleStar))
            {
                if (IsWord("_"))
                {
                    throw Failure("cannot use '_' as a target");
                }

                Expect(PythonTokenKind.Name, "expected a name after '**'");
                Accept(PythonTokenKind.Comma);
                break;
            }

            switch (Kind)
            {
                case PythonTokenKind.Minus or PythonTokenKind.Number:
                    NumberPattern();
                    break;
                case PythonTokenKind.String:
                    Strings(allowFormatted: false);
                    break;
                case PythonTokenKind.None or PythonTokenKind.True or PythonTokenKind.False:
                    Advance();
                    break;
                case PythonTokenKind.Name when Next == PythonTokenKind.Dot:
                    Advance();
                    while (Accept(PythonTokenKind.Dot))
                    {
                        Expect(PythonTokenKind.Name, "expected a name after '.'");
                    }

                    break;
                default:
                    throw Failure("mapping pattern keys may only match literals and attribute lookups");
            }

            Expect(PythonTokenKind.Colon, "expected ':'");
            Pattern();
            if (!Accept(PythonTokenKind.Comma))
            {
                break;
            }
        }

        Expect(PythonTokenKind.RightBrace, "expected '}'");
    }

    private void ClassPatternArguments()
    {
        Advance();
        bool keyword = false;
        while (Kind != PythonTokenKind.RightParen)
        {
            if (Kind == PythonTokenKind.Name && Next == PythonTokenKind.Equal)
            {
                Advance();
                Advance();
                keyword = true;
            }
            else if (keyword)
            {
                throw Failure("positional patterns follow keyword patterns");
            }

            Pattern();
            if (!Accept(PythonTokenKind.Comma))
            {
                break;
            }
        }

        Expect(PythonTokenKind.RightParen, "expected ')'");
    }
}
