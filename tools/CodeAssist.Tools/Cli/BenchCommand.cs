using System.CommandLine;
using System.Text;
using CodeAssist.Server;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Logging;
using CodeAssist.Tools.Benchmarks;
using Serilog.Events;

namespace CodeAssist.Tools.Cli;

/// <summary><c>codeassist bench</c>: replays typing through the server's real request path and measures it (see docs/benchmarks.md).</summary>
public static class BenchCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var files = new Option<string[]>("--file") { Description = "Python files to type into (default: 1,000 and 5,000 lines of the Python standard library found on this machine).", AllowMultipleArgumentsPerToken = true };
        var model = new Option<string?>("--model") { Description = "A GGUF model file (default: the shipped model)." };
        var cps = new Option<double>("--chars-per-second") { Description = "Pace of the modes that wait for each answer (a keystroke is never sent before the last answer).", DefaultValueFactory = _ => 50 };
        var modes = new Option<string[]>("--mode") { Description = $"Modes to run, comma-separated or repeated: {string.Join(", ", BenchMode.All.Select(m => m.Name))} (default: all).", AllowMultipleArgumentsPerToken = true };
        var json = new Option<string?>("--json") { Description = "Write the results as JSON (one object per mode) to this file." };
        var region = new Option<int>("--region-chars") { Description = "Characters deleted and typed back (whole lines, at least this many).", DefaultValueFactory = _ => 200 };
        var context = new Option<int>("--context") { Description = "contextSize for the server; a model trained on shorter windows is timed through a copy with a raised context_length.", DefaultValueFactory = _ => 1536 };
        var swaps = new Option<int>("--swaps") { Description = "Model swaps in the swap mode.", DefaultValueFactory = _ => 20 };
        var accepts = new Option<int>("--accept-rounds") { Description = "Suggestions typed through in the accept mode.", DefaultValueFactory = _ => 8 };
        var noCopy = new Option<bool>("--no-context-copy") { Description = "Run the model alone (contextCopy: false), to measure what the context copy model changes." };
        var noWorkspace = new Option<bool>("--no-workspace") { Description = "Complete without the workspace context (context.workspace: false), to measure what it costs per keystroke." };
        var candidates = new Option<int?>("--candidates") { Description = "The candidates setting (how many candidates the local model proposes per request; default: the server's)." };
        var workspaceFolder = new Option<string?>("--workspace") { Description = "Instead of typing: measure the workspace context on this folder — the copy model's index (files, tokens, memory, build time), didChange on a 5,000-line document, and the first completion with the folder against without (--rounds times)." };
        var rounds = new Option<int>("--rounds") { Description = "First completions timed each way with --workspace.", DefaultValueFactory = _ => 5 };
        var noPause = new Option<bool>("--no-pause-trainer") { Description = "Leave the training campaign's trainers (models/train/.work/campaign/*.pid) running; by default they are paused while measuring." };
        var command = new Command("bench", "Replay typing of Python files through the language server and measure latency, decodes, CPU and memory.")
        {
            files, model, cps, modes, json, region, context, swaps, accepts, noCopy, noWorkspace, candidates, workspaceFolder, rounds, noPause,
        };
        command.SetAction((result, cancellationToken) => result.GetValue(workspaceFolder) is { } folder
            ? RunWorkspaceAsync(folder, result.GetValue(model), Math.Max(1, result.GetValue(rounds)), result.GetValue(json), !result.GetValue(noPause), cancellationToken)
            : RunAsync(
            result.GetValue(files) ?? [], result.GetValue(model), result.GetValue(cps), result.GetValue(modes) ?? [], result.GetValue(json),
            result.GetValue(region), result.GetValue(context), result.GetValue(swaps), result.GetValue(accepts), result.GetValue(noCopy) ? false : null,
            result.GetValue(candidates), !result.GetValue(noPause), !result.GetValue(noWorkspace), cancellationToken));
        return command;
    }

    private static async Task<int> RunWorkspaceAsync(string folder, string? model, int rounds, string? json, bool pauseTrainer, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder))
        {
            Console.Error.WriteLine($"codeassist: folder not found: {folder}");
            return 1;
        }

        var path = CodeAssist.Server.Models.DefaultModelLocator.Resolve(model);
        if (path is null || !File.Exists(path))
        {
            Console.Error.WriteLine($"codeassist: model not found: {model ?? "(the shipped model)"}");
            return 1;
        }

        using var serilog = LoggingSetup.Create(LogEventLevel.Warning);
        var machine = BenchReport.Machine();
        Console.Error.WriteLine($"machine: {machine}");
        System.Text.Json.Nodes.JsonObject result;
        using (var pause = TrainerPause.ForCommand(pauseTrainer, message => Console.Error.WriteLine(message)))
        {
            try
            {
                result = await new IndexBench(Path.GetFullPath(folder), path, rounds, serilog, message => Console.Error.WriteLine(message)).RunAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is FileNotFoundException or InvalidOperationException)
            {
                Console.Error.WriteLine($"codeassist: {ex.Message}");
                return 1;
            }

            result["trainerPaused"] = new System.Text.Json.Nodes.JsonArray([.. pause.Paused.Select(p => (System.Text.Json.Nodes.JsonNode)p)]);
        }

        result["command"] = "codeassist " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
        result["machine"] = machine;
        result["model"] = Path.GetFileName(path);
        if (json is not null)
        {
            await File.WriteAllTextAsync(json, result.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }), cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }

    private static async Task<int> RunAsync(
        string[] files, string? model, double cps, string[] modeNames, string? json, int region, int context, int swaps, int accepts, bool? contextCopy, int? candidates, bool pauseTrainer, bool workspace, CancellationToken cancellationToken)
    {
        var modes = new List<BenchMode>();
        foreach (var name in modeNames.SelectMany(m => m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (BenchMode.Find(name) is not { } mode)
            {
                Console.Error.WriteLine($"codeassist: unknown mode '{name}' (expected {string.Join(", ", BenchMode.All.Select(m => m.Name))})");
                return ExitCodes.UsageError;
            }

            modes.Add(mode);
        }

        if (cps <= 0 || region < 1 || context < 128 || swaps < 2 || accepts < 1)
        {
            Console.Error.WriteLine("codeassist: --chars-per-second, --region-chars and --accept-rounds must be positive, --context at least 128, --swaps at least 2");
            return ExitCodes.UsageError;
        }

        foreach (var file in files)
        {
            if (!File.Exists(file))
            {
                Console.Error.WriteLine($"codeassist: file not found: {file}");
                return 1;
            }
        }

        var options = new BenchOptions
        {
            Files = files,
            Model = model,
            CharsPerSecond = cps,
            Modes = modes.Count > 0 ? modes.Distinct().ToList() : BenchMode.All,
            RegionChars = region,
            ContextSize = context,
            Swaps = swaps,
            AcceptRounds = accepts,
            ContextCopy = contextCopy,
            Workspace = workspace,
            Candidates = candidates is { } count ? Math.Clamp(count, 1, 8) : null,
        };

        using var serilog = LoggingSetup.Create(LogEventLevel.Error);
        var runner = new BenchRunner(options, serilog, message => Console.Error.WriteLine(message));
        var work = Directory.CreateTempSubdirectory("codeassist-bench-");

        // Read before the run: the load average it reports is the one the run started under.
        var machine = BenchReport.Machine();
        IReadOnlyList<BenchResult> results;
        IReadOnlyList<int> trainerPaused;
        try
        {
            Console.Error.WriteLine($"machine: {machine}");
            using var pause = TrainerPause.ForCommand(pauseTrainer, message => Console.Error.WriteLine(message));
            trainerPaused = pause.Paused;
            results = await runner.RunAsync(work.FullName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or ModelLoadException)
        {
            Console.Error.WriteLine($"codeassist: {ex.Message}");
            return 1;
        }
        finally
        {
            work.Delete(recursive: true);
        }

        using (var stdout = Console.OpenStandardOutput())
        {
            stdout.Write(Encoding.UTF8.GetBytes(BenchReport.Table(results)));
        }

        if (json is not null)
        {
            var commandLine = "codeassist " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            await File.WriteAllBytesAsync(json, BenchReport.Json(results, commandLine, machine, runner.ModelLabel, contextCopy, trainerPaused), cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }
}
