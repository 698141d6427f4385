using System.Text;

namespace CodeAssist.Server.Python;

/// <summary>One name an import statement binds.</summary>
/// <param name="Module">The module named (dotted; empty for <c>from . import x</c>).</param>
/// <param name="Level">The leading dots of a relative import (0: absolute).</param>
/// <param name="Name">For <c>from m import name</c>, the imported name (<c>*</c> for a star import); null for <c>import m</c>.</param>
/// <param name="Alias">The name bound here: the alias, else the imported name, else the module's first part.</param>
public sealed record PythonImport(string Module, int Level, string? Name, string Alias);

/// <summary>
/// The import statements of a Python text (<c>import a.b</c>, <c>import a.b as m</c>, <c>from .a import (x, y as z)</c>,
/// <c>from . import x</c>, star imports), at any depth, read with <see cref="PythonLexer"/> so strings and comments
/// never look like imports.
/// </summary>
public static class PythonImports
{
    /// <summary>Every name the imports of <paramref name="text"/> bind, in text order.</summary>
    public static IReadOnlyList<PythonImport> Read(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var imports = new List<PythonImport>();
        var lines = PythonLexer.Lex(text).Lines;
        var statement = new StringBuilder();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var code = text.AsSpan(line.Start, line.Length).Trim();
            if (!line.StartsLogicalLine || !(code.StartsWith("import ") || code.StartsWith("from ")))
            {
                continue;
            }

            // A statement goes on while its brackets are open or the next line continues it after a backslash.
            statement.Clear();
            for (var j = i; j < lines.Count; j++)
            {
                statement.Append(StripComment(text.AsSpan(lines[j].Start, lines[j].Length)).TrimEnd().TrimEnd('\\')).Append(' ');
                i = j;
                if (lines[j].BracketDepthAtEnd <= 0 && !(j + 1 < lines.Count && lines[j + 1].StartsContinued))
                {
                    break;
                }
            }

            foreach (var part in statement.ToString().Split(';'))
            {
                Parse(part.Trim(), imports);
            }
        }

        return imports;
    }

    private static ReadOnlySpan<char> StripComment(ReadOnlySpan<char> line)
    {
        // Import statements hold no strings, so the first '#' starts a comment.
        var hash = line.IndexOf('#');
        return hash < 0 ? line : line[..hash];
    }

    private static void Parse(string statement, List<PythonImport> imports)
    {
        if (statement.StartsWith("import ", StringComparison.Ordinal))
        {
            foreach (var item in statement["import ".Length..].Split(','))
            {
                var (module, alias) = SplitAs(item);
                if (IsDotted(module))
                {
                    imports.Add(new PythonImport(module, 0, null, alias ?? module.Split('.')[0]));
                }
            }

            return;
        }

        if (!statement.StartsWith("from ", StringComparison.Ordinal))
        {
            return;
        }

        var importAt = statement.IndexOf(" import ", StringComparison.Ordinal);
        if (importAt < 0)
        {
            return;
        }

        var source = statement["from ".Length..importAt].Replace(" ", string.Empty, StringComparison.Ordinal);
        var level = source.Length - source.TrimStart('.').Length;
        var from = source[level..];
        if (from.Length > 0 && !IsDotted(from))
        {
            return;
        }

        var names = statement[(importAt + " import ".Length)..].Replace("(", " ", StringComparison.Ordinal).Replace(")", " ", StringComparison.Ordinal);
        foreach (var item in names.Split(','))
        {
            var (name, alias) = SplitAs(item);
            if (name == "*" || IsIdentifier(name))
            {
                imports.Add(new PythonImport(from, level, name, alias ?? name));
            }
        }
    }

    private static (string Name, string? Alias) SplitAs(string item)
    {
        var words = item.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return words.Length == 3 && words[1] == "as" && IsIdentifier(words[2]) ? (words[0], words[2]) : (words.Length == 1 ? words[0] : string.Empty, null);
    }

    private static bool IsDotted(string module) => module.Length > 0 && module.Split('.').All(IsIdentifier);

    private static bool IsIdentifier(string name) =>
        name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => char.IsLetterOrDigit(c) || c == '_');
}
