using CodeAssist.Server.Python;

namespace CodeAssist.Tests.Python;

/// <summary>Assertions on <see cref="PythonParser"/> verdicts that show the parser's reason when they fail.</summary>
internal static class ParserAssert
{
    public static PythonParseResult Verdict(string text, PythonParseVerdict expected, PythonParseOptions? options = null)
    {
        var result = PythonParser.Check(text, options);
        Assert.True(result.Verdict == expected, $"expected {expected} for {Show(text)}, got {result}");
        return result;
    }

    private static string Show(string text) => "\"" + text.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal) + "\"";
}
