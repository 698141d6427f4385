using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace CodeAssist.Tests.Fuzz;

/// <summary>What one family tried and what went wrong.</summary>
internal sealed class FamilyReport(string name)
{
    public string Name { get; } = name;

    public int Inputs { get; set; }

    public List<string> Failures { get; } = [];

    public TimeSpan Elapsed { get; set; }

    /// <summary>Notes that are not failures (a case skipped on this machine, what a fault did).</summary>
    public List<string> Notes { get; } = [];
}

/// <summary>
/// The state the families share: the seed, one <see cref="Random"/> per family derived from it (so a family replays
/// the same inputs alone or with the others), the server process (restarted, and the death recorded, when an input
/// kills it), the checkpoint every family runs, and the output.
/// </summary>
internal sealed class FuzzContext(int seed, ITestOutputHelper output, string modelsFolder, string findingsFolder) : IAsyncDisposable
{
    private static readonly TimeSpan FamilyLimit = TimeSpan.FromMinutes(8);

    // Stdout violations and stray answers already reported: each is reported once.
    private readonly HashSet<string> _reported = [];
    private FuzzServer? _server;

    public int Seed { get; } = seed;

    /// <summary>Holds the files the models folder lists (the file-kind family fills it); the server lists it.</summary>
    public string ModelsFolder { get; } = modelsFolder;

    /// <summary>Where inputs that killed the server are kept for replaying by hand; not deleted by the suite.</summary>
    public string FindingsFolder { get; } = findingsFolder;

    /// <summary>How many times the server process had to be started again after an input killed it.</summary>
    public int Restarts { get; private set; }

    /// <summary>The family's own generator: the seed mixed with a stable hash of the family's name.</summary>
    public Random RandomFor(string family)
    {
        // string.GetHashCode differs between processes; FNV-1a does not.
        var hash = 2166136261u;
        foreach (var c in family)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return new Random(unchecked(Seed * 31 + (int)hash));
    }

    /// <summary>The running server, started on first use.</summary>
    public async Task<FuzzServer> ServerAsync()
    {
        _server ??= await FuzzServer.StartAsync(ModelsFolder);
        return _server;
    }

    /// <summary>
    /// Records that the server died under <paramref name="input"/> (with its exit code and last output) and starts a
    /// new one, so the rest of the suite still runs. Returns true when the server was dead.
    /// </summary>
    public async Task<bool> RecoverAsync(FamilyReport report, string input)
    {
        if (_server is null || _server.IsAlive)
        {
            return false;
        }

        report.Failures.Add($"the server process died (exit code {_server.ExitCode}) after {input}\n{_server.RecentOutput()}");
        CollectTrackingFailures(_server, report);
        await _server.DisposeAsync();
        _server = null;
        Restarts++;
        await ServerAsync();
        return true;
    }

    /// <summary>
    /// The check after each family and periodically inside one: the process is alive, codeAssist/stats answers, an
    /// invoked inline completion in the untouched check document answers a result (items may be empty, an error is a
    /// failure), every required request so far has its answer, and stdout held only well-formed frames.
    /// </summary>
    public async Task CheckpointAsync(FamilyReport report, string after)
    {
        var server = await ServerAsync();
        if (await RecoverAsync(report, after))
        {
            return;
        }

        try
        {
            var stats = await server.RequestAsync("codeAssist/stats", null, TimeSpan.FromSeconds(60));
            if (!stats.TryGetProperty("result", out _))
            {
                report.Failures.Add($"codeAssist/stats answered an error after {after}: {stats.GetRawText()}");
            }

            var completion = await server.CompleteFreshAsync(TimeSpan.FromSeconds(60));
            if (!completion.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Object || !result.TryGetProperty("items", out _))
            {
                report.Failures.Add($"a valid inline completion did not answer a result after {after}: {completion.GetRawText()}");
            }
        }
        catch (Exception ex) when (ex is TimeoutException or IOException)
        {
            report.Failures.Add($"the checkpoint request failed after {after}: {ex.Message}\n{server.RecentOutput()}");
        }

        if (await RecoverAsync(report, after))
        {
            return;
        }

        var missing = await server.WaitForRequiredAsync(TimeSpan.FromSeconds(60));
        if (missing.Count > 0)
        {
            report.Failures.Add($"requests never answered (by {after}): {string.Join(", ", missing)}");
        }

        CollectTrackingFailures(server, report);
    }

    private void CollectTrackingFailures(FuzzServer server, FamilyReport report)
    {
        // A process that aborts may leave its last words on stdout (ggml's backtrace runs gdb there): still a violation, named as such.
        var violation = server.StdoutViolation is { } v ? $"stdout held something other than well-formed frames{(server.IsAlive ? "" : " (as the process died)")}: {v}" : null;
        foreach (var problem in server.StrayAnswers.Prepend(violation).OfType<string>())
        {
            if (_reported.Add(problem))
            {
                report.Failures.Add(problem);
            }
        }
    }

    /// <summary>Ends the session as an editor does; the exit code must be 0.</summary>
    public async Task FinishAsync(FamilyReport report)
    {
        var server = await ServerAsync();
        await CheckpointAsync(report, "all families");
        server = await ServerAsync();
        var code = await server.ShutdownAsync();
        if (code != 0)
        {
            report.Failures.Add($"after shutdown and exit the process ended with {code?.ToString(CultureInfo.InvariantCulture) ?? "no exit in 30 s"}");
        }

        CollectTrackingFailures(server, report);
    }

    public void Log(string line)
    {
        output.WriteLine(line);
        Console.WriteLine(line);
    }

    /// <summary>Runs one family with its timing recorded; an exception from the family is a failure, not a crash of the suite.</summary>
    public async Task<FamilyReport> RunAsync(string name, Func<FamilyReport, Task> family)
    {
        var report = new FamilyReport(name);
        var clock = Stopwatch.StartNew();
        try
        {
            // A family that hangs fails the suite instead of holding the test run.
            await family(report).WaitAsync(FamilyLimit);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            report.Failures.Add($"the family stopped with {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
            await RecoverAsync(report, $"the {name} family's last input");
        }

        report.Elapsed = clock.Elapsed;
        Log(string.Create(CultureInfo.InvariantCulture, $"  {name}: {report.Inputs} inputs in {report.Elapsed.TotalSeconds:0.0} s, {report.Failures.Count} failures"));
        foreach (var note in report.Notes)
        {
            Log($"    note: {note}");
        }

        return report;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
