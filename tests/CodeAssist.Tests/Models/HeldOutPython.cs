using System.Text;

namespace CodeAssist.Tests.Models;

/// <summary>
/// Third-party Python our models never trained on (the corpus is the standard library only): Debian's numpy
/// (python3-numpy), files chosen deterministically so every run and every machine with that package sees the same.
/// </summary>
public static class HeldOutPython
{
    /// <summary>The package the files come from.</summary>
    public const string Root = "/usr/lib/python3/dist-packages/numpy";

    private const int SpreadCount = 8;
    private const int LargestCount = 2;
    private const long MinimumBytes = 2048;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly Lazy<IReadOnlyList<string>> Selection = new(Select);

    /// <summary>
    /// Ten files, sorted by path: eight spread evenly over the sorted list of .py files of at least 2 KB, plus the two
    /// largest (hundreds of KB), so long and unusual text is covered too.
    /// </summary>
    public static IReadOnlyList<string> Files => Selection.Value;

    /// <summary>
    /// The file's text, decoded from its bytes as strict UTF-8 without removing a BOM, the same way
    /// <c>tools.py</c> reads it (<c>File.ReadAllText</c> would drop a BOM and the token ids would differ).
    /// </summary>
    public static string Read(string path) => StrictUtf8.GetString(File.ReadAllBytes(path));

    private static IReadOnlyList<string> Select()
    {
        if (!Directory.Exists(Root))
        {
            Assert.Fail($"{Root} is missing. Run the README's test command (scripts/test.sh), which installs python3-numpy.");
        }

        var candidates = Directory.EnumerateFiles(Root, "*.py", SearchOption.AllDirectories)
            .Select(path => new FileInfo(path))
            .Where(file => file.Length >= MinimumBytes)
            .OrderBy(file => file.FullName, StringComparer.Ordinal)
            .ToList();
        Assert.True(candidates.Count >= SpreadCount + LargestCount, $"only {candidates.Count} Python files under {Root}");
        var spread = Enumerable.Range(0, SpreadCount).Select(i => candidates[i * candidates.Count / SpreadCount]);
        var largest = candidates.OrderByDescending(file => file.Length).ThenBy(file => file.FullName, StringComparer.Ordinal).Take(LargestCount);
        return spread.Concat(largest)
            .Select(file => file.FullName)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
