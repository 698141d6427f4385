using System.Text.Json;
using CodeAssist.Server.Cli;
using CodeAssist.Server.Evaluation;
using CodeAssist.Tests.Gguf;
using Microsoft.Extensions.Logging.Abstractions;

namespace CodeAssist.Tests.Evaluation;

public class EvalTests
{
    private static string WriteFolder()
    {
        var folder = Directory.CreateTempSubdirectory("codeassist-eval-").FullName;
        for (var f = 0; f < 4; f++)
        {
            File.WriteAllText(Path.Combine(folder, $"module{f}.py"), "import math\n\n" + string.Concat(Enumerable.Range(10, 60).Select(i =>
                $"value_{i} = compute({i}, {f})\n")));
        }

        File.WriteAllBytes(Path.Combine(folder, "latin1.py"), [0x78, 0x20, 0x3D, 0x20, 0x27, 0xE9, 0x27, 0x0A, 0x79, 0x0A, 0x7A, 0x0A]);
        return folder;
    }

    [Theory]
    [InlineData("abc", "abc", 1.0)]
    [InlineData("abc", "abd", 2.0 / 3)]
    [InlineData("", "abcd", 0.0)]
    [InlineData("", "", 1.0)]
    [InlineData("return x  ", "return x", 1.0)]
    [InlineData("kitten", "sitting", 1 - (3.0 / 7))]
    public void EditSimilarityIsOneMinusNormalisedLevenshtein(string predicted, string expected, double similarity)
    {
        Assert.Equal(similarity, EvalMetrics.EditSimilarity(predicted, expected), 6);
    }

    [Fact]
    public void ExactMatchIgnoresTrailingWhitespaceOnly()
    {
        Assert.True(EvalMetrics.ExactMatch("return x  ", "return x"));
        Assert.False(EvalMetrics.ExactMatch(" return x", "return x"));
        Assert.Equal(3, EvalMetrics.Levenshtein("kitten", "sitting"));
        Assert.Equal("first", EvalMetrics.FirstLine("first\nsecond"));
        Assert.Equal(3.0, EvalMetrics.Percentile([5, 1, 3, 2, 4], 0.5));
        Assert.Equal(5.0, EvalMetrics.Percentile([5, 1, 3, 2, 4], 0.95));
    }

    [Fact]
    public void TheSameSeedGivesTheSamePointsAndAnotherSeedOthers()
    {
        var folder = WriteFolder();
        var a = EvalSampler.Sample(folder, [EvalKind.Line, EvalKind.Fim], 20, seed: 7);
        var b = EvalSampler.Sample(folder, [EvalKind.Line, EvalKind.Fim], 20, seed: 7);
        var c = EvalSampler.Sample(folder, [EvalKind.Line, EvalKind.Fim], 20, seed: 8);
        Assert.Equal(40, a.Samples.Count);
        Assert.Equal(a.Samples, b.Samples);
        Assert.NotEqual(a.Samples, c.Samples);
        Assert.Equal(1, a.FilesSkipped);
    }

    [Fact]
    public void PointsAreWhereEditorsLeaveTheCursorAndKnowTheirLine()
    {
        var folder = WriteFolder();
        var corpus = EvalSampler.Sample(folder, [EvalKind.Line, EvalKind.Fim], 30, seed: 3);
        foreach (var sample in corpus.Samples)
        {
            var lines = File.ReadAllText(Path.Combine(folder, sample.File)).Split('\n');
            var line = lines[sample.Line];
            Assert.Equal(line.Trim(), sample.Typed + sample.Expected);
            Assert.EndsWith(line[..(line.Length - line.TrimStart().Length)] + sample.Typed, sample.Prefix);
            if (sample.Kind == EvalKind.Fim)
            {
                Assert.Equal("", sample.Typed);
                Assert.StartsWith("\n" + lines[sample.Line + 1], sample.Suffix);
            }
            else
            {
                Assert.Equal("", sample.Suffix);
            }
        }
    }

    [Fact]
    public async Task ARunComparesAModelWithTheRepeatLineBaselineAndWritesJson()
    {
        var folder = WriteFolder();
        var corpus = EvalSampler.Sample(folder, [EvalKind.Line, EvalKind.Fim], 6, seed: 1);
        var model = TestModel.Get(new TestModelOptions { OutputScale = 4f, Seed = 77 }).Path;
        var runner = new EvalRunner(NullLoggerFactory.Instance, threads: 1, lossFiles: 2, lossTokensPerFile: 200);
        var report = await runner.RunAsync(folder, corpus, 1, [model, EvalRunner.RepeatLine, "/nonexistent.gguf"], CancellationToken.None);

        Assert.Equal(3, report.Contestants.Count);
        var modelResult = report.Contestants[0];
        Assert.Null(modelResult.Error);
        Assert.Equal(2, modelResult.Kinds.Count);
        Assert.All(modelResult.Kinds, k => Assert.Equal(6, k.Samples));
        Assert.True(modelResult.LossPerToken > 0);
        Assert.True(modelResult.TokensPerSecond > 0);

        // The code repeats itself line to line, so repeating the previous line scores well here.
        var repeat = report.Contestants[1];
        Assert.True(repeat.Kinds.All(k => k.EditSimilarity > 0.5), string.Join(", ", repeat.Kinds.Select(k => k.EditSimilarity)));
        Assert.Contains("not found", report.Contestants[2].Error);

        var json = JsonDocument.Parse(EvalCommand.ToJson(report)).RootElement;
        Assert.Equal(3, json.GetProperty("contestants").GetArrayLength());
        var kinds = json.GetProperty("contestants")[0].GetProperty("kinds");
        Assert.Equal("line", kinds[0].GetProperty("kind").GetString());
        foreach (var field in new[] { "samples", "exactMatch", "editSimilarity", "latencyP50Ms", "latencyP95Ms" })
        {
            Assert.True(kinds[0].TryGetProperty(field, out _), field);
        }

        Assert.Contains("| baseline:repeat-line |", EvalCommand.FormatTable(report));
    }
}
