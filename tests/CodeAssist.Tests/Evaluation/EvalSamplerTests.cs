using CodeAssist.Tests.Testing;
using CodeAssist.Tools.Evaluation;

namespace CodeAssist.Tests.Evaluation;

/// <summary>Where the sampler puts cursors, that a seed fixes them, and which files it skips.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class EvalSamplerTests
{
    private static readonly EvalKind[] AllKinds = [EvalKind.Line, EvalKind.Fim, EvalKind.Block];

    [Fact]
    public void TheSameSeedGivesTheSamePointsOfEveryKindAndAnotherSeedOthers()
    {
        var folder = EvalFolders.Write();
        var a = EvalSampler.Sample(folder, AllKinds, 8, seed: 7);
        var b = EvalSampler.Sample(folder, AllKinds, 8, seed: 7);
        var c = EvalSampler.Sample(folder, AllKinds, 8, seed: 8);
        Assert.Equal(24, a.Samples.Count);
        foreach (var kind in AllKinds)
        {
            var first = a.Samples.Where(s => s.Kind == kind).ToList();
            Assert.Equal(8, first.Count);
            Assert.Equal(first, b.Samples.Where(s => s.Kind == kind));
            Assert.NotEqual(first, c.Samples.Where(s => s.Kind == kind));
        }
    }

    [Fact]
    public void AKindsPointsDoNotDependOnTheOtherKindsAskedFor()
    {
        var folder = EvalFolders.Write();
        var alone = EvalSampler.Sample(folder, [EvalKind.Block], 6, seed: 3);
        var together = EvalSampler.Sample(folder, AllKinds, 6, seed: 3);
        Assert.Equal(alone.Samples, together.Samples.Where(s => s.Kind == EvalKind.Block));
    }

    [Fact]
    public void PointsAreDistinctAndFewerWhenTheFolderHasFewerPlaces()
    {
        var folder = EvalFolders.Write();

        // Each module has 4 usable bodies (plain, documented, fetch, method): 16 in all.
        var corpus = EvalSampler.Sample(folder, [EvalKind.Block], 50, seed: 1);
        Assert.Equal(16, corpus.Samples.Count);
        Assert.Equal(16, corpus.Samples.Select(s => (s.File, s.Line)).Distinct().Count());
        Assert.Equal(16, corpus.SamplesByKind[EvalKind.Block]);
        Assert.Equal(50, corpus.PerKind);
    }

    [Fact]
    public void LineAndFimPointsAreWhereEditorsLeaveTheCursorAndKnowTheirLine()
    {
        var folder = EvalFolders.Write();
        var corpus = EvalSampler.Sample(folder, [EvalKind.Line, EvalKind.Fim], 30, seed: 3);
        Assert.Equal(60, corpus.Samples.Count);
        foreach (var sample in corpus.Samples)
        {
            var lines = File.ReadAllText(Path.Combine(folder, sample.File)).Split('\n');
            var line = lines[sample.Line];
            Assert.Equal(line.Trim(), sample.Typed + sample.Expected);
            Assert.Equal(string.Join('\n', lines.Take(sample.Line)) + "\n" + line[..(line.Length - line.TrimStart().Length)] + sample.Typed, sample.Prefix);
            Assert.DoesNotContain("\"\"\"", line, StringComparison.Ordinal);
            if (sample.Kind == EvalKind.Fim)
            {
                Assert.Equal("", sample.Typed);
                Assert.Equal("\n" + string.Join('\n', lines.Skip(sample.Line + 1)), sample.Suffix);
            }
            else
            {
                Assert.Equal("", sample.Suffix);
            }
        }
    }

    [Fact]
    public void DocstringOpenersAreNeverLinePoints()
    {
        // Every seed, so a lucky one cannot hide a docstring line: the folder's only triple-quoted lines are docstrings.
        var folder = EvalFolders.Write();
        for (var seed = 0; seed < 20; seed++)
        {
            var corpus = EvalSampler.Sample(folder, [EvalKind.Line, EvalKind.Fim], 40, seed);
            Assert.All(corpus.Samples, s => Assert.DoesNotContain("\"\"\"", s.Typed + s.Expected, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void BlockPointsStartAfterTheSignatureAndDocstringAndHoldTheWholeBody()
    {
        var folder = Directory.CreateTempSubdirectory("codeassist-eval-blocks-").FullName;
        File.WriteAllText(Path.Combine(folder, "blocks.py"), "import os\n" + EvalFolders.Functions(0));
        var corpus = EvalSampler.Sample(folder, [EvalKind.Block], 20, seed: 5);
        var byBody = corpus.Samples.ToDictionary(s => s.Expected);
        Assert.Equal(4, corpus.Samples.Count);

        var plain = byBody["total = a + b\n    return total * 0"];
        Assert.EndsWith("def plain_0(a, b):\n    ", plain.Prefix, StringComparison.Ordinal);
        Assert.StartsWith("\n\n\ndef documented_0(items):", plain.Suffix, StringComparison.Ordinal);
        Assert.Equal("def plain_0(a, b):", plain.PreviousLine);

        var documented = byBody["result = 0\n    for item in items:\n        result += item\n    return result"];
        Assert.EndsWith("    Returns: the sum.\n    \"\"\"\n    ", documented.Prefix, StringComparison.Ordinal);
        Assert.StartsWith("\n\n\nasync def fetch_0(", documented.Suffix, StringComparison.Ordinal);

        // A multi-line signature and a single-quoted docstring.
        var fetched = byBody["response = await client.get(url)\n    return response.body"];
        Assert.EndsWith(") -> bytes:\n    'One-line docstring.'\n    ", fetched.Prefix, StringComparison.Ordinal);

        // A method: a raw docstring, then a blank line and a comment, which stay in the prefix.
        var method = byBody["self.count = 0\n        return self"];
        Assert.EndsWith("r\"\"\"Raw docstring.\"\"\"\n\n        # A comment before the first statement.\n        ", method.Prefix, StringComparison.Ordinal);
        Assert.Equal("", method.Typed);

        foreach (var sample in corpus.Samples)
        {
            Assert.Equal(EvalKind.Block, sample.Kind);
            var text = File.ReadAllText(Path.Combine(folder, sample.File));
            Assert.Equal(text, sample.Prefix + sample.Expected + sample.Suffix);
        }
    }

    [Fact]
    public void BodiesLongerThanTheLimitAreNotBlockPoints()
    {
        var folder = Directory.CreateTempSubdirectory("codeassist-eval-long-").FullName;
        var body = string.Concat(Enumerable.Range(0, EvalSampler.MaxBlockLines + 1).Select(i => $"    x{i} = {i}\n"));
        File.WriteAllText(Path.Combine(folder, "long.py"), "def long():\n" + body + "\n\ndef short():\n    return 1\n");
        var corpus = EvalSampler.Sample(folder, [EvalKind.Block], 5, seed: 1);
        Assert.Equal("return 1", Assert.Single(corpus.Samples).Expected);
    }

    [Fact]
    public void UnreadableNonUtf8OversizedAndBrokenFilesAreSkippedAndCounted()
    {
        var folder = EvalFolders.Write();
        File.WriteAllBytes(Path.Combine(folder, "latin1.py"), [0x78, 0x20, 0x3D, 0x20, 0x27, 0xE9, 0x27, 0x0A]);
        File.WriteAllText(Path.Combine(folder, "bracket.py"), "x = compute(1,\ny = 2\n");
        File.WriteAllText(Path.Combine(folder, "dedent.py"), "def f():\n        a = 1\n    b = 2\n");
        File.WriteAllText(Path.Combine(folder, "string.py"), "name = 'unterminated\nother = 1\n");
        File.WriteAllText(Path.Combine(folder, "huge.py"), string.Concat(Enumerable.Repeat("value = 1\n", 110_000)));
        File.CreateSymbolicLink(Path.Combine(folder, "gone.py"), Path.Combine(folder, "does-not-exist.py"));
        Directory.CreateDirectory(Path.Combine(folder, ".venv"));
        File.WriteAllText(Path.Combine(folder, ".venv", "hidden.py"), "x = 1\n");

        var corpus = EvalSampler.Sample(folder, [EvalKind.Line], 10, seed: 1);

        Assert.Equal(4, corpus.FilesRead);
        Assert.Equal(6, corpus.FilesSkipped);
        var reasons = corpus.SkippedByReason;
        Assert.Equal(3, reasons[SkipReason.SyntaxError]);
        Assert.Equal(1, reasons[SkipReason.NotUtf8]);
        Assert.Equal(1, reasons[SkipReason.TooLarge]);
        Assert.Equal(1, reasons[SkipReason.Unreadable]);
        Assert.Equal(["bracket.py", "dedent.py", "gone.py", "huge.py", "latin1.py", "string.py"], corpus.Skipped.Select(s => s.File));
        Assert.Contains("unindent does not match", corpus.Skipped.Single(s => s.File == "dedent.py").Detail, StringComparison.Ordinal);
        Assert.All(corpus.Samples, s => Assert.StartsWith("module", s.File, StringComparison.Ordinal));
    }
}
