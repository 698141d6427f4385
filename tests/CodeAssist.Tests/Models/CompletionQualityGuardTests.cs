using CodeAssist.Server.Completion;
using CodeAssist.Server.Configuration;
using CodeAssist.Tests.Testing;
using CodeAssist.Tools.Evaluation;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace CodeAssist.Tests.Models;

/// <summary>
/// The shipped tiny model, run as the server runs it (context copy on), against the baselines on held-out code
/// (Debian's numpy, never trained on): it must beat repeating the previous line, and beat the copy model alone
/// (<c>baseline:copy</c>, the same pipeline over random weights), so the margin is partly the trained model's.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Model)]
public class CompletionQualityGuardTests(ITestOutputHelper output)
{
    // Measured on these 180 points (numpy, seed 1), Nov 2026, edit similarity:
    //            tiny + copy   copy alone (random weights)   repeat-line
    //   line        0.464          0.427                        0.280
    //   fim         0.249          0.163                        0.248
    //   block       0.331          0.275                        0.132
    // On single masked lines in numpy tiny only ties repeat-line (on the 600-point site-packages run in
    // models/README.md it leads, 0.379 vs 0.290), so FIM is held to "no worse"; the copy model alone loses there.
    private const int PointsPerKind = 60;
    private const double OverRepeatLine = 0.10;
    private const double OverCopyAlone = 0.025;
    private static readonly EvalKind[] Kinds = [EvalKind.Line, EvalKind.Fim, EvalKind.Block];

    [Fact]
    public async Task TinyWithTheCopyModelBeatsRepeatingThePreviousLineAndTheCopyModelAlone()
    {
        // The model is judged before the check stage (unchecked:): edit similarity scores an invalid suggestion that
        // shares characters with the real line (a doctest ">>> a.argsort()" for "return filled.argsort(…)") above the
        // silence the checks give it, so with the checks on it would measure the metric, not the model. The checks are
        // held to the real text below, and measured for what a user keeps in README (Checks and silence).
        var corpus = EvalSampler.Sample(HeldOutPython.Root, Kinds, PointsPerKind, seed: 1);
        var rejected = corpus.Samples.Where(s => CandidateCheck.Reject(s.Prefix, s.Expected, s.Suffix) is not null).ToList();
        Assert.True(rejected.Count <= corpus.Samples.Count / 100, $"the checks reject the real text at {rejected.Count} of {corpus.Samples.Count} points: {string.Join("; ", rejected.Take(3).Select(s => $"{s.File}:{s.Line + 1}"))}");
        var runner = new EvalRunner(NullLoggerFactory.Instance, threads: 1, lossFiles: 1, lossTokensPerFile: 256) { Settings = CodeAssistOptions.Default };
        var report = await runner.RunAsync(HeldOutPython.Root, corpus, 1, [ContestantSpec.UncheckedPrefix + RepositoryPaths.TinyModel, EvalRunner.CopyOnly, EvalRunner.RepeatLine], CancellationToken.None);
        Assert.All(report.Contestants, c => Assert.True(c.Status == ContestantStatus.Ok, $"{c.Name}: {c.Error}"));
        Assert.Equal(ContestantKind.Baseline, report.Contestants[1].Kind);
        double Es(int contestant, EvalKind kind) => report.Contestants[contestant].Kinds.Single(k => k.Kind == kind).EditSimilarity;
        IReadOnlyList<double> Points(int contestant, EvalKind kind) => report.Contestants[contestant].Kinds.Single(k => k.Kind == kind).PointEditSimilarity
            ?? throw new InvalidOperationException($"{report.Contestants[contestant].Name} has no per-point scores for {kind}");
        foreach (var kind in Kinds)
        {
            output.WriteLine($"{kind}: tiny {Es(0, kind):F3}, copy alone {Es(1, kind):F3}, repeat-line {Es(2, kind):F3}");
        }

        Assert.True(Es(0, EvalKind.Line) >= Es(2, EvalKind.Line) + OverRepeatLine, $"line: tiny {Es(0, EvalKind.Line):F3} vs repeat-line {Es(2, EvalKind.Line):F3}");
        Assert.True(Es(0, EvalKind.Block) >= Es(2, EvalKind.Block) + OverRepeatLine, $"block: tiny {Es(0, EvalKind.Block):F3} vs repeat-line {Es(2, EvalKind.Block):F3}");
        // FIM is a near tie on these 60 points (0.255 against 0.248 measured with tiny v3), closer than what a CPU with
        // other kernels (AVX2 on one machine, AVX-512 on another) moves by flipping one close token: "no worse" is judged paired, as
        // the eval judges models — tiny fails when it is clearly worse than repeat-line (the paired 95 % interval of
        // tiny − repeat-line lies wholly below zero), not when it trails by a point's noise.
        var fim = PairedComparison.Of("tiny", "repeat-line", EvalKind.Fim, Points(0, EvalKind.Fim), Points(2, EvalKind.Fim));
        output.WriteLine(fim.ToString());
        Assert.True(fim.High >= 0, $"fim: tiny is clearly worse than repeating the previous line: {fim}");
        Assert.All(Kinds, kind => Assert.True(Es(0, kind) >= Es(1, kind) + OverCopyAlone, $"{kind}: tiny {Es(0, kind):F3} vs the copy model alone {Es(1, kind):F3}"));
    }
}
