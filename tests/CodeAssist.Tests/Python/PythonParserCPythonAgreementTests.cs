using CodeAssist.Server.Python;
using CodeAssist.Tests.Testing;
using Xunit.Abstractions;

namespace CodeAssist.Tests.Python;

/// <summary>
/// The parser against CPython's <c>compile()</c> on real third-party code (Debian's numpy) and on seeded mutations of
/// it. CPython is Debian's /usr/bin/python3 (3.11); the parser also accepts 3.12 and 3.13 syntax, which real 3.11-era
/// code does not use, and leaves out CPython's checks that need scopes ('return' outside a function and the like).
/// </summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class PythonParserCPythonAgreementTests(ITestOutputHelper output)
{
    private const int Seed = 20250614;
    private const int MutationCount = 4000;
    private const int LargestStatement = 4000;
    private static readonly TimeSpan CPythonTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task EveryRealFileCPythonCompilesIsValid()
    {
        var files = HeldOutPythonCode.Files;
        var cpython = await CPythonCompile.CompileAsync([.. files.Select(file => file.Text)], CPythonTimeout);
        var rejected = new List<string>();
        int cpythonValid = 0, bothInvalid = 0, acceptedAgainstCPython = 0;
        for (int i = 0; i < files.Count; i++)
        {
            var ours = PythonParser.Check(files[i].Text);
            if (cpython[i].Verdict == CPythonVerdict.Valid)
            {
                cpythonValid++;
                if (ours.Verdict != PythonParseVerdict.Valid)
                {
                    rejected.Add($"{files[i].Path}: {ours}");
                }
            }
            else if (ours.Verdict == PythonParseVerdict.Valid)
            {
                acceptedAgainstCPython++;
                output.WriteLine($"CPython rejects, the parser accepts: {files[i].Path}: {cpython[i].Message}");
            }
            else
            {
                bothInvalid++;
            }
        }

        int lines = files.Sum(file => file.Text.Count(c => c == '\n'));
        output.WriteLine($"real files: {files.Count} ({lines:N0} lines) under {Models.HeldOutPython.Root}");
        output.WriteLine($"  CPython compiles {cpythonValid}; the parser calls {cpythonValid - rejected.Count} of them valid ({100.0 * (cpythonValid - rejected.Count) / Math.Max(cpythonValid, 1):F1} %)");
        output.WriteLine($"  CPython rejects {files.Count - cpythonValid}: the parser rejects {bothInvalid}, accepts {acceptedAgainstCPython}");
        Assert.True(files.Count >= 100, $"only {files.Count} files");
        Assert.True(rejected.Count == 0, "the parser rejects files CPython compiles:\n" + string.Join('\n', rejected));
    }

    [Fact]
    public async Task MutatedRealCodeGetsCPythonsVerdict()
    {
        var statements = HeldOutPythonCode.Files
            .SelectMany(file => HeldOutPythonCode.TopLevelStatements(file.Text))
            .Where(statement => statement.Length <= LargestStatement)
            .ToList();
        var random = new Random(Seed);
        var cases = new List<(int Original, PythonCodeMutation Mutation, string Text)>();
        var originals = new Dictionary<int, int>();
        while (cases.Count < MutationCount)
        {
            int original = random.Next(statements.Count);
            var mutation = PythonCodeMutations.All[random.Next(PythonCodeMutations.All.Count)];
            if (PythonCodeMutations.Apply(statements[original], mutation, random) is { } text)
            {
                cases.Add((original, mutation, text));
                originals.TryAdd(original, originals.Count);
            }
        }

        // One CPython run: the originals (only mutations of code CPython compiles count), then the mutations.
        var originalOrder = originals.OrderBy(pair => pair.Value).Select(pair => pair.Key).ToList();
        var cpython = await CPythonCompile.CompileAsync([.. originalOrder.Select(i => statements[i]), .. cases.Select(c => c.Text)], CPythonTimeout);
        var counts = new int[3, 3];
        var byMutation = PythonCodeMutations.All.ToDictionary(mutation => mutation, _ => (Compared: 0, Agreed: 0));
        int compared = 0, agreed = 0, falseRejections = 0, cutUnfinishedAgreed = 0, cutNotValid = 0;
        var disagreements = new List<string>();
        for (int i = 0; i < cases.Count; i++)
        {
            var (original, mutation, text) = cases[i];
            if (cpython[originals[original]].Verdict != CPythonVerdict.Valid)
            {
                continue;
            }

            var reference = cpython[originalOrder.Count + i];
            var ours = PythonParser.Check(text);
            compared++;
            counts[(int)reference.Verdict, (int)ours.Verdict]++;
            bool agree = (reference.Verdict == CPythonVerdict.Valid) == (ours.Verdict == PythonParseVerdict.Valid);
            agreed += agree ? 1 : 0;
            var tally = byMutation[mutation];
            byMutation[mutation] = (tally.Compared + 1, tally.Agreed + (agree ? 1 : 0));
            falseRejections += reference.Verdict == CPythonVerdict.Valid && ours.Verdict == PythonParseVerdict.Invalid ? 1 : 0;
            if (mutation == PythonCodeMutation.CutText && reference.Verdict != CPythonVerdict.Valid && ours.Verdict != PythonParseVerdict.Valid)
            {
                cutNotValid++;
                cutUnfinishedAgreed += (reference.Verdict == CPythonVerdict.Unfinished) == (ours.Verdict == PythonParseVerdict.Unfinished) ? 1 : 0;
            }

            if (!agree && disagreements.Count < 20)
            {
                disagreements.Add($"{mutation}: parser {ours}; CPython {reference.Verdict} {reference.Message}\n    {Excerpt(text, ours.Offset)}");
            }
        }

        double agreement = (double)agreed / compared;
        output.WriteLine($"mutations: {compared} of {cases.Count} compared (of {statements.Count} top-level statements, seed {Seed}); valid-vs-not agreement {agreed}/{compared} = {100 * agreement:F2} %");
        foreach (var (mutation, tally) in byMutation)
        {
            output.WriteLine($"  {mutation,-18} {tally.Agreed,5}/{tally.Compared,-5} {100.0 * tally.Agreed / Math.Max(tally.Compared, 1),6:F2} %");
        }

        output.WriteLine("  CPython \\ parser     Valid  Unfinished  Invalid");
        foreach (var verdict in Enum.GetValues<CPythonVerdict>())
        {
            output.WriteLine($"  {verdict,-18} {counts[(int)verdict, 0],7} {counts[(int)verdict, 1],11} {counts[(int)verdict, 2],8}");
        }

        output.WriteLine($"  CPython-valid texts the parser calls invalid: {falseRejections}");
        output.WriteLine($"  texts cut short that both reject: unfinished-vs-invalid agrees on {cutUnfinishedAgreed}/{cutNotValid} (CPython calls 'x = 1 +' invalid where the parser says unfinished)");
        foreach (var disagreement in disagreements)
        {
            output.WriteLine(disagreement);
        }

        Assert.True(compared >= MutationCount * 9 / 10, $"only {compared} mutations of code CPython compiles");
        Assert.True(agreement >= 0.98, $"agreement {100 * agreement:F2} % is below 98 %");
        Assert.True(falseRejections == 0, $"{falseRejections} texts CPython compiles are called invalid");
    }

    private static string Excerpt(string text, int offset)
    {
        int at = Math.Clamp(offset < 0 ? text.Length : offset, 0, text.Length);
        int start = Math.Max(0, at - 60);
        int end = Math.Min(text.Length, at + 40);
        return (text[start..at] + "⟨here⟩" + text[at..end]).Replace("\n", "\\n", StringComparison.Ordinal);
    }
}
