using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Prompting;

namespace CodeAssist.Tools.Benchmarks;

/// <summary>One mode's measurements and their summary into a result.</summary>
internal sealed partial class BenchRunner
{
    private BenchResult Summarize(
        BenchMode mode, BenchWorkload workload, JsonObject settings, int debounce, bool stdio, ModeRun run,
        JsonElement before, JsonElement after, TimeSpan cpu, Dictionary<int, double> floorByKey, Dictionary<int, double> inServerByKey, bool hasFloor)
    {
        long Delta(string group, string name) =>
            (group.Length == 0 ? after.GetProperty(name) : after.GetProperty(group).GetProperty(name)).GetInt64()
            - (group.Length == 0 ? before.GetProperty(name) : before.GetProperty(group).GetProperty(name)).GetInt64();

        var decodes = mode.Kind == BenchKind.Accept ? run.DecodesWhileAccepting : Delta("inference", "decodesStarted");
        double? PerRequest(long total) => decodes > 0 ? (double)total / decodes : null;
        var latencies = run.Latencies.Select(l => l.Ms).ToList();
        var floors = floorByKey.Values.ToList();
        List<double>? overheads = hasFloor && mode.Kind != BenchKind.Storm
            ? [.. run.Latencies.Select(l => l.Ms - floorByKey.GetValueOrDefault(l.Key))]
            : null;
        List<double>? inSituOverheads = hasFloor && mode.Kind != BenchKind.Storm
            ? [.. run.Latencies.Select(l => l.Ms - inServerByKey.GetValueOrDefault(l.Key))]
            : null;
        var pauses = run.AfterPause.Count;
        return new BenchResult
        {
            Mode = mode.Name,
            Description = mode.Description,
            Model = ModelLabel,
            File = workload.Name,
            FileLines = workload.LineCount,
            Transport = stdio ? "stdio" : "in-process",
            ContextSize = options.ContextSize,
            FimOrder = (string)settings["fimOrder"]!,
            KvReuse = mode.KvReuse,
            DebounceMs = debounce,
            Keystrokes = run.Keystrokes,
            Answered = latencies.Count,
            Suggestions = run.Suggestions,
            P50Ms = Percentile(latencies, 50),
            P95Ms = Percentile(latencies, 95),
            MaxMs = latencies.Count > 0 ? latencies.Max() : null,
            DecodedP50Ms = hasFloor ? Percentile([.. run.Latencies.Where(l => floorByKey.ContainsKey(l.Key)).Select(l => l.Ms)], 50) : null,
            DecodedKeystrokes = hasFloor ? run.Latencies.Count(l => floorByKey.ContainsKey(l.Key)) : null,
            DecodesStarted = decodes,
            DecodesPerKeystroke = run.Keystrokes > 0 ? (double)decodes / run.Keystrokes : 0,
            PromptTokensPerRequest = mode.Kind == BenchKind.Accept ? null : PerRequest(Delta("inference", "promptTokens")),
            PromptTokensEvaluatedPerRequest = mode.Kind == BenchKind.Accept ? null : PerRequest(Delta("inference", "promptTokensEvaluated")),
            ReusedTokensPerRequest = mode.Kind == BenchKind.Accept ? null : PerRequest(Delta("inference", "reusedTokens")),
            GeneratedTokensPerRequest = mode.Kind == BenchKind.Accept ? null : PerRequest(Delta("inference", "generatedTokens")),
            CacheHits = Delta(string.Empty, "cacheHits"),
            TypedThrough = Delta(string.Empty, "typedThrough"),
            CpuMs = cpu.TotalMilliseconds,
            RssMb = run.PeakRssBytes / 1e6,
            DecodeP50Ms = Percentile(floors, 50),
            OverheadP50Ms = overheads is null ? null : Percentile(overheads, 50),
            OverheadP95Ms = overheads is null ? null : Percentile(overheads, 95),
            DecodeInServerP50Ms = hasFloor ? Percentile([.. inServerByKey.Values], 50) : null,
            OverheadInServerP50Ms = inSituOverheads is null ? null : Percentile(inSituOverheads, 50),
            OverheadInServerP95Ms = inSituOverheads is null ? null : Percentile(inSituOverheads, 95),
            MaxPending = after.GetProperty("inference").GetProperty("maxPending").GetInt32(),
            Pauses = mode.Kind == BenchKind.Storm ? pauses : null,
            DecodesPerPause = mode.Kind == BenchKind.Storm && pauses > 0 ? (double)decodes / pauses : null,
            AfterPauseP50Ms = mode.Kind == BenchKind.Storm ? Percentile([.. run.AfterPause.Select(a => a.Ms)], 50) : null,
            DecodesDuringBursts = mode.Kind == BenchKind.Storm && run.DecodesBeforePauses.Count > 0
                ? run.DecodesBeforePauses.Select((atEnd, i) => atEnd - (i == 0 ? Delta0(before) : run.DecodesAfterPauses[i - 1])).Sum()
                : null,
            AfterPauseInServerDecodeP50Ms = mode.Kind == BenchKind.Storm && hasFloor
                ? Percentile([.. run.AfterPause.Where(a => inServerByKey.ContainsKey(a.Key)).Select(a => inServerByKey[a.Key])], 50)
                : null,
            AfterPauseDecodeP50Ms = mode.Kind == BenchKind.Storm && hasFloor
                ? Percentile([.. run.AfterPause.Where(a => floorByKey.ContainsKey(a.Key)).Select(a => floorByKey[a.Key])], 50)
                : null,
            RssAfterSwapsMb = mode.Kind == BenchKind.Swap ? run.RssAfterSwaps : null,
            ManagedAfterSwapsMb = mode.Kind == BenchKind.Swap && !stdio ? run.ManagedAfterSwaps : null,
            RssDriftMb = mode.Kind == BenchKind.Swap && run.RssAfterSwaps.Count >= 2 ? run.RssAfterSwaps.Skip(1).Max() - run.RssAfterSwaps[1] : null,
        };
    }

