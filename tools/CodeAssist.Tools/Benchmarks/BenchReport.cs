using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace CodeAssist.Tools.Benchmarks;

/// <summary>The benchmark's results as a Markdown table with the ratios the targets speak of, and as JSON.</summary>
internal static class BenchReport
{
    /// <summary>The machine, in one line: CPU model, logical processors, OS, .NET, load when the run started.</summary>
    public static string Machine()
    {
        string? cpu = null;
        if (File.Exists("/proc/cpuinfo"))
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        }

        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : null;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}, {Environment.ProcessorCount} logical processors, {RuntimeInformation.OSDescription}, .NET {Environment.Version}{(load is null ? string.Empty : $", load average {load} at start")}");
    }

    /// <summary>The table, one row per mode, then the figures the targets compare.</summary>
    public static string Table(IReadOnlyList<BenchResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("| mode | file | keys | p50 ms | p95 ms | max ms | decoding keys p50 ms | decodes/key | prompt tok/req | decoded/req | reused/req | cache | typed-through | decode p50 ms | overhead p50 ms | in-server decode p50 ms | overhead vs it p50 ms | CPU s | CPU outside decode ms/key | alloc KB/key | gen2 GCs | RSS MB |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            text.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {r.Mode} | {r.FileLines} lines | {r.Keystrokes} | {F(r.P50Ms)} | {F(r.P95Ms)} | {F(r.MaxMs)} | {F(r.DecodedP50Ms)} | {r.DecodesPerKeystroke:0.00} | {F(r.PromptTokensPerRequest, "0")} | {F(r.PromptTokensEvaluatedPerRequest, "0")} | {F(r.ReusedTokensPerRequest, "0")} | {r.CacheHits} | {r.TypedThrough} | {F(r.DecodeP50Ms)} | {F(r.OverheadP50Ms)} | {F(r.DecodeInServerP50Ms)} | {F(r.OverheadInServerP50Ms)} | {r.CpuMs / 1000:0.0} | {F(r.CpuOutsideDecodePerKeystrokeMs, "0.00")} | {F(r.AllocatedKbPerKeystroke, "0")} | {(r.Gen2Collections is { } g2 ? g2.ToString(CultureInfo.InvariantCulture) : "–")} | {r.RssMb:0} |"));
        }

        text.AppendLine();
        var byMode = results.GroupBy(r => r.Mode.Split(':')[0]).ToDictionary(g => g.Key, g => g.First());
        if (byMode.TryGetValue("reuse", out var reuse) && byMode.TryGetValue("fresh", out var fresh) && reuse.P50Ms is { } a && fresh.P50Ms is > 0 and { } b)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- KV reuse p50 / fresh-context p50: {a:0.0} / {b:0.0} ms = {a / b:0.000} (target ≤ 0.1), prompt {F(fresh.PromptTokensPerRequest, "0")} tokens"));
            if (reuse.DecodedP50Ms is { } da && fresh.DecodedP50Ms is > 0 and { } db)
            {
                text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- the same over keystrokes that decoded: {da:0.0} / {db:0.0} ms = {da / db:0.000}"));
            }
        }

        if (byMode.TryGetValue("psm", out var psm) && reuse is not null && psm.P50Ms is { } p && reuse.P50Ms is > 0 and { } s)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- PSM p50 / SPM p50: {p:0.0} / {s:0.0} ms = {p / s:0.00}; prompt tokens decoded per request {F(psm.PromptTokensEvaluatedPerRequest, "0")} vs {F(reuse.PromptTokensEvaluatedPerRequest, "0")}"));
        }

        if (byMode.TryGetValue("large", out var large))
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- server overhead p50 on the {large.FileLines}-line file: {F(large.OverheadP50Ms, "0.00")} ms over the bare-context floor, {F(large.OverheadInServerP50Ms, "0.00")} ms over the decode time inside the request (target ≤ 2 ms); p95 {F(large.OverheadP95Ms, "0.00")} / {F(large.OverheadInServerP95Ms, "0.00")} ms; CPU outside decode {F(large.CpuOutsideDecodePerKeystrokeMs, "0.00")} ms per keystroke"));
        }

        if (byMode.TryGetValue("accept", out var accept))
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- typing the shown suggestion: {accept.DecodesStarted} decodes in {accept.Keystrokes} keystrokes (target 0), p50 {F(accept.P50Ms, "0.00")} ms"));
        }

        if (byMode.TryGetValue("storm", out var storm))
        {
            var within = storm.AfterPauseP50Ms - storm.DebounceMs;
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- storm: {F(storm.DecodesPerPause, "0.00")} decodes started per pause over {storm.Pauses} pauses (target ≤ 1; {storm.DecodesDuringBursts?.ToString(CultureInfo.InvariantCulture) ?? "–"} of them while a burst was typed), most requests queued {storm.MaxPending}, answer after the pause p50 {F(storm.AfterPauseP50Ms)} ms = debounce {storm.DebounceMs} + {F(within)} ms vs its decode {F(storm.AfterPauseInServerDecodeP50Ms)} ms in the server, {F(storm.AfterPauseDecodeP50Ms)} ms on a bare context"));
        }

        if (byMode.TryGetValue("stdio", out var stdio) && reuse is not null && stdio.P50Ms is { } io && reuse.P50Ms is { } inProcess)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- stdio p50 {io:0.0} ms vs in-process {inProcess:0.0} ms: framing and the pipe add {io - inProcess:0.0} ms"));
        }

        if (byMode.TryGetValue("swap", out var swap) && swap.RssAfterSwapsMb is { Count: > 0 } rss)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- RSS after each of {rss.Count} model swaps: {string.Join(' ', rss.Select(v => v.ToString("0", CultureInfo.InvariantCulture)))} MB; drift after the second {F(swap.RssDriftMb)} MB (target ≤ 10 MB){(swap.ManagedAfterSwapsMb is { Count: > 1 } m ? string.Create(CultureInfo.InvariantCulture, $"; managed heap {m[1]:0.0} → {m[^1]:0.0} MB") : string.Empty)}"));
        }

        return text.ToString();
    }

    /// <summary>The JSON document: the run's context (with the trainer pids paused during the run), then one object per mode.</summary>
    public static byte[] Json(IReadOnlyList<BenchResult> results, string command, string machine, string model, bool? contextCopy, IReadOnlyList<int> trainerPaused)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("command", command);
            w.WriteString("machine", machine);
            w.WriteString("model", model);
            if (contextCopy is { } copy)
            {
                w.WriteBoolean("contextCopy", copy);
            }
            else
            {
                w.WriteString("contextCopy", "auto");
            }

            w.WriteStartArray("trainerPaused");
            foreach (var pid in trainerPaused)
            {
                w.WriteNumberValue(pid);
            }

            w.WriteEndArray();

            w.WriteStartArray("modes");
            foreach (var r in results)
            {
                w.WriteStartObject();
                w.WriteString("mode", r.Mode);
                w.WriteString("description", r.Description);
                w.WriteString("model", r.Model);
                w.WriteString("file", r.File);
                w.WriteNumber("fileLines", r.FileLines);
                w.WriteString("transport", r.Transport);
                w.WriteNumber("contextSize", r.ContextSize);
                w.WriteString("fimOrder", r.FimOrder);
                w.WriteBoolean("kvReuse", r.KvReuse);
                w.WriteNumber("debounceMs", r.DebounceMs);
                w.WriteNumber("keystrokes", r.Keystrokes);
                w.WriteNumber("answered", r.Answered);
                w.WriteNumber("suggestions", r.Suggestions);
                Number(w, "p50Ms", r.P50Ms);
                Number(w, "p95Ms", r.P95Ms);
                Number(w, "maxMs", r.MaxMs);
                Number(w, "decodedP50Ms", r.DecodedP50Ms);
                if (r.DecodedKeystrokes is { } decodedKeys)
                {
                    w.WriteNumber("decodedKeystrokes", decodedKeys);
                }

                w.WriteNumber("decodesStarted", r.DecodesStarted);
                w.WriteNumber("decodesPerKeystroke", Math.Round(r.DecodesPerKeystroke, 4));
                Number(w, "promptTokensPerRequest", r.PromptTokensPerRequest);
                Number(w, "promptTokensEvaluatedPerRequest", r.PromptTokensEvaluatedPerRequest);
                Number(w, "reusedTokensPerRequest", r.ReusedTokensPerRequest);
                Number(w, "generatedTokensPerRequest", r.GeneratedTokensPerRequest);
                w.WriteNumber("cacheHits", r.CacheHits);
                w.WriteNumber("typedThrough", r.TypedThrough);
                Number(w, "cpuMs", r.CpuMs);
                Number(w, "rssMb", r.RssMb);
                Number(w, "decodeP50Ms", r.DecodeP50Ms);
                Number(w, "overheadP50Ms", r.OverheadP50Ms);
                Number(w, "overheadP95Ms", r.OverheadP95Ms);
                Number(w, "decodeInServerP50Ms", r.DecodeInServerP50Ms);
                Number(w, "overheadInServerP50Ms", r.OverheadInServerP50Ms);
                Number(w, "overheadInServerP95Ms", r.OverheadInServerP95Ms);
                Number(w, "allocatedKbPerKeystroke", r.AllocatedKbPerKeystroke);
                Number(w, "cpuOutsideDecodePerKeystrokeMs", r.CpuOutsideDecodePerKeystrokeMs);
                if (r.Gen0Collections is { } gen0 && r.Gen2Collections is { } gen2)
                {
                    w.WriteNumber("gen0Collections", gen0);
                    w.WriteNumber("gen2Collections", gen2);
                }

                if (r.MaxPending is { } maxPending)
                {
                    w.WriteNumber("maxPending", maxPending);
                }

                if (r.Pauses is { } pauses)
                {
                    w.WriteNumber("pauses", pauses);
                    Number(w, "decodesPerPause", r.DecodesPerPause);
                    Number(w, "afterPauseP50Ms", r.AfterPauseP50Ms);
                    Number(w, "afterPauseDecodeP50Ms", r.AfterPauseDecodeP50Ms);
                    Number(w, "afterPauseInServerDecodeP50Ms", r.AfterPauseInServerDecodeP50Ms);
                    if (r.DecodesDuringBursts is { } during)
                    {
                        w.WriteNumber("decodesDuringBursts", during);
                    }
                }

                if (r.RssAfterSwapsMb is { } swaps)
                {
                    w.WriteStartArray("rssAfterSwapsMb");
                    foreach (var v in swaps)
                    {
                        w.WriteNumberValue(Math.Round(v, 1));
                    }

                    w.WriteEndArray();
                    Number(w, "rssDriftMb", r.RssDriftMb);
                    if (r.ManagedAfterSwapsMb is { } managed)
                    {
                        w.WriteStartArray("managedAfterSwapsMb");
                        foreach (var v in managed)
                        {
                            w.WriteNumberValue(Math.Round(v, 1));
                        }

                        w.WriteEndArray();
                    }
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, Math.Round(v, 3));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static string F(double? value, string format = "0.0") =>
        value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "–";
}
