namespace CodeAssist.Server.Python;

/// <summary>Compound statements: definitions, if, while, for, try, with, match, and the clauses a fragment may start with.</summary>
internal sealed partial class PythonGrammar
{
    private bool StartsComprehension => Kind == PythonTokenKind.For || (Kind == PythonTokenKind.Async && Next == PythonTokenKind.For);

    /// <summary>A function or class definition with its decorators.</summary>
    private void Definition()
    {
        while (Accept(PythonTokenKind.At))
        {
            NamedExpression();
            Expect(PythonTokenKind.Newline, "expected a new line after the decorator");
        }

        switch (Kind)
        {
            case PythonTokenKind.Def:
                FunctionDefinition();
                break;
            case PythonTokenKind.Async when Next == PythonTokenKind.Def:
                Advance();
                FunctionDefinition();
                break;
            case PythonTokenKind.Class:
                ClassDefinition();
                break;
            default:
                throw Failure("expected 'def' or 'class' after a decorator");
        }
    }

    private void AsyncStatement()
    {
        Advance();
        switch (Kind)
        {
            case PythonTokenKind.Def:
                FunctionDefinition();
                break;
            case PythonTokenKind.With:
                WithStatement();
                break;
            case PythonTokenKind.For:
                ForStatement();
                break;
            default:
                throw Failure("expected 'def', 'with' or 'for' after 'async'");
        }
    }

    private void FunctionDefinition()
    {
        Advance();
        Expect(PythonTokenKind.Name, "expected a function name");
        if (Kind == PythonTokenKind.LeftBracket)
        {
            TypeParameters();
        }

        Expect(PythonTokenKind.LeftParen, "expected '('");
        Parameters(annotations: true, PythonTokenKind.RightParen);
        Expect(PythonTokenKind.RightParen, "expected ')'");
        if (Accept(PythonTokenKind.Arrow))
        {
            Expression();
        }

        Expect(PythonTokenKind.Colon, "expected ':'");
        Block();
    }

    private void ClassDefinition()
    {
        Advance();
        Expect(PythonTokenKind.Name, "expected a class name");
        if (Kind == PythonTokenKind.LeftBracket)
        {
            TypeParameters();
        }

        if (Kind == PythonTokenKind.LeftParen)
        {
            Arguments(allowGenerator: false);
        }

        Expect(PythonTokenKind.Colon, "expected ':'");
        Block();
    }

    private void IfStatement()
    {
        Advance();
        Clause(condition: true);
        while (Accept(PythonTokenKind.Elif))
        {
            Clause(condition: true);
        }

        ElseClause();
    }

    private void WhileStatement()
    {
        Advance();
        Clause(condition: true);
        ElseClause();
    }

    private void ForStatement()
    {
        Advance();
        StarTargets();
        Expect(PythonTokenKind.In, "expected 'in'");
        Values();
        Clause(condition: false);
        ElseClause();
    }

    /// <summary>The rest of a clause after its keyword: an optional condition, the colon, the block.</summary>
    private void Clause(bool condition)
    {
        if (condition)
        {
            NamedExpression();
        }

        Expect(PythonTokenKind.Colon, "expected ':'");
        Block();
    }

    private void ElseClause()
    {
        if (Accept(PythonTokenKind.Else))
        {
            Clause(condition: false);
        }
    }

    private void FinallyClause()
    {
        if (Accept(PythonTokenKind.Finally))
        {
            Clause(condition: false);
        }
    }

    private void TryStatement()
    {
        Advance();
        Clause(condition: false);
        if (Accept(PythonTokenKind.Finally))
        {
            Clause(condition: false);
            return;
        }

        if (Kind != PythonTokenKind.Except)
        {
            throw Failure("expected 'except' or 'finally' block");
        }

        ExceptClauses();
        ElseClause();
        FinallyClause();
    }

