using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Models;
using CodeAssist.Server.Prompting;

namespace CodeAssist.Tools.Benchmarks;

/// <summary>What <c>codeassist bench</c> was asked to do.</summary>
internal sealed record BenchOptions
{
    public IReadOnlyList<string> Files { get; init; } = [];

    public string? Model { get; init; }

    /// <summary>Pace of the waiting modes: a keystroke is sent after its answer, and no sooner than this allows.</summary>
    public double CharsPerSecond { get; init; } = 50;

    public IReadOnlyList<BenchMode> Modes { get; init; } = BenchMode.All;

    public int RegionChars { get; init; } = 200;

    public int ContextSize { get; init; } = 1536;

    /// <summary>The contextCopy setting every mode runs with (null: "auto").</summary>
    public bool? ContextCopy { get; init; }

    /// <summary>The <c>context.workspace</c> setting (the current file beyond the prompt and recent edits are copy sources; the bench names no workspace folder).</summary>
    public bool Workspace { get; init; } = true;

    /// <summary>The candidates setting every mode runs with (null: the default).</summary>
    public int? Candidates { get; init; }

    public int SmallLines { get; init; } = 1000;

    public int LargeLines { get; init; } = 5000;

    public int Swaps { get; init; } = 20;

    public int StormBurst { get; init; } = 20;

    public double StormCharsPerSecond { get; init; } = 20;

    public int PauseMs { get; init; } = 1500;

    public int AcceptRounds { get; init; } = 8;
}

/// <summary>Runs the benchmark modes, each against a fresh server, and collects what they measured.</summary>
internal sealed partial class BenchRunner(BenchOptions options, Serilog.ILogger log, Action<string> progress)
{
    private const int Threads = 1;

    // A multi-line suggestion can be long; this many of its characters show the typed-through path well enough.
    private const int MaxAcceptedPerRound = 60;

    // Unmeasured keystrokes at the end of the file before each mode, so that no mode measures the JIT compiler.
    private const int WarmUpKeystrokes = 30;

    /// <summary>The model label for the report: the file, and whether it is a stand-in with a raised context.</summary>
    public string ModelLabel { get; private set; } = string.Empty;

    public async Task<IReadOnlyList<BenchResult>> RunAsync(string workFolder, CancellationToken cancellationToken)
    {
        var original = DefaultModelLocator.Resolve(options.Model)
            ?? throw new FileNotFoundException($"no --model given and the default model {DefaultModelLocator.DefaultModelFileName} is not in models/");
        if (!File.Exists(original))
        {
            throw new FileNotFoundException($"model not found: {original}");
        }

        var modelPath = original;
        ModelLabel = Path.GetFileName(original);
        if (ContextStandIn.TrainedContext(original) is { } trained && trained < options.ContextSize)
        {
            modelPath = ContextStandIn.Create(original, options.ContextSize, workFolder);
            ModelLabel = string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(original)} with context_length {trained}→{options.ContextSize} (timing stand-in)");
            progress($"{Path.GetFileName(original)} was trained on {trained}-token windows; timing a copy whose context_length is {options.ContextSize}");
        }

        var workloads = new List<(BenchWorkload Small, BenchWorkload Large)>();
        if (options.Files.Count > 0)
        {
            workloads.AddRange(options.Files.Select(f => BenchWorkload.FromFile(f, options.RegionChars)).Select(w => (w, w)));
        }
        else
        {
            workloads.Add((BenchWorkload.FromStdlib(options.SmallLines, options.RegionChars), BenchWorkload.FromStdlib(options.LargeLines, options.RegionChars)));
        }

        var results = new List<BenchResult>();
        foreach (var (small, large) in workloads)
        {
            foreach (var mode in options.Modes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var workload = mode.LargeFile ? large : small;
                progress($"[{mode.Name}] {mode.Description}: {workload.Name} ({workload.LineCount} lines), retyping lines {workload.RegionStartLine + 1}–{workload.RegionEndLine} ({workload.Region.Length} chars)");
                var result = await RunModeAsync(mode, workload, modelPath, workFolder).ConfigureAwait(false);
                results.Add(workloads.Count > 1 ? result with { Mode = $"{mode.Name}:{workload.Name}" } : result);
                progress(string.Create(CultureInfo.InvariantCulture, $"[{mode.Name}] done: p50 {result.P50Ms:0.0} ms, {result.DecodesPerKeystroke:0.00} decodes/keystroke"));
            }
        }

