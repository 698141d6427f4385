namespace CodeAssist.Server.Python;

/// <summary>What the statement rules need to know of an expression they parsed: whether it may be assigned to, deleted, annotated.</summary>
[Flags]
internal enum ExprTraits : byte
{
    None = 0,

    /// <summary>A name alone, not parenthesized: the only target of := and of a keyword argument.</summary>
    BareName = 1,

    /// <summary>A name, attribute or subscription, parenthesized or not: a target that can be annotated or augmented.</summary>
    Single = 2,

    /// <summary>May be the target of =, for and as: a single target or a tuple or list of them with at most one starred.</summary>
    Assignable = 4,

    /// <summary>May follow del: a single target or a tuple or list of them, none starred.</summary>
    Deletable = 8,

    /// <summary>A starred expression on its own, outside a tuple or list.</summary>
    Starred = 16,
}

/// <summary>Expressions, from star expressions down to the operators; atoms and what follows them are in Atoms.</summary>
internal sealed partial class PythonGrammar
{
    private const ExprTraits NameTraits = ExprTraits.BareName | ExprTraits.Single | ExprTraits.Assignable | ExprTraits.Deletable;
    private const ExprTraits ReferenceTraits = ExprTraits.Single | ExprTraits.Assignable | ExprTraits.Deletable;
    private const ExprTraits EmptySequenceTraits = ExprTraits.Assignable | ExprTraits.Deletable;

    private static bool StartsExpression(PythonTokenKind kind) => kind is PythonTokenKind.Name or PythonTokenKind.Number
        or PythonTokenKind.String or PythonTokenKind.LeftParen or PythonTokenKind.LeftBracket or PythonTokenKind.LeftBrace
        or PythonTokenKind.Minus or PythonTokenKind.Plus or PythonTokenKind.Tilde or PythonTokenKind.Not or PythonTokenKind.Lambda
        or PythonTokenKind.Await or PythonTokenKind.Ellipsis or PythonTokenKind.None or PythonTokenKind.True
        or PythonTokenKind.False or PythonTokenKind.Star;

    private static ExprTraits StarredTraits(ExprTraits inner) => ExprTraits.Starred | (inner & ExprTraits.Assignable);

    /// <summary>Expressions separated by commas, each possibly starred: one expression, or a tuple with a comma.</summary>
    private ExprTraits StarExpressions()
    {
        var first = StarExpression();
        if (Kind != PythonTokenKind.Comma)
        {
            return first;
        }

        var sequence = default(SequenceTraits);
        sequence.Add(first);
        while (Accept(PythonTokenKind.Comma) && StartsExpression(Kind))
        {
            sequence.Add(StarExpression());
        }

        return sequence.Result;
    }

    private ExprTraits StarExpression() => Accept(PythonTokenKind.Star) ? StarredTraits(BitwiseOr()) : Expression();

    private ExprTraits StarNamedExpression() => Accept(PythonTokenKind.Star) ? StarredTraits(BitwiseOr()) : NamedExpression();

    /// <summary>An expression, or an assignment expression (name := value).</summary>
    private ExprTraits NamedExpression()
    {
        if (Kind == PythonTokenKind.Name && Next == PythonTokenKind.ColonEqual)
        {
            if (IsDebug(_position))
            {
                throw Failure("cannot assign to __debug__");
            }

            Advance();
            Advance();
            Expression();
            return ExprTraits.None;
        }

        var traits = Expression();
        if (Kind == PythonTokenKind.ColonEqual)
        {
            throw Failure("cannot use assignment expressions with this expression");
        }

        return traits;
    }

    private ExprTraits Expression()
    {
        Deeper();
        var traits = ConditionalOrLambda();
        _depth--;
        return traits;
    }

    private ExprTraits ConditionalOrLambda()
    {
        if (Kind == PythonTokenKind.Lambda)
        {
            Lambda();
            return ExprTraits.None;
        }

        var traits = Disjunction();
        if (!Accept(PythonTokenKind.If))
        {
            return traits;
        }

        Disjunction();
        Expect(PythonTokenKind.Else, "expected 'else' after 'if' expression");
        Expression();
        return ExprTraits.None;
    }

    private void Lambda()
    {
        Advance();
        Parameters(annotations: false, PythonTokenKind.Colon);
        Expect(PythonTokenKind.Colon, "expected ':'");
        Expression();
    }