    private static long Delta0(JsonElement stats) => stats.GetProperty("inference").GetProperty("decodesStarted").GetInt64();

    /// <summary>The <paramref name="p"/>-th percentile (0–100).</summary>
    internal static double? Percentile(IReadOnlyList<double> values, double p) => Server.Statistics.Percentile.Of(values, p / 100);

    private readonly record struct GcFigures(long AllocatedBytes, int Gen0, int Gen2);

    /// <summary>What one mode recorded while it ran.</summary>
    private sealed class ModeRun(BenchServer server)
    {
        public List<(int Key, double Ms)> Latencies { get; } = [];

        public List<(int Key, double Ms)> AfterPause { get; } = [];

        public List<double> RssAfterSwaps { get; } = [];

        public List<double> ManagedAfterSwaps { get; } = [];

        public int Keystrokes { get; private set; }

        public int Suggestions { get; private set; }

        public long DecodesWhileAccepting { get; set; }

        // Storm: the decodes-started counter when each burst ended and when its answer arrived.
        public List<long> DecodesBeforePauses { get; } = [];

        public List<long> DecodesAfterPauses { get; } = [];

        public long PeakRssBytes { get; private set; }

        public void Record(int key, JsonElement response, TimeSpan latency)
        {
            Keystrokes++;
            if (!response.TryGetProperty("error", out _))
            {
                Latencies.Add((key, latency.TotalMilliseconds));
                Suggestions += BenchLspClient.SuggestionOf(response).Length > 0 ? 1 : 0;
            }

            PeakRssBytes = Math.Max(PeakRssBytes, server.ResidentBytes());
        }

        public void RecordAfterPause(int key, TimeSpan latency, JsonElement response)
        {
            if (!response.TryGetProperty("error", out _))
            {
                AfterPause.Add((key, latency.TotalMilliseconds));
            }

            PeakRssBytes = Math.Max(PeakRssBytes, server.ResidentBytes());
        }

        public async Task<long> DecodesAsync()
        {
            var stats = await server.StatsAsync().ConfigureAwait(false);
            return stats.GetProperty("inference").GetProperty("decodesStarted").GetInt64();
        }
    }
}
