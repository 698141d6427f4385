using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using CodeAssist.Tests.Testing;
using CodeAssist.Tools.Evaluation;
using CodeAssist.Tools.Evaluation.Reporting;
using Spectre.Console;

namespace CodeAssist.Tests.Evaluation;

/// <summary>The JSON, table and HTML forms of a report, built by hand so every figure is known.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class EvalReportTests
{
    private static EvalReport Report()
    {
        EvalSample Point(EvalKind kind, int line) => new("a.py", line, kind, "p", "", "x", "", "");
        var corpus = new EvalCorpus(
            [Point(EvalKind.Line, 1), Point(EvalKind.Line, 2), Point(EvalKind.Fim, 3), Point(EvalKind.Block, 4)],
            FilesRead: 3,
            Skipped: [new SkippedFile("broken.py", SkipReason.SyntaxError, "line 2: unexpected indent"), new SkippedFile("latin1.py", SkipReason.NotUtf8, "invalid UTF-8 at byte 5")],
            Kinds: [EvalKind.Line, EvalKind.Fim, EvalKind.Block],
            PerKind: 2);
        KindResult[] Kinds(double similarity, double latency, bool routed = false) =>
        [
            new(EvalKind.Line, 2, 0.5, 0.5, similarity, latency, latency * 2, routed ? 0.5 : null, routed ? 0.5 : null),
            new(EvalKind.Fim, 1, 0, 0, similarity / 2, latency, latency * 2, routed ? 1 : null, routed ? 0 : null),
            new(EvalKind.Block, 1, 0, 1, similarity / 3, latency * 3, latency * 4, routed ? 1 : null, routed ? 1 : null),
        ];
        var routing = new RoutingSummary(
            "codeassist-py-tiny", "openai coder at http://127.0.0.1:1/v1", 4, 3,
            new Dictionary<string, long> { ["invoked"] = 0, ["blockStart"] = 1, ["unsure"] = 2, ["emptyLocal"] = 0 },
            2, 0, 1, new Dictionary<string, long> { ["empty"] = 1 });
        return new EvalReport("/code/project", 7, corpus,
        [
            new ContestantResult("codeassist-py-tiny", ContestantKind.Model, ContestantStatus.Ok, "codeassist-py-tiny", "/m/tiny.gguf", 3_000_000, 6_100_000, Kinds(0.4, 40), 4.03, 1000, 2900, null),
            new ContestantResult(EvalRunner.RepeatLine, ContestantKind.Baseline, ContestantStatus.Ok, null, null, null, null, Kinds(0.3, 0), null, 0, null, null),
            ContestantResult.NotRun("openai:http://127.0.0.1:1/v1#coder", ContestantKind.Remote, ContestantStatus.Unreachable, "unreachable: openai coder at http://127.0.0.1:1/v1 (connection failed)", "http://127.0.0.1:1/v1"),
            ContestantResult.NotRun("qwen2.5-coder-1.5b-q8_0", ContestantKind.Model, ContestantStatus.NotDownloaded, "not downloaded: qwen2.5-coder-1.5b-q8_0.gguf is in none of the model folders"),
            new ContestantResult("router", ContestantKind.Router, ContestantStatus.Ok, "codeassist-py-tiny → openai coder", "/m/tiny.gguf", null, null, Kinds(0.5, 300, routed: true), null, 0, null, null, Routing: routing),
        ]);
    }

    [Fact]
    public void JsonHasTheDocumentedShape()
    {
        var json = JsonDocument.Parse(EvalJsonReport.ToJson(Report())).RootElement;
        Assert.Equal(2, json.GetProperty("version").GetInt32());
        Assert.Equal("/code/project", json.GetProperty("folder").GetString());
        Assert.Equal(7, json.GetProperty("seed").GetInt32());
        Assert.Equal(2, json.GetProperty("samplesPerKind").GetInt32());
        var samples = json.GetProperty("samples");
        Assert.Equal([("line", 2), ("fim", 1), ("block", 1)], samples.EnumerateObject().Select(p => (p.Name, p.Value.GetInt32())));

        var files = json.GetProperty("files");
        Assert.Equal(3, files.GetProperty("read").GetInt32());
        Assert.Equal(2, files.GetProperty("skipped").GetInt32());
        Assert.Equal(
            [("unreadable", 0), ("notUtf8", 1), ("tooLarge", 0), ("syntaxError", 1)],
            files.GetProperty("skippedByReason").EnumerateObject().Select(p => (p.Name, p.Value.GetInt32())));
        var skipped = files.GetProperty("skippedFiles")[0];
        Assert.Equal("broken.py", skipped.GetProperty("file").GetString());
        Assert.Equal("syntaxError", skipped.GetProperty("reason").GetString());
        Assert.Equal("line 2: unexpected indent", skipped.GetProperty("detail").GetString());

        var contestants = json.GetProperty("contestants");
        Assert.Equal(5, contestants.GetArrayLength());
        string[] fields = ["name", "kind", "status", "error", "model", "path", "parameters", "fileSizeBytes", "lossPerToken", "lossTokens", "tokensPerSecond", "kinds", "routing"];
        foreach (var c in contestants.EnumerateArray())
        {
            Assert.All(fields, field => Assert.True(c.TryGetProperty(field, out _), field));
        }

        var model = contestants[0];
        Assert.Equal("model", model.GetProperty("kind").GetString());
        Assert.Equal("ok", model.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, model.GetProperty("error").ValueKind);
        Assert.Equal(3_000_000, model.GetProperty("parameters").GetInt64());
        Assert.Equal(4.03, model.GetProperty("lossPerToken").GetDouble());
        Assert.Equal(JsonValueKind.Null, model.GetProperty("routing").ValueKind);
        var line = model.GetProperty("kinds")[0];
        Assert.Equal(
            ["kind", "samples", "exactMatch", "firstLineExactMatch", "editSimilarity", "latencyP50Ms", "latencyP95Ms", "escalationShare", "fallbackShare"],
            line.EnumerateObject().Select(p => p.Name));
        Assert.Equal("line", line.GetProperty("kind").GetString());
        Assert.Equal(0.4, line.GetProperty("editSimilarity").GetDouble());
        Assert.Equal(JsonValueKind.Null, line.GetProperty("escalationShare").ValueKind);
        Assert.Equal(["line", "fim", "block"], model.GetProperty("kinds").EnumerateArray().Select(k => k.GetProperty("kind").GetString()));

        Assert.Equal("baseline", contestants[1].GetProperty("kind").GetString());
        var unreachable = contestants[2];
        Assert.Equal("remote", unreachable.GetProperty("kind").GetString());
        Assert.Equal("unreachable", unreachable.GetProperty("status").GetString());
        Assert.Contains("connection failed", unreachable.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, unreachable.GetProperty("kinds").GetArrayLength());
        Assert.Equal("not-downloaded", contestants[3].GetProperty("status").GetString());

        var router = contestants[4];
        Assert.Equal("router", router.GetProperty("kind").GetString());
        Assert.Equal(0.5, router.GetProperty("kinds")[0].GetProperty("escalationShare").GetDouble());
        var routing = router.GetProperty("routing");
        Assert.Equal(4, routing.GetProperty("requests").GetInt32());
        Assert.Equal(3, routing.GetProperty("escalated").GetInt32());
        Assert.Equal(0.75, routing.GetProperty("escalationShare").GetDouble());
        Assert.Equal(2, routing.GetProperty("reasons").GetProperty("unsure").GetInt32());
        Assert.Equal(2, routing.GetProperty("fallbackUsed").GetInt32());
        Assert.Equal(1, routing.GetProperty("fallbackFailed").GetInt32());
        Assert.Equal(1, routing.GetProperty("failures").GetProperty("empty").GetInt32());
        Assert.Equal("codeassist-py-tiny", routing.GetProperty("local").GetString());
    }

    [Fact]
    public void HtmlIsSelfContainedWithOneChartPointPerContestantAndKind()
    {
        var html = EvalHtmlReport.Render(Report());
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);

        // The chart is well-formed SVG with one point per contestant that ran and kind.
        var svg = XElement.Parse(Regex.Match(html, "<svg.*?</svg>", RegexOptions.Singleline).Value);
        XNamespace ns = "http://www.w3.org/2000/svg";
        var points = svg.Descendants(ns + "g").Where(g => (string?)g.Attribute("class") == "point").ToList();
        Assert.Equal(9, points.Count);
        Assert.Equal(
            ["codeassist-py-tiny", "baseline:repeat-line", "router"],
            points.Select(p => (string)p.Attribute("data-contestant")!).Distinct());
        Assert.All(points, p => Assert.Contains((string)p.Attribute("data-kind")!, new[] { "line", "fim", "block" }));
        Assert.Equal("0.4", (string)points[0].Attribute("data-es")!);
        Assert.Contains(points, p => p.Element(ns + "title")!.Value.Contains("router, block", StringComparison.Ordinal));

        // Higher similarity is drawn higher: the router's line point above the baseline's.
        static double Y(XElement point) => double.Parse(
            (string?)point.Elements().First().Attribute("cy") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        var routerLine = points.Single(p => (string)p.Attribute("data-contestant")! == "router" && (string)p.Attribute("data-kind")! == "line");
        var baselineLine = points.Single(p => (string)p.Attribute("data-contestant")! == EvalRunner.RepeatLine && (string)p.Attribute("data-kind")! == "line");
        Assert.True(Y(routerLine) < Y(baselineLine));

        // The tables and notes, unreachable and skipped files included.
        Assert.Contains("<td class=\"bad\">unreachable</td>", html, StringComparison.Ordinal);
        Assert.Contains("escalated 3 of 4 (75 %)", html, StringComparison.Ordinal);
        Assert.Contains("broken.py", html, StringComparison.Ordinal);
    }

    [Fact]
    public void TheMarkdownTableHasARowPerContestantAndKindAndNotesForTheRest()
    {
        var markdown = EvalTableReport.ToMarkdown(Report());
        var lines = markdown.Split('\n');
        Assert.StartsWith("| contestant | kind | n | EM | line-1 EM | ES | p50 ms | p95 ms | escalated |", lines[0], StringComparison.Ordinal);
        Assert.Contains("| codeassist-py-tiny | line | 2 | 0.500 | 0.500 | 0.400 | 40.0 | 80.0 | – | 2900 | 3.0M | 6.1 MB | 4.030 |", lines);
        Assert.Contains("| router | block | 1 | 0.000 | 1.000 | 0.167 | 900 | 1200 | 100 % |  |  |  |  |", lines);
        Assert.Contains(lines, l => l.StartsWith("| openai:http://127.0.0.1:1/v1#coder | unreachable |", StringComparison.Ordinal));
        Assert.Contains("3 files read (2 skipped: 1 not UTF-8, 1 syntax errors); points: line 2, fim 1, block 1; seed 7", lines);
        Assert.Contains(lines, l => l.StartsWith("router: codeassist-py-tiny → openai coder at http://127.0.0.1:1/v1; escalated 3 of 4 (75 %): blockStart 1, unsure 2;", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("qwen2.5-coder-1.5b-q8_0: not downloaded:", StringComparison.Ordinal));
    }

    [Fact]
    public void TheTerminalTableShowsTheSameFigures()
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 200;
        EvalTableReport.Write(console, Report());
        var text = writer.ToString();
        Assert.Contains("codeassist-py-tiny", text, StringComparison.Ordinal);
        Assert.Contains("unreachable", text, StringComparison.Ordinal);
        Assert.Contains("100 %", text, StringComparison.Ordinal);
        Assert.Contains("0.167", text, StringComparison.Ordinal);
        Assert.Contains("escalated 3 of 4", text, StringComparison.Ordinal);

        // The name once per contestant, on its first row.
        Assert.Equal(1, Regex.Count(text, "│ router "));
    }
}

