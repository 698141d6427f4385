namespace CodeAssist.Server.Python;

/// <summary>Comprehension clauses and the targets of for loops and comprehensions.</summary>
internal sealed partial class PythonGrammar
{
    private void Comprehension(ExprTraits element, int start, PythonTokenKind closer, string message)
    {
        if ((element & ExprTraits.Starred) != 0)
        {
            throw FailureAt(start, "iterable unpacking cannot be used in comprehension");
        }

        ComprehensionClauses();
        Expect(closer, message);
    }

    private void ComprehensionClauses()
    {
        do
        {
            Accept(PythonTokenKind.Async);
            Expect(PythonTokenKind.For, "expected 'for'");
            StarTargets();
            Expect(PythonTokenKind.In, "expected 'in'");
            Disjunction();
            while (Accept(PythonTokenKind.If))
            {
                Disjunction();
            }
        }
        while (StartsComprehension);
    }

    /// <summary>The targets of a for loop or comprehension, up to "in".</summary>
    private void StarTargets()
    {
        int start = _position;
        var first = StarTarget();
        if (Kind != PythonTokenKind.Comma)
        {
            if ((first & ExprTraits.Starred) != 0)
            {
                throw FailureAt(start, "starred assignment target must be in a list or tuple");
            }

            return;
        }

        var sequence = default(SequenceTraits);
        sequence.Add(first);
        while (Accept(PythonTokenKind.Comma) && Kind != PythonTokenKind.In)
        {
            sequence.Add(StarTarget());
        }

        if ((sequence.Result & ExprTraits.Assignable) == 0)
        {
            throw FailureAt(start, "multiple starred expressions in assignment");
        }
    }

    private ExprTraits StarTarget()
    {
        int start = _position;
        bool star = Accept(PythonTokenKind.Star);
        var traits = Primary();
        if ((traits & ExprTraits.Assignable) == 0)
        {
            throw FailureAt(start, "cannot assign to expression");
        }

        return star ? StarredTraits(traits) : traits;
    }
}
