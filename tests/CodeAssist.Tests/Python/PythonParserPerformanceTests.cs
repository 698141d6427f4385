using System.Diagnostics;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Python;
using CodeAssist.Tests.Testing;
using Xunit.Abstractions;

namespace CodeAssist.Tests.Python;

/// <summary>
/// How long a check takes: the parser runs per indented per keystroke, so a block of a hundred lines must take well
/// under a millisecond. Measured and printed, not asserted (the test machine's load varies): the thread's CPU time
/// per check, which load does not inflate, beside the wall-clock time.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class PythonParserPerformanceTests(ITestOutputHelper output)
{
    private const int Rounds = 9;
    private const int ChecksPerRound = 500;

    /// <summary>The longest warm-up: on a loaded machine the JIT's background thread takes seconds to optimize the parser.</summary>
    private static readonly TimeSpan LongestWarmUp = TimeSpan.FromSeconds(30);

    [Fact]
    public void CheckingAHundredLineBlockIsMeasured()
    {
        // The first real definition of about a hundred lines (a whole function or class, so the block is valid).
        var block = HeldOutPythonCode.Files
            .SelectMany(file => HeldOutPythonCode.TopLevelStatements(file.Text))
            .Select(statement => statement.TrimEnd() + "\n")
            .First(statement => statement.StartsWith("def ", StringComparison.Ordinal) && LineCount(statement) is >= 95 and <= 110);
        var indented = block.Replace("\n", "\n    ", StringComparison.Ordinal);
        var cold = Stopwatch.StartNew();
        Assert.Equal(PythonParseVerdict.Valid, PythonParser.Check(block).Verdict);
        cold.Stop();

        var statements = PythonLexer.Lex(block).Lines.Where(line => line.StartsLogicalLine && line.IsCode).ToList();
        var middle = statements[statements.Count / 2];
        var broken = block.Insert(middle.Start, block[middle.Start..(middle.Start + Indentation.Leading(block.AsSpan(middle.Start)).Length)] + "print(path) as handle:\n");
        Assert.Equal(PythonParseVerdict.Invalid, PythonParser.Check(broken).Verdict);

        // Warm up: every held-out file once, then the block, until the JIT has compiled the parser at full optimization.
        var files = HeldOutPythonCode.Files;
        long lines = files.Sum(file => (long)LineCount(file.Text));
        var firstPass = Stopwatch.StartNew();
        CheckAll(files);
        firstPass.Stop();
        WarmUp(() =>
        {
            PythonParser.Check(block);
            PythonParser.Check(indented, PythonParseOptions.Fragment);
            PythonParser.Check(broken);
        });

        var (wall, cpu) = Measure(() => PythonParser.Check(block));
        var (indentedWall, indentedCpu) = Measure(() => PythonParser.Check(indented, PythonParseOptions.Fragment));
        var (brokenWall, brokenCpu) = Measure(() => PythonParser.Check(broken));
        var secondPass = Stopwatch.StartNew();
        CheckAll(files);
        secondPass.Stop();

        output.WriteLine($"a {LineCount(block)}-line block ({block.Length:N0} characters), median per check: {cpu:F1} µs of CPU, {wall:F1} µs wall-clock; the first check, JIT included: {cold.Elapsed.TotalMicroseconds:F0} µs");
        output.WriteLine($"  the same block indented, as a fragment: {indentedCpu:F1} µs of CPU ({indentedWall:F1} µs wall); with an invalid line in its middle: {brokenCpu:F1} µs of CPU ({brokenWall:F1} µs wall)");
        output.WriteLine($"all {files.Count} held-out files, {lines:N0} lines: {secondPass.Elapsed.TotalMilliseconds:F0} ms warm ({lines / secondPass.Elapsed.TotalMilliseconds:F0} lines per ms), {firstPass.Elapsed.TotalMilliseconds:F0} ms on the first pass");
    }

    private static void CheckAll(IReadOnlyList<(string Path, string Text)> files)
    {
        foreach (var (_, text) in files)
        {
            PythonParser.Check(text);
        }
    }

    private static int LineCount(string text) => text.Count(c => c == '\n');

    /// <summary>
    /// Runs <paramref name="checks"/> in rounds until the JIT has compiled them at full optimization: tiered
    /// compilation first runs them unoptimized, for seconds in a busy test host. Warm once a round's CPU time is under
    /// half the first round's and five rounds have not bettered the best.
    /// </summary>
    private static void WarmUp(Action checks)
    {
        var warming = Stopwatch.StartNew();
        var first = TimeSpan.Zero;
        var best = TimeSpan.MaxValue;
        int unchanged = 0;
        while (warming.Elapsed < LongestWarmUp && (unchanged < 5 || best > first / 2))
        {
            var start = ThreadCpuClock.Now();
            for (int i = 0; i < ChecksPerRound / 5; i++)
            {
                checks();
            }

            var spent = ThreadCpuClock.Now() - start;
            first = first == TimeSpan.Zero ? spent : first;
            unchanged = spent < best * 0.95 ? 0 : unchanged + 1;
            best = spent < best ? spent : best;
        }
    }

    /// <summary>The median over rounds of the mean time per call, in microseconds: wall-clock, and the thread's CPU time (what the check costs on a busy machine).</summary>
    private static (double Wall, double Cpu) Measure(Action check)
    {
        var walls = new List<double>();
        var cpus = new List<double>();
        for (int round = 0; round < Rounds; round++)
        {
            var cpu = ThreadCpuClock.Now();
            var stopwatch = Stopwatch.StartNew();
            for (int i = 0; i < ChecksPerRound; i++)
            {
                check();
            }

            walls.Add(stopwatch.Elapsed.TotalMicroseconds / ChecksPerRound);
            cpus.Add((ThreadCpuClock.Now() - cpu).TotalMicroseconds / ChecksPerRound);
        }

        walls.Sort();
        cpus.Sort();
        return (walls[Rounds / 2], cpus[Rounds / 2]);
    }
}