    private void YieldExpression()
    {
        Advance();
        if (Accept(PythonTokenKind.From))
        {
            Expression();
        }
        else if (StartsExpression(Kind))
        {
            Values();
        }
    }

    private ExprTraits Disjunction()
    {
        var traits = Conjunction();
        while (Accept(PythonTokenKind.Or))
        {
            Conjunction();
            traits = ExprTraits.None;
        }

        return traits;
    }

    private ExprTraits Conjunction()
    {
        var traits = Inversion();
        while (Accept(PythonTokenKind.And))
        {
            Inversion();
            traits = ExprTraits.None;
        }

        return traits;
    }

    private ExprTraits Inversion()
    {
        if (!Accept(PythonTokenKind.Not))
        {
            return Comparison();
        }

        Deeper();
        Inversion();
        _depth--;
        return ExprTraits.None;
    }

    private ExprTraits Comparison()
    {
        var traits = BitwiseOr();
        while (true)
        {
            switch (Kind)
            {
                case PythonTokenKind.Comparison or PythonTokenKind.In:
                    Advance();
                    break;
                case PythonTokenKind.Is:
                    Advance();
                    Accept(PythonTokenKind.Not);
                    break;
                case PythonTokenKind.Not:
                    // After an operand, "not" can only begin "not in".
                    Advance();
                    Expect(PythonTokenKind.In, "expected 'in' after 'not'");
                    break;
                default:
                    return traits;
            }

            BitwiseOr();
            traits = ExprTraits.None;
        }
    }

    private ExprTraits BitwiseOr()
    {
        var traits = BitwiseXor();
        while (Accept(PythonTokenKind.Pipe))
        {
            BitwiseXor();
            traits = ExprTraits.None;
        }

        return traits;
    }

    private ExprTraits BitwiseXor()
    {
        var traits = BitwiseAnd();
        while (Accept(PythonTokenKind.Caret))
        {
            BitwiseAnd();
            traits = ExprTraits.None;
        }

        return traits;
    }

    private ExprTraits BitwiseAnd()
    {
        var traits = Shift();
        while (Accept(PythonTokenKind.Ampersand))
        {
            Shift();
            traits = ExprTraits.None;
        }

        return traits;
    }

    private ExprTraits Shift()
    {
        var traits = Sum();
        while (Accept(PythonTokenKind.Shift))
        {
            Sum();
            traits = ExprTraits.None;
        }

        return traits;
    }

    private ExprTraits Sum()
    {
        var traits = Term();
        while (Kind is PythonTokenKind.Plus or PythonTokenKind.Minus)
        {
            Advance();
            Term();
            traits = ExprTraits.None;
        }

        return traits;
    }

    private ExprTraits Term()
    {
        var traits = Factor();
        while (Kind is PythonTokenKind.Star or PythonTokenKind.Slash or PythonTokenKind.TermOperator or PythonTokenKind.At)
        {
            Advance();
            Factor();
            traits = ExprTraits.None;
        }

        return traits;
    }

    private ExprTraits Factor()
    {
        if (Kind is not (PythonTokenKind.Plus or PythonTokenKind.Minus or PythonTokenKind.Tilde))
        {
            return Power();
        }

        Advance();
        Deeper();
        Factor();
        _depth--;
        return ExprTraits.None;
    }

    private ExprTraits Power()
    {
        ExprTraits traits;
        if (Accept(PythonTokenKind.Await))
        {
            Primary();
            traits = ExprTraits.None;
        }
        else
        {
            traits = Primary();
        }

        if (!Accept(PythonTokenKind.DoubleStar))
        {
            return traits;
        }

        Deeper();
        Factor();
        _depth--;
        return ExprTraits.None;
    }

    /// <summary>The traits of a tuple or list from those of its elements.</summary>
    private struct SequenceTraits
    {
        private bool _notAssignable;
        private bool _notDeletable;
        private int _stars;

        public readonly ExprTraits Result =>
            (!_notAssignable && _stars <= 1 ? ExprTraits.Assignable : ExprTraits.None) | (_notDeletable ? ExprTraits.None : ExprTraits.Deletable);

        public void Add(ExprTraits element)
        {
            bool starred = (element & ExprTraits.Starred) != 0;
            _notAssignable |= (element & ExprTraits.Assignable) == 0;
            _notDeletable |= starred || (element & ExprTraits.Deletable) == 0;
            _stars += starred ? 1 : 0;
        }
    }
}
