namespace CodeAssist.Server.Python;

/// <summary>The parameters of functions and lambdas, and type parameters (Python 3.12).</summary>
internal sealed partial class PythonGrammar
{
    /// <summary>
    /// Parameters up to (not including) <paramref name="closer"/>: positional-only ones before "/", defaults that
    /// once begun continue until "*", a bare "*" that needs a keyword-only parameter after it, "**kwargs" last.
    /// </summary>
    private void Parameters(bool annotations, PythonTokenKind closer)
    {
        int names = _names.Count;
        bool slash = false, star = false, bareStar = false, defaults = false;
        int count = 0;
        while (Kind != closer)
        {
            switch (Kind)
            {
                case PythonTokenKind.Slash:
                    if (count == 0 || slash || star)
                    {
                        throw Failure(count == 0 ? "at least one argument must precede /" : slash ? "/ may appear only once" : "/ must be ahead of *");
                    }

                    Advance();
                    slash = true;
                    break;
                case PythonTokenKind.Star:
                    if (star)
                    {
                        throw Failure("* argument may appear only once");
                    }

                    Advance();
                    star = true;
                    bareStar = Kind == PythonTokenKind.Comma || Kind == closer;
                    if (!bareStar)
                    {
                        Parameter(annotations, starred: true, names);
                        if (Kind == PythonTokenKind.Equal)
                        {
                            throw Failure("var-positional argument cannot have default value");
                        }
                    }

                    break;
                case PythonTokenKind.DoubleStar:
                    if (bareStar)
                    {
                        throw Failure("named arguments must follow bare *");
                    }

                    Advance();
                    Parameter(annotations, starred: false, names);
                    if (Kind == PythonTokenKind.Equal)
                    {
                        throw Failure("var-keyword argument cannot have default value");
                    }

                    Accept(PythonTokenKind.Comma);
                    if (Kind != closer)
                    {
                        throw Failure("arguments cannot follow var-keyword argument");
                    }

                    _names.RemoveRange(names, _names.Count - names);
                    return;
                default:
                    Parameter(annotations, starred: false, names);
                    bareStar = false;
                    if (Accept(PythonTokenKind.Equal))
                    {
                        Expression();
                        defaults |= !star;
                    }
                    else if (defaults && !star)
                    {
                        throw Failure("parameter without a default follows parameter with a default");
                    }

                    break;
            }

            count++;
            if (!Accept(PythonTokenKind.Comma))
            {
                break;
            }
        }

        if (bareStar)
        {
            throw Failure("named arguments must follow bare *");
        }

        _names.RemoveRange(names, _names.Count - names);
    }

    /// <summary>A parameter's name, unique among those from <paramref name="names"/> on, and its annotation.</summary>
    private void Parameter(bool annotations, bool starred, int names)
    {
        if (Kind != PythonTokenKind.Name)
        {
            throw Failure("expected a parameter name");
        }

        Bind(names, "duplicate argument in function definition");
        if (annotations && Accept(PythonTokenKind.Colon))
        {
            if (starred)
            {
                StarExpression();
            }
            else
            {
                Expression();
            }
        }
    }

    /// <summary>[T, *Ts, **P], with bounds and (Python 3.13) defaults.</summary>
    private void TypeParameters()
    {
        Advance();
        if (Kind == PythonTokenKind.RightBracket)
        {
            throw Failure("type parameter list cannot be empty");
        }

        do
        {
            bool starred = Accept(PythonTokenKind.Star);
            bool doubleStarred = !starred && Accept(PythonTokenKind.DoubleStar);
            Expect(PythonTokenKind.Name, "expected a type parameter name");
            if (Accept(PythonTokenKind.Colon))
            {
                if (starred || doubleStarred)
                {
                    throw FailureAt(_position - 1, "cannot use bound with TypeVarTuple or ParamSpec");
                }

                Expression();
            }

            if (Accept(PythonTokenKind.Equal))
            {
                if (starred)
                {
                    StarExpression();
                }
                else
                {
                    Expression();
                }
            }
        }
        while (Accept(PythonTokenKind.Comma) && Kind != PythonTokenKind.RightBracket);
        Expect(PythonTokenKind.RightBracket, "expected ']'");
    }
}
