using CodeAssist.Server.Python;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Python;

/// <summary>
/// The parser on fragments (<see cref="PythonParseOptions.Fragment"/>): lines of a block that may continue a statement
/// before them and run on into blocks that enclose them, as a completion's context window is.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class PythonParserFragmentTests
{
    [Theory]
    [InlineData("else:\n    x = 1")]
    [InlineData("    else:\n        return 2\n    y = 3")]
    [InlineData("elif y:\n    pass\nelif z:\n    pass\nelse:\n    pass")]
    [InlineData("except ValueError as e:\n    raise\nexcept:\n    pass\nelse:\n    pass\nfinally:\n    pass")]
    [InlineData("except* ValueError:\n    pass")]
    [InlineData("finally:\n    close()")]
    [InlineData("else:\n    pass\nfinally:\n    pass")]
    [InlineData("case [a, b]:\n    pass\ncase _:\n    pass")]
    [InlineData("        return 1\n    else:\n        return 2")]
    [InlineData("            y = 1\n    except E:\n        pass\nz = 2")]
    [InlineData("case(x)")]
    [InlineData("case = 1")]
    public void FragmentsMayContinueAStatementTheyDoNotShow(string text) =>
        ParserAssert.Verdict(text, PythonParseVerdict.Valid, PythonParseOptions.Fragment);

    [Theory]
    [InlineData("else:\n    x = 1")]
    [InlineData("except ValueError:\n    pass")]
    [InlineData("case 1:\n    pass")]
    [InlineData("        return 1\n    else:\n        return 2")]
    public void BlocksMayNot(string text) => ParserAssert.Verdict(text, PythonParseVerdict.Invalid);

    [Theory]
    [InlineData("x = 1\nelse:\n    pass")]
    [InlineData("else:\n    pass\nelse:\n    pass")]
    [InlineData("finally:\n    pass\nexcept E:\n    pass")]
    [InlineData("elif x:\n    pass\nexcept E:\n    pass")]
    [InlineData("else:\n    print(path) as handle:")]
    [InlineData("x = 1\n    y = 2")]
    [InlineData("    x = 1\n  y = 2\n    z = 3")]
    public void FragmentsAreStillCheckedAfterTheirStart(string text) =>
        ParserAssert.Verdict(text, PythonParseVerdict.Invalid, PythonParseOptions.Fragment);

    [Theory]
    [InlineData("else")]
    [InlineData("else:")]
    [InlineData("except (A,")]
    [InlineData("case [a,")]
    public void FragmentsCutShortAreUnfinished(string text) =>
        ParserAssert.Verdict(text, PythonParseVerdict.Unfinished, PythonParseOptions.Fragment);

    [Fact]
    public void ACandidateSplicedIntoItsBlockIsCheckedWithTheTextAfterIt()
    {
        // The example: after `for name in os.listdir("."):` and `pr`, the model proposed `print(path) as handle:`.
        const string before = "for name in os.listdir(\".\"):\n    ";
        const string after = "\n    count += 1\n";
        ParserAssert.Verdict(before + "print(path) as handle:" + after, PythonParseVerdict.Invalid, PythonParseOptions.Fragment);
        ParserAssert.Verdict(before + "print(name)" + after, PythonParseVerdict.Valid, PythonParseOptions.Fragment);

        // A candidate that opens a bracket the text after the cursor closes.
        ParserAssert.Verdict("total = compute(" + "values, " + "scale=2)\n", PythonParseVerdict.Valid, PythonParseOptions.Fragment);

        // A candidate that ends a line in the middle of an expression, with more statements after it.
        ParserAssert.Verdict("x = a +" + "\ny = 2\n", PythonParseVerdict.Invalid, PythonParseOptions.Fragment);

        // A candidate that opens a block whose body is yet to be written.
        ParserAssert.Verdict("    if name.endswith('.py'):", PythonParseVerdict.Unfinished, PythonParseOptions.Fragment);
    }
}
