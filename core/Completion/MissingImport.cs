using CodeAssist.Server.Python;

namespace CodeAssist.Server.Completion;

/// <summary>
/// The missing-import stage: on an import line being written, the import the document lacks. Names the document reads
/// and binds nowhere, which a workspace module beside it (or one it imports from) defines, are what the line must
/// import: <c>from ._compat import isatty</c> where the file calls <c>isatty(…)</c> and nothing binds it. A fact of
/// the workspace, not a guess: no model is asked, the line is the answer.
/// </summary>
/// <remarks>
/// Only at column 0 of a line that is empty or starts an import being typed (<c>from .c</c>) with nothing after the
/// cursor, next to another import; never when the document can bind names no one sees (a star import from outside the
/// standard library, globals written by name). A name several modules define is left out unless one of them is a
/// module the document already imports from; the names come in isort's order (constants, classes, then the rest).
/// </remarks>
internal static class MissingImport
{
    /// <summary>The most names one suggested line imports.</summary>
    private const int MaxNames = 8;

    /// <summary>
    /// Whether the cursor is where the stage may answer (an import line being started beside another import), judged on
    /// the text near it only: the cheap test every request makes before the whole document is looked at.
    /// </summary>
    public static bool AppliesAt(string prefix, string suffix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(suffix);
        var lineStart = prefix.LastIndexOf('\n') + 1;
        var typed = prefix.AsSpan(lineStart);
        var lineEnd = suffix.IndexOf('\n', StringComparison.Ordinal);
        var rest = lineEnd < 0 ? suffix : suffix[..lineEnd];
        if (rest.Trim().Length > 0 || !(typed.Length == 0 || "from ".AsSpan().StartsWith(typed, StringComparison.Ordinal) || typed.StartsWith("from ", StringComparison.Ordinal)))
        {
            return false;
        }

        return BesideAnImport(prefix[..lineStart], lineEnd < 0 ? string.Empty : suffix[(lineEnd + 1)..]);
    }

    /// <summary>The rest of the import line to insert at the cursor; null when the stage has nothing to say.</summary>
    public static string? Suggest(string prefix, string suffix, ModuleNames modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        if (modules.Count == 0 || !AppliesAt(prefix, suffix))
        {
            return null;
        }

        var lineStart = prefix.LastIndexOf('\n') + 1;
        var typed = prefix[lineStart..];
        var lineEnd = suffix.IndexOf('\n', StringComparison.Ordinal);
        var above = prefix[..lineStart];
        var below = lineEnd < 0 ? string.Empty : suffix[(lineEnd + 1)..];

        // The document without the cursor's line: what it reads and what it binds.
        var text = above + below;
        var bindings = PythonNames.Bind(text);
        if (bindings.UnknownStarImport || bindings.DynamicGlobals)
        {
            return null;
        }

        var missing = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var read in PythonReads.In(PythonTokenizer.Tokenize(text, fragment: false), 0, text.Length))
        {
            var name = read.Chain[0];
            if (seen.Add(name) && !NameCheck.IsBound(name, bindings))
            {
                missing.Add(name);
            }
        }

        // The modules its `from M import …` statements name, spelled as they spell them.
        var importedFrom = PythonImports.Read(text).Where(i => i.Name is not null).Select(i => new string('.', i.Level) + i.Module).ToHashSet(StringComparer.Ordinal);
        var relative = importedFrom.Any(m => m.StartsWith('.'));
        var groups = new List<(string Module, List<string> Names)>();
        foreach (var name in missing)
        {
            if (Provider(name, modules, importedFrom, relative) is not { } module)
            {
                continue;
            }

            var group = groups.FindIndex(g => g.Module == module);
            if (group < 0)
            {
                groups.Add((module, [name]));
            }
            else if (groups[group].Names.Count < MaxNames)
            {
                groups[group].Names.Add(name);
            }
        }

        foreach (var (module, names) in groups.OrderByDescending(g => g.Names.Count))
        {
            var line = $"from {module} import {string.Join(", ", names.OrderBy(Kind).ThenBy(n => n, StringComparer.Ordinal))}";
            if (line.Length > typed.Length && line.StartsWith(typed, StringComparison.Ordinal))
            {
                return line[typed.Length..];
            }
        }

        return null;
    }

    /// <summary>The module that defines <paramref name="name"/>: the only one, or the only one the document already imports from.</summary>
    private static string? Provider(string name, ModuleNames modules, IReadOnlySet<string> importedFrom, bool relative)
    {
        // A module's spelling must suit the document: relative ones only where it imports relatively already.
        var eligible = modules.Modules.Where(m => relative || !m.StartsWith('.')).ToList();
        var defining = eligible.Where(m => modules.DefinedBy(m).Contains(name)).ToList();
        if (defining.Count > 1)
        {
            defining = defining.Where(importedFrom.Contains).ToList();
        }

        return defining.Count == 1 ? defining[0] : null;
    }

    // isort's order within an import: CONSTANTS, then Classes, then functions and the rest.
    private static int Kind(string name) =>
        name.Any(char.IsLetter) && !name.Any(char.IsLower) ? 0 : char.IsUpper(name.TrimStart('_').FirstOrDefault()) ? 1 : 2;

    /// <summary>Whether the nearest code line above or below the cursor's line is an import at column 0.</summary>
    private static bool BesideAnImport(string above, string below)
    {
        var before = above.AsSpan().TrimEnd();
        before = before[(before.LastIndexOf('\n') + 1)..];
        var after = below.AsSpan().TrimStart("\r\n");
        var end = after.IndexOf('\n');
        return IsImport(before) || IsImport(end < 0 ? after : after[..end]);
    }

    private static bool IsImport(ReadOnlySpan<char> line) =>
        line.StartsWith("import ", StringComparison.Ordinal) || line.StartsWith("from ", StringComparison.Ordinal);
}
