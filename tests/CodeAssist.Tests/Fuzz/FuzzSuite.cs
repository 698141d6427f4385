using System.Diagnostics;
using System.Globalization;
using CodeAssist.Tests.Testing;
using Xunit.Abstractions;

namespace CodeAssist.Tests.Fuzz;

/// <summary>
/// The fuzz and fault suite: seeded inputs from seven families against the real <c>codeassist serve</c> process (the
/// edit family also against an in-memory server, to read its text back). After every family, and often inside one, the
/// process must be alive, every request it was sent in a frame it must read must have its answer with its id, its
/// stdout must hold only well-formed frames of JSON, and a valid completion must answer a result; at the end it must
/// shut down and exit with 0. <c>CODEASSIST_FUZZ_SEED</c> replays a seed, <c>CODEASSIST_FUZZ_FAMILY</c> runs one family
/// (each family draws from its own generator, so it replays the same inputs alone).
/// </summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class FuzzSuite(ITestOutputHelper output)
{
    /// <summary>The seed when none is given.</summary>
    public const int DefaultSeed = 20261206;

    // Sized for about three minutes on two busy cores, the whole suite (about 70 s on them with a load of 10); each family
    // prints its time. The params family sends every combination it has.
    private const int Frames = 1000;
    private const int Messages = 2000;
    private const int ParamsLimit = 4000;
    private const int Edits = 3000;
    private const int GgufInputs = 160;
    private const int RemoteInputs = 24;

    private static readonly string[] Families = ["frames", "messages", "params", "edits", "gguf", "files", "remote"];

    [LinuxFact]
    public async Task TheServerSurvivesEveryFuzzFamilyAnswersEveryRequestAndKeepsCompleting()
    {
        var seed = Environment.GetEnvironmentVariable("CODEASSIST_FUZZ_SEED") is { Length: > 0 } given
            ? int.Parse(given, CultureInfo.InvariantCulture)
            : DefaultSeed;
        var only = Environment.GetEnvironmentVariable("CODEASSIST_FUZZ_FAMILY") is { Length: > 0 } family ? family : null;
        Assert.True(only is null || Families.Contains(only), $"CODEASSIST_FUZZ_FAMILY must be one of {string.Join(", ", Families)}");

        var models = Directory.CreateTempSubdirectory("codeassist-fuzz-models-").FullName;
        var findings = Path.Combine(Path.GetTempPath(), "codeassist-fuzz-findings", string.Create(CultureInfo.InvariantCulture, $"seed-{seed}"));
        var clock = Stopwatch.StartNew();
        var reports = new List<FamilyReport>();
        var restarts = 0;
        await using (var context = new FuzzContext(seed, output, models, findings))
        {
            context.Log($"fuzz seed {seed}{(only is null ? "" : $", family {only}")}: starting the server");
            bool Runs(string name) => only is null || only == name;
            if (Runs("frames"))
            {
                reports.Add(await context.RunAsync("frames", report => FrameFuzzer.RunAsync(context, report, Frames)));
            }

            if (Runs("messages"))
            {
                reports.Add(await context.RunAsync("messages", report => MessageFuzzer.RunAsync(context, report, Messages)));
            }

            if (Runs("params"))
            {
                reports.Add(await context.RunAsync("params", report => ParamFuzzer.RunAsync(context, report, ParamsLimit)));
            }

            if (Runs("edits"))
            {
                reports.Add(await context.RunAsync("edits", report => EditFuzzer.RunAsync(context, report, Edits)));
            }

            if (Runs("gguf"))
            {
                reports.Add(await context.RunAsync("gguf", report => GgufFuzzer.RunAsync(context, report, GgufInputs)));
            }

            if (Runs("files"))
            {
                reports.Add(await context.RunAsync("files", report => OperatingSystem.IsLinux() ? FileKindFuzzer.RunAsync(context, report) : Task.CompletedTask));
            }

            if (Runs("remote"))
            {
                reports.Add(await context.RunAsync("remote", report => RemoteFaultFuzzer.RunAsync(context, report, RemoteInputs)));
            }

            reports.Add(await context.RunAsync("shutdown", context.FinishAsync));
            restarts = context.Restarts;
        }

        Directory.Delete(models, recursive: true);
        var failures = reports.SelectMany(r => r.Failures.Select(f => $"[{r.Name}] {f}")).ToList();
        var counts = string.Join(", ", reports.Where(r => r.Name != "shutdown").Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Name} {r.Inputs}")));
        Log(string.Create(CultureInfo.InvariantCulture,
            $"fuzz seed {seed}: {counts}; failures {failures.Count}; server restarts {restarts}; {clock.Elapsed.TotalSeconds:0} s"));
        var failed = reports.Where(r => r.Failures.Count > 0 && r.Name != "shutdown").Select(r => r.Name).ToList();
        Log($"replay: CODEASSIST_FUZZ_SEED={seed}{(failed.Count == 1 ? $" CODEASSIST_FUZZ_FAMILY={failed[0]}" : "")} dotnet test tests/CodeAssist.Tests -c Release --filter FullyQualifiedName~FuzzSuite");
        Assert.True(failures.Count == 0, $"{failures.Count} fuzz failures (seed {seed}; inputs that killed the server are kept in {findings}):\n{string.Join("\n\n", failures.Take(30))}");
    }

    private void Log(string line)
    {
        output.WriteLine(line);
        Console.WriteLine(line);
    }
}
