using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Context;
using CodeAssist.Server.Lsp.Handlers;
using CodeAssist.Server.Models;
using CodeAssist.Server.Protocol;

namespace CodeAssist.Tools.Benchmarks;

/// <summary>
/// <c>codeassist bench --workspace DIR</c>: what the workspace context costs on a real folder — the copy model's index
/// (files, tokens, memory, build time), what a <c>didChange</c> costs on a 5,000-line document with the workspace on,
/// and the first completion after opening the folder (indexing in the background) against one with no folder.
/// </summary>
internal sealed class IndexBench(string folder, string modelPath, int rounds, Serilog.ILogger log, Action<string> progress)
{
    private const int Edits = 2000;

    // The document the user opens: new (not on disk), code at the cursor, so the request reaches the model (which starts indexing).
    private const string Opened = "import os\n\n\ndef names(folder):\n    return sorted(os.listdir(folder))\n\n\ndef main():\n    for name in names(\".\"):\n        ";

    public async Task<JsonObject> RunAsync()
    {
        var files = Directory.EnumerateFiles(folder, "*.py", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new FileNotFoundException($"no Python files in {folder}");
        }

        var opened = Path.Combine(folder, "codeassist_bench_opened.py");
        var uriOpened = new Uri(opened).AbsoluteUri;
        var (line, character) = (Opened.Count(c => c == '\n'), Opened.Length - Opened.LastIndexOf('\n') - 1);
        var result = new JsonObject { ["folder"] = folder, ["pythonFiles"] = files.Count };

        // 1. The index: built in the background after the first request; its size and the managed heap's growth.
        GC.Collect();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        await using (var server = BenchServer.StartInProcess(log))
        {
            await server.InitializeAsync(Settings(), folder).ConfigureAwait(false);
            var stopwatch = Stopwatch.StartNew();
            await server.Service<WorkspaceFiles>().Listing.ConfigureAwait(false);
            result["listingSeconds"] = Math.Round(stopwatch.Elapsed.TotalSeconds, 1);
            await OpenAsync(server, opened, Opened).ConfigureAwait(false);
            JsonElement workspace;
            var polls = 0;
            while (true)
            {
                await server.Client.InlineCompletionAsync(uriOpened, line, character, out _).ConfigureAwait(false);
                workspace = (await server.StatsAsync().ConfigureAwait(false)).GetProperty("workspace");
                if (workspace.GetProperty("indexedFiles").GetInt32() > 0 || stopwatch.Elapsed > TimeSpan.FromMinutes(15))
                {
                    break;
                }

                if (++polls % 40 == 0)
                {
                    progress(string.Create(CultureInfo.InvariantCulture, $"[index] {stopwatch.Elapsed.TotalSeconds:0} s: {workspace.GetProperty("files").GetInt32()} files listed, not indexed yet"));
                }

                await Task.Delay(250).ConfigureAwait(false);
            }

            var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
            result["listedFiles"] = workspace.GetProperty("files").GetInt32();
            result["indexedFiles"] = workspace.GetProperty("indexedFiles").GetInt32();
            result["indexedTokens"] = workspace.GetProperty("indexedTokens").GetInt64();
            result["indexMegabytes"] = Math.Round(workspace.GetProperty("indexBytes").GetInt64() / 1048576.0, 1);
            result["indexBuildSeconds"] = Math.Round(workspace.GetProperty("indexBuildMs").GetDouble() / 1000, 1);
            result["untilIndexedSeconds"] = Math.Round(stopwatch.Elapsed.TotalSeconds, 1);
            result["managedHeapGrowthMegabytes"] = Math.Round((heapAfter - heapBefore) / 1048576.0, 1);
            progress(string.Create(CultureInfo.InvariantCulture,
                $"[index] {result["indexedFiles"]} of {result["listedFiles"]} files, {result["indexedTokens"]:N0} tokens, {result["indexMegabytes"]} MB, built in {result["indexBuildSeconds"]} s (managed heap +{result["managedHeapGrowthMegabytes"]} MB)"));

            // What one search of the index costs the copy model (it searches once per generated token): histories cut
            // from the indexed files themselves, so most of them match somewhere.
            if (server.Service<ModelManager>().Current is { } model
                && await model.IndexAsync(server.Service<WorkspaceContext>().Corpus(CodeAssistOptions.Default.Context)).ConfigureAwait(false) is { FileCount: > 0 } index)
            {
                var random = new Random(1);
                var followers = new Dictionary<int, double>();
                var lookups = new double[10_000];
                var found = 0;
                var paths = server.Service<WorkspaceFiles>().Files();
                for (var i = 0; i < lookups.Length; i++)
                {
                    var path = paths[random.Next(paths.Count)];
                    if (index.TokensOf(path, server.Service<WorkspaceFiles>().Stamp(path)) is not { Length: > 40 } tokens)
                    {
                        // Not indexed (past the cap) or too short for a 32-token history.
                        i--;
                        continue;
                    }

                    var end = random.Next(32, tokens.Length);
                    var history = tokens.AsSpan(Math.Max(0, end - 32), end - Math.Max(0, end - 32));
                    var started = Stopwatch.GetTimestamp();
                    found += index.Longest(history, 32, null, followers).Count > 0 ? 1 : 0;
                    lookups[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
                }

                Array.Sort(lookups);
                result["lookupP50Microseconds"] = Math.Round(lookups[lookups.Length / 2], 2);
                result["lookupP95Microseconds"] = Math.Round(lookups[lookups.Length * 95 / 100], 2);
                result["lookupsMatched"] = found;
                progress(string.Create(CultureInfo.InvariantCulture,
                    $"[lookup] one search of the index: p50 {result["lookupP50Microseconds"]} µs, p95 {result["lookupP95Microseconds"]} µs ({found} of {lookups.Length} matched)"));
            }

            // 2. didChange on a 5,000-line document: the handler itself, timed per call.
            var large = BenchWorkload.FromStdlib(5000, 200);
            var uri = new Uri(Path.Combine(folder, "codeassist-bench-edit.py")).AbsoluteUri;
            var sync = server.Service<TextSyncHandler>();
            sync.DidOpen(new DidOpenTextDocumentParams { TextDocument = new TextDocumentItem { Uri = uri, LanguageId = "python", Version = 1, Text = large.Text } });
            var times = new double[Edits];
            for (var i = 0; i < Edits; i++)
            {
                var editLine = large.RegionStartLine + (i % 40);
                var change = new DidChangeTextDocumentParams
                {
                    TextDocument = new VersionedTextDocumentIdentifier { Uri = uri, Version = i + 2 },
                    ContentChanges = [new TextDocumentContentChangeEvent
                    {
                        Range = new CodeAssist.Server.Protocol.Range { Start = new Position { Line = editLine, Character = 0 }, End = new Position { Line = editLine, Character = 0 } },
                        Text = "x",
                    }],
                };
                var started = Stopwatch.GetTimestamp();
                sync.DidChange(change);
                times[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            }

            Array.Sort(times);
            result["didChangeP50Microseconds"] = Math.Round(times[Edits / 2], 1);
            result["didChangeP95Microseconds"] = Math.Round(times[Edits * 95 / 100], 1);
            result["didChangeMaxMicroseconds"] = Math.Round(times[^1], 1);
            progress(string.Create(CultureInfo.InvariantCulture,
                $"[edit] didChange on {large.LineCount} lines: p50 {result["didChangeP50Microseconds"]} µs, p95 {result["didChangeP95Microseconds"]} µs, max {result["didChangeMaxMicroseconds"]} µs"));
        }

        // 3. The first completion after opening a document: with the folder (indexing starts) and without, alternating.
        var withFolder = new List<double>();
        var without = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var workspaceOn in new[] { true, false })
            {
                await using var server = BenchServer.StartInProcess(log);
                await server.InitializeAsync(Settings(), workspaceOn ? folder : null).ConfigureAwait(false);
                await OpenAsync(server, opened, Opened).ConfigureAwait(false);
                var started = Stopwatch.GetTimestamp();
                await server.Client.InlineCompletionAsync(uriOpened, line, character, out _).ConfigureAwait(false);
                (workspaceOn ? withFolder : without).Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        result["firstCompletionWithFolderMs"] = new JsonArray([.. withFolder.Select(v => (JsonNode)Math.Round(v, 1))]);
        result["firstCompletionWithoutMs"] = new JsonArray([.. without.Select(v => (JsonNode)Math.Round(v, 1))]);
        result["firstCompletionMedianWithFolderMs"] = Math.Round(Median(withFolder), 1);
        result["firstCompletionMedianWithoutMs"] = Math.Round(Median(without), 1);
        progress(string.Create(CultureInfo.InvariantCulture,
            $"[first] first completion, median of {rounds}: {Median(withFolder):0.0} ms with the folder (indexing in the background), {Median(without):0.0} ms without"));
        return result;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static Task OpenAsync(BenchServer server, string path, string text) =>
        server.Client.NotifyAsync("textDocument/didOpen", w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("textDocument");
            w.WriteString("uri", new Uri(path).AbsoluteUri);
            w.WriteString("languageId", "python");
            w.WriteNumber("version", 1);
            w.WriteString("text", text);
            w.WriteEndObject();
            w.WriteEndObject();
        });

    private JsonObject Settings() => new()
    {
        ["model"] = modelPath,
        ["threads"] = 1,
        ["debounceMs"] = 0,
        ["workspaceTrusted"] = true,
        ["context"] = new JsonObject { ["workspace"] = true },
    };
}
