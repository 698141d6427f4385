using System.Text;

namespace CodeAssist.Server.Evaluation;

/// <summary>What the sampler read and what it skipped.</summary>
public sealed record EvalCorpus(IReadOnlyList<EvalSample> Samples, int FilesRead, int FilesSkipped);

/// <summary>
/// Picks completion points from the Python files under a folder, deterministically for a seed: the
/// same folder, seed and counts always give the same points. Cursors are placed as editors leave
/// them: after a line's indentation (a fresh line after Enter) or a few characters into its code.
/// </summary>
public static class EvalSampler
{
    private const int MaxFileBytes = 1_000_000;

    /// <summary>Samples <paramref name="perKind"/> points of each kind.</summary>
    public static EvalCorpus Sample(string folder, IReadOnlyList<EvalKind> kinds, int perKind, int seed)
    {
        var files = Directory.EnumerateFiles(folder, "*.py", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(folder, path))
            .Order(StringComparer.Ordinal)
            .ToList();
        var random = new Random(seed);
        var texts = new Dictionary<string, string[]?>(StringComparer.Ordinal);
        var skipped = 0;
        var samples = new List<EvalSample>();
        var strictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

        string[]? Lines(string relative)
        {
            if (texts.TryGetValue(relative, out var cached))
            {
                return cached;
            }

            string[]? lines = null;
            try
            {
                var path = Path.Combine(folder, relative);
                if (new FileInfo(path).Length <= MaxFileBytes)
                {
                    lines = strictUtf8.GetString(File.ReadAllBytes(path)).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DecoderFallbackException)
            {
            }

            if (lines is null)
            {
                skipped++;
            }

            texts[relative] = lines;
            return lines;
        }

        if (files.Count == 0)
        {
            return new EvalCorpus([], 0, 0);
        }

        foreach (var kind in kinds)
        {
            var attempts = 0;
            var taken = 0;
            while (taken < perKind && attempts++ < perKind * 50)
            {
                var relative = files[random.Next(files.Count)];
                var lines = Lines(relative);
                if (lines is null || lines.Length < 3)
                {
                    continue;
                }

                var lineIndex = random.Next(1, lines.Length);
                var line = lines[lineIndex];
                var content = line.TrimStart(' ', '\t');
                var indent = line[..(line.Length - content.Length)];
                var trimmed = content.TrimEnd();
                if (trimmed.Length < 4 || trimmed.StartsWith('#') || trimmed.StartsWith("\"\"\"", StringComparison.Ordinal))
                {
                    continue;
                }

                var previous = PreviousNonBlank(lines, lineIndex);
                var typedLength = kind == EvalKind.Fim || random.Next(2) == 0 ? 0 : random.Next(1, Math.Min(10, trimmed.Length - 2));
                var typed = trimmed[..typedLength];
                var before = string.Join('\n', lines.Take(lineIndex)) + "\n" + indent + typed;
                var suffix = kind == EvalKind.Fim ? "\n" + string.Join('\n', lines.Skip(lineIndex + 1)) : string.Empty;
                samples.Add(new EvalSample(relative, lineIndex, kind, before, suffix, trimmed[typedLength..], typed, previous));
                taken++;
            }
        }

        return new EvalCorpus(samples, texts.Count(t => t.Value is not null), skipped);
    }

    private static string PreviousNonBlank(string[] lines, int index)
    {
        for (var i = index - 1; i >= 0; i--)
        {
            if (lines[i].Trim().Length > 0)
            {
                return lines[i];
            }
        }

        return string.Empty;
    }
}
