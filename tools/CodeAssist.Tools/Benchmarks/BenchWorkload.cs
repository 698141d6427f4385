using System.Globalization;

namespace CodeAssist.Tools.Benchmarks;

/// <summary>
/// A Python file to type into and the region that is deleted and typed back: whole lines, starting at the first
/// code line 60 % of the way into the file, at least the requested number of characters long.
/// </summary>
internal sealed record BenchWorkload(string Name, string Text, int LineCount, int RegionStartLine, int RegionEndLine, string Region)
{
    // Read in this order and cut at the requested line count: a deterministic file on a given Python version.
    private static readonly string[] StdlibModules =
    [
        "argparse.py", "ast.py", "dataclasses.py", "difflib.py", "inspect.py", "pathlib.py", "shutil.py", "subprocess.py", "tarfile.py", "typing.py",
    ];

    /// <summary>A given file, with line breaks normalised to "\n".</summary>
    public static BenchWorkload FromFile(string path, int regionChars)
    {
        var text = File.ReadAllText(path).ReplaceLineEndings("\n");
        return Create(Path.GetFileName(path), text, regionChars);
    }

    /// <summary>The first <paramref name="lines"/> lines of the concatenated standard-library modules of the newest Python 3 found.</summary>
    public static BenchWorkload FromStdlib(int lines, int regionChars)
    {
        var folder = FindStdlib() ?? throw new FileNotFoundException("no Python 3 standard library found (looked for /usr/lib/python3.*/argparse.py and /usr/local/lib/python3.*/argparse.py); pass --file");
        var collected = new List<string>(lines);
        foreach (var module in StdlibModules)
        {
            var path = Path.Combine(folder, module);
            if (!File.Exists(path))
            {
                continue;
            }

            foreach (var line in File.ReadAllText(path).ReplaceLineEndings("\n").Split('\n'))
            {
                if (collected.Count == lines)
                {
                    break;
                }

                collected.Add(line);
            }
        }

        if (collected.Count < lines)
        {
            throw new InvalidDataException($"the standard library in {folder} has only {collected.Count} lines of the modules the benchmark reads");
        }

        var name = string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(folder)}-stdlib-{lines}-lines.py");
        return Create(name, string.Join('\n', collected) + "\n", regionChars);
    }

    /// <summary>The workload for a text: the region starts at the first code line from 60 % of the file.</summary>
    public static BenchWorkload Create(string name, string text, int regionChars)
    {
        var lines = text.Split('\n');
        var start = lines.Length * 6 / 10;
        while (start < lines.Length - 1 && (lines[start].Trim().Length == 0 || lines[start].TrimStart().StartsWith('#')))
        {
            start++;
        }

        if (start >= lines.Length - 1)
        {
            start = 0;
        }

        var end = start;
        var length = 0;
        while (end < lines.Length - 1 && length < regionChars)
        {
            length += lines[end].Length + 1;
            end++;
        }

        var region = string.Join('\n', lines[start..end]) + (end > start ? "\n" : string.Empty);
        return new BenchWorkload(name, text, lines.Length, start, end, region);
    }

    private static string? FindStdlib()
    {
        var candidates = new List<string>();
        foreach (var root in new[] { "/usr/lib", "/usr/local/lib" })
        {
            if (Directory.Exists(root))
            {
                candidates.AddRange(Directory.GetDirectories(root, "python3.*").Where(d => File.Exists(Path.Combine(d, "argparse.py"))));
            }
        }

        return candidates
            .OrderByDescending(d => int.TryParse(Path.GetFileName(d)["python3.".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var minor) ? minor : -1)
            .FirstOrDefault();
    }
}
