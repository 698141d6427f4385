using System.Collections.Frozen;

namespace CodeAssist.Server.Python;

/// <summary>
/// The names each module of Python's standard library has (<c>dir()</c> and <c>__all__</c>), and the builtins, from
/// the table <c>scripts/stdlib-names.py</c> generated (<c>stdlib-names.txt</c>, embedded; read once, when first asked).
/// </summary>
/// <remarks>
/// The table is the union of what Pythons 3.10 to 3.13 on Linux have, so that a name one of them added
/// (<c>typing.override</c>) or removed (<c>asyncore</c>) passes for its users; one only another platform has is
/// missing. Modules that are not in it (third-party ones) are unknown, not empty.
/// </remarks>
internal static class StandardLibrary
{
    private const string ResourceName = "CodeAssist.Server.Python.stdlib-names.txt";

    private static readonly Lazy<FrozenDictionary<string, FrozenSet<string>>> Table = new(Load);

    /// <summary>The names of the <c>builtins</c> module.</summary>
    public static FrozenSet<string> Builtins => Table.Value["builtins"];

    /// <summary>How many modules the table has.</summary>
    public static int ModuleCount => Table.Value.Count;

    /// <summary>Whether <paramref name="module"/> (dotted, as in <c>os.path</c>) is a module of the table.</summary>
    public static bool IsModule(string module) => Table.Value.ContainsKey(module);

    /// <summary>The names <paramref name="module"/> has; null when it is not in the table.</summary>
    public static FrozenSet<string>? Names(string module) => Table.Value.GetValueOrDefault(module);

    private static FrozenDictionary<string, FrozenSet<string>> Load()
    {
        using var stream = typeof(StandardLibrary).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the resource {ResourceName} is missing");
        using var reader = new StreamReader(stream);
        var modules = new Dictionary<string, FrozenSet<string>>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            int tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab > 0)
            {
                var names = line[(tab + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                modules[line[..tab]] = names.ToFrozenSet(StringComparer.Ordinal);
            }
        }

        return modules.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