/// <summary>Paired comparisons of contestants on the same points.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class PairedComparisonTests
{
    [Fact]
    public void TheMeanDifferenceAndItsIntervalFollowFromThePerPointDifferences()
    {
        // Differences 0.1, 0.2, 0.3, 0.4: mean 0.25, sample sd 0.1291, standard error 0.0645, half-width 1.96 × that.
        var comparison = PairedComparison.Of("b", "a", EvalKind.Line, [0.6, 0.7, 0.8, 0.9], [0.5, 0.5, 0.5, 0.5]);
        Assert.Equal(4, comparison.Points);
        Assert.Equal(0.25, comparison.MeanDifference, 9);
        Assert.Equal(0.25 - (1.959964 * 0.1290994 / 2), comparison.Low, 6);
        Assert.Equal(0.25 + (1.959964 * 0.1290994 / 2), comparison.High, 6);
        Assert.Equal("line: b − a = +0.250 (95 % CI +0.123 to +0.377)", comparison.ToString());
        Assert.Throws<ArgumentException>(() => PairedComparison.Of("b", "a", EvalKind.Line, [0.1, 0.2], [0.1]));
    }

    [Fact]
    public void EveryContestantThatRanIsComparedWithTheFirstOnEachKindAndTheReportsCarryIt()
    {
        KindResult Kind(EvalKind kind, params double[] points) =>
            new(kind, points.Length, 0, 0, points.Average(), 1, 1, PointEditSimilarity: points, PointCompletions: [.. points.Select(p => $"x = {p}\n")]);
        ContestantResult Ran(string name, params KindResult[] kinds) =>
            new(name, ContestantKind.Model, ContestantStatus.Ok, name, null, null, null, kinds, null, 0, null, null);
        EvalSample Point(EvalKind kind, int line) => new("a.py", line, kind, "p", "", "x", "", "");
        var corpus = new EvalCorpus([Point(EvalKind.Line, 1), Point(EvalKind.Line, 2), Point(EvalKind.Line, 3)], 1, [], [EvalKind.Line], 3);
        var report = new EvalReport("/code", 1, corpus,
        [
            Ran("tiny", Kind(EvalKind.Line, 0.5, 0.6, 0.7)),
            ContestantResult.NotRun("missing", ContestantKind.Model, ContestantStatus.NotFound, "not found"),
            Ran("same", Kind(EvalKind.Line, 0.5, 0.6, 0.7)),
            Ran("worse", Kind(EvalKind.Line, 0.1, 0.3, 0.2)),
        ]);

        var paired = PairedComparison.Against(report);
        Assert.Equal(["same", "worse"], paired.Select(p => p.Contestant));
        Assert.All(paired, p => Assert.Equal("tiny", p.Reference));
        Assert.Equal(0, paired[0].MeanDifference, 9);
        Assert.Equal(0, paired[0].High - paired[0].Low, 9);
        Assert.Equal(-0.4, paired[1].MeanDifference, 9);
        Assert.True(paired[1].High < 0);

        Assert.Contains("  line: worse − tiny = −0.400", EvalTableReport.Notes(report).Last(), StringComparison.Ordinal);
        var json = JsonDocument.Parse(EvalJsonReport.ToJson(report)).RootElement;
        var worse = json.GetProperty("paired")[1];
        Assert.Equal("worse", worse.GetProperty("contestant").GetString());
        Assert.Equal(-0.4, worse.GetProperty("meanEditSimilarityDifference").GetDouble(), 4);
        Assert.Equal([0.1, 0.3, 0.2], json.GetProperty("contestants")[3].GetProperty("kinds")[0].GetProperty("pointEditSimilarity").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(["x = 0.1\n", "x = 0.3\n", "x = 0.2\n"], json.GetProperty("contestants")[3].GetProperty("kinds")[0].GetProperty("pointCompletions").EnumerateArray().Select(e => e.GetString()));
    }
}
