namespace CodeAssist.Server.Python;

/// <summary>Simple statements: expressions and assignments, and the keyword statements that fit on a line.</summary>
internal sealed partial class PythonGrammar
{
    private bool AtStatementEnd => Kind is PythonTokenKind.Newline or PythonTokenKind.Semicolon;

    /// <summary>Simple statements separated by semicolons, up to the end of the line.</summary>
    private void SimpleStatements()
    {
        SimpleStatement();
        while (Accept(PythonTokenKind.Semicolon))
        {
            if (Kind == PythonTokenKind.Newline)
            {
                break;
            }

            SimpleStatement();
        }

        Expect(PythonTokenKind.Newline, "invalid syntax");
    }

    private void SimpleStatement()
    {
        switch (Kind)
        {
            case PythonTokenKind.Pass or PythonTokenKind.Break or PythonTokenKind.Continue:
                Advance();
                break;
            case PythonTokenKind.Return:
                Advance();
                if (!AtStatementEnd)
                {
                    Values();
                }

                break;
            case PythonTokenKind.Raise:
                Advance();
                if (!AtStatementEnd)
                {
                    Expression();
                    if (Accept(PythonTokenKind.From))
                    {
                        Expression();
                    }
                }

                break;
            case PythonTokenKind.Global or PythonTokenKind.Nonlocal:
                Advance();
                do
                {
                    Expect(PythonTokenKind.Name, "expected a name");
                }
                while (Accept(PythonTokenKind.Comma));
                break;
            case PythonTokenKind.Del:
                Advance();
                DeleteTargets();
                break;
            case PythonTokenKind.Assert:
                Advance();
                Expression();
                if (Accept(PythonTokenKind.Comma))
                {
                    Expression();
                }

                break;
            case PythonTokenKind.Import:
                Advance();
                do
                {
                    DottedName();
                    if (Accept(PythonTokenKind.As))
                    {
                        Expect(PythonTokenKind.Name, "expected a name after 'as'");
                    }
                }
                while (Accept(PythonTokenKind.Comma));
                break;
            case PythonTokenKind.From:
                FromImport();
                break;
            case PythonTokenKind.Yield:
                YieldExpression();
                break;
            case PythonTokenKind.Name when IsWord("type") && Next == PythonTokenKind.Name:
                TypeAlias();
                break;
            default:
                ExpressionStatement();
                break;
        }

        if (!AtStatementEnd)
        {
            throw Failure("invalid syntax");
        }
    }

    /// <summary>An expression, or an assignment of any kind (plain and chained, annotated, augmented).</summary>
    private void ExpressionStatement()
    {
        int start = _position;
        var target = StarExpressions();
        switch (Kind)
        {
            case PythonTokenKind.Colon:
                if ((target & ExprTraits.Single) == 0)
                {
                    throw FailureAt(start, "only single target (not tuple) can be annotated");
                }

                Advance();
                Expression();
                if (Accept(PythonTokenKind.Equal))
                {
                    AssignedValue();
                }

                return;
            case PythonTokenKind.AugmentedAssign:
                if ((target & ExprTraits.Single) == 0)
                {
                    throw FailureAt(start, "illegal expression for augmented assignment");
                }

                Advance();
                AssignedValue();
                return;
            case PythonTokenKind.Equal:
                RequireTarget(target, start);
                while (Accept(PythonTokenKind.Equal))
                {
                    if (Kind == PythonTokenKind.Yield)
                    {
                        YieldExpression();
                        if (Kind == PythonTokenKind.Equal)
                        {
                            throw Failure("assignment to yield expression not possible");
                        }

                        return;
                    }

                    start = _position;
                    var value = StarExpressions();
                    if (Kind == PythonTokenKind.Equal)
                    {
                        RequireTarget(value, start);
                    }
                    else
                    {
                        RequireValue(value, start);
                    }
                }

                return;
            default:
                RequireValue(target, start);
                return;
        }
    }

    /// <summary>The right-hand side of an assignment: a yield expression or star expressions.</summary>
    private void AssignedValue()
    {
        if (Kind == PythonTokenKind.Yield)
        {
            YieldExpression();
        }
        else
        {
            Values();
        }
    }

    /// <summary>Star expressions used as a value: a starred expression needs a comma to make a tuple.</summary>
    private void Values()
    {
        int start = _position;
        RequireValue(StarExpressions(), start);
    }

    private void RequireValue(ExprTraits traits, int start)
    {
        if ((traits & ExprTraits.Starred) != 0)
        {
            throw FailureAt(start, "can't use starred expression here");
        }
    }

    private void RequireTarget(ExprTraits traits, int start)
    {
        if ((traits & ExprTraits.Assignable) == 0 || (traits & ExprTraits.Starred) != 0)
        {
            throw FailureAt(start, "cannot assign to expression");
        }
    }

    private void DeleteTargets()
    {
        do
        {
            int start = _position;
            if ((Primary() & ExprTraits.Deletable) == 0)
            {
                throw FailureAt(start, "cannot delete expression");
            }
        }
        while (Accept(PythonTokenKind.Comma) && !AtStatementEnd);
    }

    private void DottedName()
    {
        Expect(PythonTokenKind.Name, "expected a module name");
        while (Accept(PythonTokenKind.Dot))
        {
            Expect(PythonTokenKind.Name, "expected a name after '.'");
        }
    }

    private void FromImport()
    {
        Advance();
        bool relative = false;
        while (Kind is PythonTokenKind.Dot or PythonTokenKind.Ellipsis)
        {
            Advance();
            relative = true;
        }

        bool future = !relative && IsWord("__future__") && Next == PythonTokenKind.Import;
        if (Kind == PythonTokenKind.Name || !relative)
        {
            DottedName();
        }

        Expect(PythonTokenKind.Import, "expected 'import'");
        if (Accept(PythonTokenKind.Star))
        {
            if (future)
            {
                throw FailureAt(_position - 1, "future feature * is not defined");
            }

            return;
        }

        bool parenthesized = Accept(PythonTokenKind.LeftParen);
        do
        {
            if (future && Kind == PythonTokenKind.Name && !IsFutureFeature(_tokens[_position]))
            {
                throw Failure("future feature is not defined");
            }

            Expect(PythonTokenKind.Name, "expected a name to import");
            if (Accept(PythonTokenKind.As))
            {
                Expect(PythonTokenKind.Name, "expected a name after 'as'");
            }
        }
        while (Accept(PythonTokenKind.Comma) && !(parenthesized && Kind == PythonTokenKind.RightParen));
        if (parenthesized)
        {
            Expect(PythonTokenKind.RightParen, "expected ')'");
        }
    }

    private bool IsFutureFeature(PythonToken token) => _text.AsSpan(token.Start, token.Length) is "annotations" or "generator_stop"
        or "barry_as_FLUFL" or "unicode_literals" or "print_function" or "with_statement" or "absolute_import" or "division"
        or "generators" or "nested_scopes";

    /// <summary>"type" Name [type parameters] "=" expression (Python 3.12).</summary>
    private void TypeAlias()
    {
        Advance();
        Advance();
        if (Kind == PythonTokenKind.LeftBracket)
        {
            TypeParameters();
        }

        Expect(PythonTokenKind.Equal, "expected '='");
        Expression();
    }
}