    private void ExceptClauses()
    {
        bool? starred = null;
        bool bare = false;
        while (Kind == PythonTokenKind.Except)
        {
            if (bare)
            {
                throw Failure("default 'except:' must be last");
            }

            int start = _position;
            Advance();
            bool star = Accept(PythonTokenKind.Star);
            if (starred is { } previous && previous != star)
            {
                throw FailureAt(start, "cannot have both 'except' and 'except*' on the same 'try'");
            }

            starred = star;
            if (Kind == PythonTokenKind.Colon && !star)
            {
                bare = true;
            }
            else
            {
                Expression();
                if (Accept(PythonTokenKind.As))
                {
                    Expect(PythonTokenKind.Name, "expected a name after 'as'");
                }
            }

            Clause(condition: false);
        }
    }

    private void WithStatement()
    {
        Advance();
        if (Kind == PythonTokenKind.LeftParen && MayBeParenthesizedItems())
        {
            Either(ParenthesizedWithItems, WithItems);
        }
        else
        {
            WithItems();
        }

        Block();
    }

    /// <summary>Whether the parenthesis after "with" may enclose the items (it closes just before the colon, or never).</summary>
    private bool MayBeParenthesizedItems()
    {
        int depth = 0;
        for (int i = _position; ; i++)
        {
            switch (KindAt(i))
            {
                case PythonTokenKind.LeftParen or PythonTokenKind.LeftBracket or PythonTokenKind.LeftBrace:
                    depth++;
                    break;
                case PythonTokenKind.RightParen or PythonTokenKind.RightBracket or PythonTokenKind.RightBrace:
                    if (--depth == 0)
                    {
                        return KindAt(i + 1) == PythonTokenKind.Colon || IsEnd(i + 1);
                    }

                    break;
                case PythonTokenKind.Newline or PythonTokenKind.EndOfText or PythonTokenKind.Error:
                    return true;
            }
        }
    }

    private void ParenthesizedWithItems()
    {
        Advance();
        do
        {
            WithItem();
        }
        while (Accept(PythonTokenKind.Comma) && Kind != PythonTokenKind.RightParen);
        Expect(PythonTokenKind.RightParen, "expected ')'");
        Expect(PythonTokenKind.Colon, "expected ':'");
    }

    private void WithItems()
    {
        do
        {
            WithItem();
        }
        while (Accept(PythonTokenKind.Comma));
        Expect(PythonTokenKind.Colon, "expected ':'");
    }

    private void WithItem()
    {
        Expression();
        if (Accept(PythonTokenKind.As))
        {
            int start = _position;
            if ((Primary() & ExprTraits.Assignable) == 0)
            {
                throw FailureAt(start, "cannot assign to expression");
            }
        }
    }

    private void MatchStatement()
    {
        Advance();
        int start = _position;
        var subject = StarNamedExpression();
        if (Kind == PythonTokenKind.Comma)
        {
            while (Accept(PythonTokenKind.Comma) && Kind != PythonTokenKind.Colon)
            {
                StarNamedExpression();
            }
        }
        else
        {
            RequireValue(subject, start);
        }

        Expect(PythonTokenKind.Colon, "expected ':'");
        Expect(PythonTokenKind.Newline, "expected a new line after 'match …:'");
        Expect(PythonTokenKind.Indent, "expected an indented block");
        do
        {
            CaseBlock();
        }
        while (Kind != PythonTokenKind.Dedent);
        Advance();
    }

    private void CaseBlock()
    {
        if (!IsWord("case"))
        {
            throw Failure("expected 'case'");
        }

        Advance();
        Patterns();
        if (Accept(PythonTokenKind.If))
        {
            NamedExpression();
        }

        Clause(condition: false);
    }

    /// <summary>In a fragment, clauses that continue a statement before the text: elif…, else, except…, finally.</summary>
    private void DanglingClauses()
    {
        switch (Kind)
        {
            case PythonTokenKind.Elif:
                while (Accept(PythonTokenKind.Elif))
                {
                    Clause(condition: true);
                }

                ElseClause();
                break;
            case PythonTokenKind.Except:
                ExceptClauses();
                ElseClause();
                FinallyClause();
                break;
            case PythonTokenKind.Else:
                ElseClause();
                FinallyClause();
                break;
            default:
                FinallyClause();
                break;
        }
    }
}
