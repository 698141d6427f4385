using CodeAssist.Server.Python;
using CodeAssist.Tests.Models;

namespace CodeAssist.Tests.Python;

/// <summary>
/// Real Python for measuring the parser: every .py file of Debian's numpy (<see cref="HeldOutPython.Root"/>), and
/// its top-level statements as separate texts (a definition with its decorators, a class, an import, an if block).
/// </summary>
internal static class HeldOutPythonCode
{
    private static readonly Lazy<IReadOnlyList<(string Path, string Text)>> AllFiles = new(Load);

    /// <summary>The files, sorted by path, with a BOM removed (compile() of a str refuses one; a file's reader drops it).</summary>
    public static IReadOnlyList<(string Path, string Text)> Files => AllFiles.Value;

    /// <summary>The top-level statements of a file: from one line that starts a statement at column 0 to the next.</summary>
    /// <remarks>Comments before a statement go with the one before; decorators and else/elif/except/finally clauses stay with theirs.</remarks>
    public static IEnumerable<string> TopLevelStatements(string text)
    {
        var lines = PythonLexer.Lex(text).Lines;
        int start = -1;
        bool afterDecorator = false;
        foreach (var line in lines)
        {
            if (!line.StartsLogicalLine || !line.IsCode)
            {
                continue;
            }

            var (topLevel, clause, decorator) = Classify(text.AsSpan(line.Start, line.Length));
            if (topLevel && !clause && !afterDecorator)
            {
                if (start >= 0)
                {
                    yield return text[start..line.Start];
                }

                start = line.Start;
            }

            if (topLevel)
            {
                afterDecorator = decorator;
            }
        }

        if (start >= 0)
        {
            yield return text[start..];
        }
    }

    private static (bool TopLevel, bool Clause, bool Decorator) Classify(ReadOnlySpan<char> line) => (
        line.Length > 0 && !char.IsWhiteSpace(line[0]),
        line.StartsWith("else") || line.StartsWith("elif") || line.StartsWith("except") || line.StartsWith("finally"),
        line.StartsWith("@"));

    private static IReadOnlyList<(string Path, string Text)> Load()
    {
        if (!Directory.Exists(HeldOutPython.Root))
        {
            Assert.Fail($"{HeldOutPython.Root} is missing. Run the README's test command (scripts/test.sh), which installs python3-numpy.");
        }

        return [.. Directory.EnumerateFiles(HeldOutPython.Root, "*.py", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(path => (path, HeldOutPython.Read(path).TrimStart('\ufeff')))];
    }
}