        return results;
    }

    private async Task<BenchResult> RunModeAsync(BenchMode mode, BenchWorkload workload, string modelPath, string workFolder)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var debounce = mode.Kind == BenchKind.Storm ? CodeAssistOptions.Default.DebounceMs : 0;
        var settings = new JsonObject
        {
            ["model"] = modelPath,
            ["threads"] = Threads,
            ["contextSize"] = options.ContextSize,
            ["debounceMs"] = debounce,
            ["fimOrder"] = mode.Order switch { FimOrder.Psm => "psm", FimOrder.Spm => "spm", _ => "auto" },
            ["kvCacheReuse"] = mode.KvReuse,
            ["contextCopy"] = options.ContextCopy is { } copy ? JsonValue.Create(copy) : JsonValue.Create("auto"),
            ["candidates"] = options.Candidates ?? CodeAssistOptions.DefaultCandidates,
            ["context"] = new JsonObject { ["workspace"] = options.Workspace },
        };

        await using var server = mode.Stdio ? BenchServer.StartProcess() : BenchServer.StartInProcess(log);
        await server.InitializeAsync(settings).ConfigureAwait(false);

        // Each completed generation's tokens, tagged with the keystroke it answered (-1: not a measured one).
        var traces = new List<(int Key, DecodeTrace Trace)>();
        var currentKey = -1;
        if (server.Inference is { } inference)
        {
            inference.Trace = trace =>
            {
                lock (traces)
                {
                    traces.Add((Volatile.Read(ref currentKey), trace));
                }
            };
        }

        var session = new TypingSession(server, "file:///bench/" + Uri.EscapeDataString(workload.Name));
        await session.OpenAsync(workload).ConfigureAwait(false);
        if (mode.Kind != BenchKind.Swap)
        {
            await session.WarmUpAsync(workload, WarmUpKeystrokes).ConfigureAwait(false);
        }

        await session.DeleteRegionAsync(workload).ConfigureAwait(false);

        // Warm-up: loads the model and fills the KV cache, as the first request after opening a file would.
        var warmUp = await session.CompleteAsync(out _).ConfigureAwait(false);
        var before = await server.StatsAsync().ConfigureAwait(false);
        var cpuBefore = server.CpuTime();
        var (allocatedBefore, gen0Before, gen2Before) = (GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), GC.CollectionCount(2));
        var run = new ModeRun(server);

        switch (mode.Kind)
        {
            case BenchKind.Typing:
                await TypeRegionAsync(mode, session, workload, run, key => Volatile.Write(ref currentKey, key)).ConfigureAwait(false);
                break;
            case BenchKind.Storm:
                await StormAsync(mode, session, workload, run, key => Volatile.Write(ref currentKey, key)).ConfigureAwait(false);
                break;
            case BenchKind.Accept:
                await AcceptAsync(mode, session, workload, run, BenchLspClient.SuggestionOf(warmUp), key => Volatile.Write(ref currentKey, key)).ConfigureAwait(false);
                break;
            case BenchKind.Swap:
                await SwapAsync(mode, session, server, modelPath, workFolder, run).ConfigureAwait(false);
                break;
            case BenchKind.Select:
                await SelectAsync(mode, session, server, modelPath, workFolder, run).ConfigureAwait(false);
                break;
        }

        var cpu = server.CpuTime() - cpuBefore;
        var gc = new GcFigures(GC.GetTotalAllocatedBytes() - allocatedBefore, GC.CollectionCount(0) - gen0Before, GC.CollectionCount(2) - gen2Before);
        var after = await server.StatsAsync().ConfigureAwait(false);
        if (server.Inference is { } done)
        {
            done.Trace = null;
        }

        // The floor: the same tokens decoded again on a bare context, keystroke by keystroke.
        var floorByKey = new Dictionary<int, double>();
        var inServerByKey = new Dictionary<int, double>();
        foreach (var (key, trace) in traces.Where(t => t.Key >= 0))
        {
            inServerByKey[key] = inServerByKey.GetValueOrDefault(key) + trace.DecodeTime.TotalMilliseconds;
        }

        if (traces.Count > 0)
        {
            progress($"[{mode.Name}] replaying {traces.Count} decodes on a bare context for the floor");
            using var floor = new DecodeFloor(modelPath, options.ContextSize, Threads, mode.KvReuse);
            foreach (var (key, trace) in traces)
            {
                var elapsed = floor.Replay(trace).TotalMilliseconds;
                if (key >= 0)
                {
                    floorByKey[key] = floorByKey.GetValueOrDefault(key) + elapsed;
                }
            }
        }

        var decodeCpu = traces.Where(t => t.Key >= 0).Sum(t => t.Trace.DecodeCpuTime.TotalMilliseconds);
        var result = Summarize(mode, workload, settings, debounce, server.IsStdio, run, before, after, cpu, floorByKey, inServerByKey, traces.Count > 0);
        return server.IsStdio || run.Keystrokes == 0 ? result : result with
        {
            AllocatedKbPerKeystroke = gc.AllocatedBytes / 1024.0 / run.Keystrokes,
            CpuOutsideDecodePerKeystrokeMs = ThreadCpuClock.IsAvailable ? (cpu.TotalMilliseconds - decodeCpu) / run.Keystrokes : null,
            Gen0Collections = gc.Gen0,
            Gen2Collections = gc.Gen2,
        };
    }

    private async Task TypeRegionAsync(BenchMode mode, TypingSession session, BenchWorkload workload, ModeRun run, Action<int> setKey)
    {
        var keys = TypingSession.Keys(workload.Region).ToList();
        var interval = TimeSpan.FromSeconds(1 / options.CharsPerSecond);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < keys.Count; i++)
        {
            await WaitUntilAsync(start, interval * i).ConfigureAwait(false);
            setKey(i);
            var (response, latency) = await session.KeystrokeAsync(keys[i]).ConfigureAwait(false);
            run.Record(i, response, latency);
            Report(mode, i + 1, keys.Count);
        }
    }

    private async Task StormAsync(BenchMode mode, TypingSession session, BenchWorkload workload, ModeRun run, Action<int> setKey)
    {
        var keys = TypingSession.Keys(workload.Region).ToList();
        var interval = TimeSpan.FromSeconds(1 / options.StormCharsPerSecond);
        var requests = new List<(int Key, long Started, Task<(JsonElement Response, TimeSpan Latency)> Answer)>();
        var index = 0;
        var pending = -1;
        while (index < keys.Count)
        {
            var burstStart = Stopwatch.GetTimestamp();
            for (var j = 0; j < options.StormBurst && index < keys.Count; j++, index++)
            {
                await WaitUntilAsync(burstStart, interval * j).ConfigureAwait(false);
                if (pending >= 0 && !requests[^1].Answer.IsCompleted)
                {
                    // What VS Code does when the user types on while a request is out.
                    await session.Client.CancelAsync(pending).ConfigureAwait(false);
                }

                setKey(index);
                var started = Stopwatch.GetTimestamp();
                await session.TypeAsync(keys[index]).ConfigureAwait(false);
                requests.Add((index, started, TimedAsync(session.CompleteAsync(out pending), started)));
                Report(mode, index + 1, keys.Count);
            }

            // The pause: the last request of the burst is the one whose answer the user sees.
            var (lastKey, lastStarted, lastAnswer) = requests[^1];
            run.DecodesBeforePauses.Add(await run.DecodesAsync().ConfigureAwait(false));
            var (answer, latency) = await lastAnswer.ConfigureAwait(false);
            run.RecordAfterPause(lastKey, latency, answer);
            run.DecodesAfterPauses.Add(await run.DecodesAsync().ConfigureAwait(false));
            pending = -1;
            await WaitUntilAsync(lastStarted, TimeSpan.FromMilliseconds(options.PauseMs)).ConfigureAwait(false);
        }

        foreach (var (key, _, answer) in requests)
        {
            var (response, latency) = await answer.ConfigureAwait(false);
            run.Record(key, response, latency);
        }
    }

    private static async Task<(JsonElement Response, TimeSpan Latency)> TimedAsync(Task<JsonElement> answer, long started)
    {
        var response = await answer.ConfigureAwait(false);
        return (response, Stopwatch.GetElapsedTime(started));
    }

    private async Task AcceptAsync(BenchMode mode, TypingSession session, BenchWorkload workload, ModeRun run, string suggestion, Action<int> setKey)
    {
        var region = TypingSession.Keys(workload.Region).ToList();
        var next = 0;
        var measured = 0;
        var rounds = 0;
        while (rounds < options.AcceptRounds && next < region.Count)
        {
            var keys = TypingSession.Keys(suggestion).ToList();
            if (keys.Count >= 2)
            {
                // Type all of the suggestion but its last character: the ghost text stays shown throughout.
                var (line, character) = (session.Line, session.Character);
                var decodesBefore = await run.DecodesAsync().ConfigureAwait(false);
                foreach (var key in keys[..Math.Min(keys.Count - 1, MaxAcceptedPerRound)])
                {
                    setKey(measured);
                    var (response, latency) = await session.KeystrokeAsync(key).ConfigureAwait(false);
                    run.Record(measured++, response, latency);
                }

                run.DecodesWhileAccepting += await run.DecodesAsync().ConfigureAwait(false) - decodesBefore;
                rounds++;
                Report(mode, rounds, options.AcceptRounds);
                await session.DeleteBackToAsync(line, character).ConfigureAwait(false);
            }

            // On with the real text, which asks for a new suggestion (not measured).
            setKey(-1);
            var (next1, _) = await session.KeystrokeAsync(region[next++]).ConfigureAwait(false);
            suggestion = BenchLspClient.SuggestionOf(next1);
        }
    }

    /// <summary>A copy of the model under another path: swapping between the two makes the server load a model each time.</summary>
    private static string CopyOfModel(string modelPath, string workFolder)
    {
        var copy = Path.Combine(workFolder, "swap-" + Path.GetFileName(modelPath));
        File.Copy(modelPath, copy, overwrite: true);
        return copy;
    }

    /// <summary>
    /// What the user meets after picking a model in the palette: the switch (not timed; the previous model answers while
    /// it runs), then the first completion at the same place, timed.
    /// </summary>
    private async Task SelectAsync(BenchMode mode, TypingSession session, BenchServer server, string modelPath, string workFolder, ModeRun run)
    {
        var copy = CopyOfModel(modelPath, workFolder);
        for (var swap = 1; swap <= options.Swaps; swap++)
        {
            var target = swap % 2 == 1 ? copy : modelPath;
            var answer = await server.Client.RequestAsync("workspace/executeCommand", w =>
            {
                w.WriteStartObject();
                w.WriteString("command", "codeAssist.selectModel");
                w.WriteStartArray("arguments");
                w.WriteStartObject();
                w.WriteString("tier", "local");
                w.WriteString("id", target);
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }).ConfigureAwait(false);
            if (answer.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException($"codeAssist.selectModel {target} failed: {error.GetRawText()}");
            }

            var started = Stopwatch.GetTimestamp();
            var response = await session.CompleteAsync(out _).ConfigureAwait(false);
            run.Record(swap - 1, response, Stopwatch.GetElapsedTime(started));
            Report(mode, swap, options.Swaps);
        }
    }

    private async Task SwapAsync(BenchMode mode, TypingSession session, BenchServer server, string modelPath, string workFolder, ModeRun run)
    {
        var copy = CopyOfModel(modelPath, workFolder);
        for (var swap = 1; swap <= options.Swaps; swap++)
        {
            await server.ConfigureAsync(new JsonObject { ["model"] = swap % 2 == 1 ? copy : modelPath }).ConfigureAwait(false);
            var started = Stopwatch.GetTimestamp();
            var response = await session.CompleteAsync(out _).ConfigureAwait(false);
            run.Record(swap - 1, response, Stopwatch.GetElapsedTime(started));

            // Garbage is not a leak: collect before reading the resident set.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            run.RssAfterSwaps.Add(server.ResidentBytes() / 1e6);
            run.ManagedAfterSwaps.Add(server.IsStdio ? double.NaN : GC.GetTotalMemory(false) / 1e6);
            Report(mode, swap, options.Swaps);
        }
    }

    private static async Task WaitUntilAsync(long start, TimeSpan offset)
    {
        var wait = offset - Stopwatch.GetElapsedTime(start);
        if (wait > TimeSpan.FromMilliseconds(1))
        {
            await Task.Delay(wait).ConfigureAwait(false);
        }
    }

    private void Report(BenchMode mode, int done, int total)
    {
        var step = Math.Max(1, total / 5);
        if (done % step == 0 || done == total)
        {
            progress($"[{mode.Name}] {done}/{total}");
        }
    }
}
