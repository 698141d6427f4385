using CodeAssist.Tests.Models;

namespace CodeAssist.Tests.CodeActions;

/// <summary>
/// One function of the implement test set (<c>tests/implement-set</c>): the file with the reference body, the file as
/// the editor shows it with the body removed, and the asserts a body must pass.
/// </summary>
/// <param name="Name">The file's name without its extension.</param>
/// <param name="Reference">The file up to the asserts, with the reference body.</param>
/// <param name="Stub">The same with the body removed: the function ends with its docstring.</param>
/// <param name="DefLine">The zero-based line of the function's <c>def</c> in <see cref="Stub"/>.</param>
/// <param name="Asserts">The asserts (and their set-up).</param>
public sealed record ImplementCase(string Name, string Reference, string Stub, int DefLine, string Asserts)
{
    /// <summary>The program that checks <paramref name="implemented"/>, the stub's file after the code action.</summary>
    public string Program(string implemented) => implemented.TrimEnd() + "\n\n\n" + Asserts;

    /// <summary>The reference body, its lines after the docstring.</summary>
    public string ReferenceBody => Reference[Stub.TrimEnd().Length..].Trim('\n');
}

/// <summary>Reads the implement test set.</summary>
public static class ImplementSet
{
    private const string AssertsMarker = "# asserts\n";

    /// <summary>The folder of the set.</summary>
    public static string Folder => Path.Combine(RepositoryPaths.Root, "tests", "implement-set");

    /// <summary>Every case, in file-name order.</summary>
    public static IReadOnlyList<ImplementCase> Load() =>
        Directory.GetFiles(Folder, "*.py").Order(StringComparer.Ordinal).Select(Read).ToList();

    /// <summary>Reads one file: the last <c>def</c> before the asserts is the function; its body follows the docstring line.</summary>
    public static ImplementCase Read(string path)
    {
        var text = File.ReadAllText(path).ReplaceLineEndings("\n");
        var marker = text.IndexOf(AssertsMarker, StringComparison.Ordinal);
        if (marker < 0)
        {
            throw new InvalidDataException($"{path} has no '# asserts' line");
        }

        var reference = text[..marker].TrimEnd() + "\n";
        var lines = reference.TrimEnd('\n').Split('\n');
        var def = Array.FindLastIndex(lines, line => line.TrimStart().StartsWith("def ", StringComparison.Ordinal));
        if (def < 0 || def + 1 >= lines.Length || !lines[def + 1].TrimStart().StartsWith("\"\"\"", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: the last def must be followed by a one-line docstring");
        }

        var stub = string.Join('\n', lines[..(def + 2)]) + "\n";
        return new ImplementCase(Path.GetFileNameWithoutExtension(path), reference, stub, def, text[(marker + AssertsMarker.Length)..]);
    }
}
