using System.CommandLine;
using System.Text;
using System.Text.Json;
using CodeAssist.Server;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Logging;
using CodeAssist.Server.Prompting;
using CodeAssist.Tools.Evaluation;
using CodeAssist.Tools.Evaluation.Reporting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Spectre.Console;

namespace CodeAssist.Tools.Cli;

/// <summary><c>codeassist eval DIR</c>: compares models, remote endpoints, the router and baselines on completion points sampled from Python code.</summary>
public static class EvalCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "A folder of Python files (never code the models were trained on)." };
        var models = new Option<string>("--models")
        {
            Description = "Comma-separated contestants: GGUF paths, catalog ids, remote (the configured remote fallback), openai:URL#MODEL, llamacpp:URL, ollama:URL#MODEL, nocopy:MODEL (the model without the context copy model), baseline:repeat-line, baseline:unigram, baseline:copy (the copy model over random weights), router.",
            DefaultValueFactory = _ => "codeassist-py-tiny",
        };
        var router = new Option<bool>("--router") { Description = "Add the router as a contestant: the local model, escalating to the fallback tier." };
        var settingsFile = new Option<string?>("--settings") { Description = "A JSON settings file shaped like the editor's codeAssist settings (model, fallback, routing, …), or that JSON itself ('{\"codeActions\": {\"budgetMs\": 60000}}')." };
        var fallbackKind = new Option<string?>("--fallback-kind") { Description = "The fallback tier's kind: local, openai, llamacpp, ollama." };
        var fallbackEndpoint = new Option<string?>("--fallback-endpoint") { Description = "The remote fallback's base address." };
        var fallbackModel = new Option<string?>("--fallback-model") { Description = "The fallback model: a GGUF path or catalog id (local), or the remote model's name." };
        var fallbackKeyEnv = new Option<string?>("--fallback-api-key-env") { Description = "The environment variable holding the remote fallback's API key." };
        var samples = new Option<int>("--samples") { Description = "Completion points per kind.", DefaultValueFactory = _ => 200 };
        var seed = new Option<int>("--seed") { Description = "Sampling seed: the same seed gives the same points.", DefaultValueFactory = _ => 1 };
        var kinds = new Option<string>("--kinds") { Description = "Comma-separated kinds: line, fim, block, implement (the code action on documented functions with short bodies; not in the default).", DefaultValueFactory = _ => "line,fim,block" };
        var json = new Option<string?>("--json") { Description = "Write the results as JSON to this file ('-': standard output, the table then goes to standard error)." };
        var html = new Option<string?>("--html") { Description = "Write a self-contained HTML report (chart and tables) to this file." };
        var threads = new Option<int>("--threads") { Description = "CPU threads per model.", DefaultValueFactory = _ => 1 };
        var show = new Option<int>("--show") { Description = "Print this many completions per model (expected and got) to stderr.", DefaultValueFactory = _ => 0 };
        var candidates = new Option<int?>("--candidates") { Description = "Override the candidates setting (how many candidates the local model proposes)." };
        var fimOrder = new Option<string?>("--fim-order") { Description = "Force psm or spm for models trained with both." };
        var lossFiles = new Option<int>("--loss-files") { Description = "Files whose first tokens measure per-token loss.", DefaultValueFactory = _ => 20 };
        var noPause = new Option<bool>("--no-pause-trainer") { Description = "Leave the training campaign's trainers (models/train/.work/campaign/*.pid) running; by default they are paused while measuring." };
        var points = new Option<string?>("--points") { Description = "Write every point's outcome as JSON Lines to this file: contestant, kind, file, line, typed, expected, shown, the chosen candidate's scores and tokens, characters kept (for studying when to show a suggestion)." };
        var inWorkspace = new Option<bool>("--in-workspace") { Description = "Complete every point (not only crossfile ones) as the open document of a workspace that is FOLDER, as the editor would, so that noworkspace:MODEL measures what the workspace context changes on ordinary points." };
        var command = new Command("eval", "Compare models on completion points sampled from your own Python code.")
        {
            folder, models, router, settingsFile, fallbackKind, fallbackEndpoint, fallbackModel, fallbackKeyEnv,
            samples, seed, kinds, json, html, threads, lossFiles, show, candidates, fimOrder, noPause, inWorkspace, points,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            new EvalArguments(
                result.GetValue(folder)!, result.GetValue(models)!, result.GetValue(router), result.GetValue(settingsFile),
                result.GetValue(fallbackKind), result.GetValue(fallbackEndpoint), result.GetValue(fallbackModel), result.GetValue(fallbackKeyEnv),
                result.GetValue(samples), result.GetValue(seed), result.GetValue(kinds)!, result.GetValue(json), result.GetValue(html),
                result.GetValue(threads), result.GetValue(lossFiles), result.GetValue(show), result.GetValue(candidates), result.GetValue(fimOrder),
                !result.GetValue(noPause), result.GetValue(inWorkspace), result.GetValue(points)),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(EvalArguments arguments, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(arguments.Folder))
        {
            Console.Error.WriteLine($"codeassist: folder not found: {arguments.Folder}");
            return 1;
        }

        var kindList = new List<EvalKind>();
        foreach (var kind in arguments.Kinds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<EvalKind>(kind, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(kind, out _))
            {
                Console.Error.WriteLine($"codeassist: unknown kind '{kind}' (expected line, fim, block, implement)");
                return ExitCodes.UsageError;
            }

            kindList.Add(parsed);
        }

        if (arguments.Samples < 1 || arguments.Threads < 1 || arguments.LossFiles < 0 || kindList.Count == 0)
        {
            Console.Error.WriteLine("codeassist: --samples and --threads must be positive and --kinds must name at least one kind");
            return ExitCodes.UsageError;
        }

        if (arguments.Json == "-" && arguments.Html == "-")
        {
            Console.Error.WriteLine("codeassist: only one of --json and --html can go to standard output; --html takes a file");
            return ExitCodes.UsageError;
        }

        var settings = BuildSettings(arguments, out var settingsError, out var usage);
        if (settings is null)
        {
            Console.Error.WriteLine($"codeassist: {settingsError}");
            return usage ? ExitCodes.UsageError : 1;
        }

        var contestants = arguments.Models.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (arguments.Router && !contestants.Contains(EvalRunner.Router))
        {
            contestants.Add(EvalRunner.Router);
        }

        if (contestants.Count == 0)
        {
            Console.Error.WriteLine("codeassist: --models names no contestant");
            return ExitCodes.UsageError;
        }

        // Only fatal errors on stderr: a contestant's failure is in the report, and llama.cpp reports a decode the router
        // cancels (the fallback answered first) as an error. The log file has everything.
        using var serilog = LoggingSetup.Create(LogEventLevel.Fatal);
        using var loggerFactory = LoggerFactory.Create(logging => logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Debug).AddSerilog(serilog, dispose: false));
        var folder = Path.GetFullPath(arguments.Folder);
        var corpus = EvalSampler.Sample(folder, kindList, arguments.Samples, arguments.Seed);
        if (corpus.Samples.Count == 0)
        {
            Console.Error.WriteLine($"codeassist: no completion points in {folder} ({corpus.FilesRead} Python files read, {corpus.FilesSkipped} skipped)");
            return 1;
        }

        // Progress and messages go to stderr, so stdout carries only the table or the JSON.
        var interactive = !Console.IsErrorRedirected;
        var stderr = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        Action<string> log = interactive ? stderr.WriteLine : Console.Error.WriteLine;
        log($"sampled {corpus.Samples.Count} points from {corpus.FilesRead} files ({corpus.FilesSkipped} skipped)");

        using var points = arguments.Points is { } pointsPath ? new StreamWriter(pointsPath, append: false) : null;
        EvalRunner MakeRunner(Action<EvalProgress> progress) => new(loggerFactory, arguments.Threads, arguments.LossFiles, 1024, log)
        {
            Settings = settings,
            ShowExamples = arguments.Show,
            Progress = progress,
            InWorkspace = arguments.InWorkspace,
            Points = points,
        };

        // Paused from the first model load to the last point, so speed and latency are measured on a quiet machine.
        EvalReport report;
        using (var pause = TrainerPause.ForCommand(arguments.PauseTrainer, log))
        {
            if (interactive)
            {
                report = await stderr.Progress()
                    .AutoClear(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .StartAsync(async context =>
                    {
                        var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                        var runner = MakeRunner(progress =>
                        {
                            if (!tasks.TryGetValue(progress.Contestant, out var task))
                            {
                                task = context.AddTask(Markup.Escape(progress.Contestant), maxValue: Math.Max(1, progress.Total));
                                tasks[progress.Contestant] = task;
                            }

                            task.Value = progress.Done;
                        });
                        return await runner.RunAsync(folder, corpus, arguments.Seed, contestants, cancellationToken).ConfigureAwait(false);
                    }).ConfigureAwait(false);
            }
            else
            {
                var runner = MakeRunner(progress =>
                {
                    if (progress.Done == 0)
                    {
                        Console.Error.WriteLine($"evaluating {progress.Contestant}");
                    }
                    else if (progress.Done < progress.Total && progress.Done % 50 == 0)
                    {
                        Console.Error.WriteLine($"  {progress.Contestant}: {progress.Done}/{progress.Total}");
                    }
                });
                report = await runner.RunAsync(folder, corpus, arguments.Seed, contestants, cancellationToken).ConfigureAwait(false);
            }

            report = report with { TrainerPaused = pause.Paused };
        }

        var jsonToStdout = arguments.Json == "-";
        WriteTable(report, toStderr: jsonToStdout);
        if (arguments.Json is { } jsonPath)
        {
            var bytes = EvalJsonReport.ToJson(report);
            if (jsonToStdout)
            {
                using var stdout = Console.OpenStandardOutput();
                stdout.Write(bytes);
                stdout.Write("\n"u8);
            }
            else
            {
                await File.WriteAllBytesAsync(jsonPath, bytes, cancellationToken).ConfigureAwait(false);
            }
        }

        if (arguments.Html is { } htmlPath)
        {
            await File.WriteAllTextAsync(htmlPath, EvalHtmlReport.Render(report), new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
        }

        return report.Contestants.Any(c => c.Status == ContestantStatus.Ok) ? 0 : 1;
    }

    // A terminal gets Spectre's table; a file or a pipe gets Markdown, which pastes into notes and pull requests.
    private static void WriteTable(EvalReport report, bool toStderr)
    {
        var redirected = toStderr ? Console.IsErrorRedirected : Console.IsOutputRedirected;
        if (!redirected)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(toStderr ? Console.Error : Console.Out) });
            EvalTableReport.Write(console, report);
            return;
        }

        var text = Encoding.UTF8.GetBytes(EvalTableReport.ToMarkdown(report));
        using var stream = toStderr ? Console.OpenStandardError() : Console.OpenStandardOutput();
        stream.Write(text);
    }

    /// <summary>
    /// The settings the models run with: the editor's defaults, then <c>--settings</c>, then the fallback flags, then
    /// <c>--fim-order</c> and <c>--candidates</c>. Null with the reason when they cannot be used.
    /// </summary>
    internal static CodeAssistOptions? BuildSettings(EvalArguments arguments, out string? error, out bool usage)
    {
        error = null;
        usage = false;
        var options = CodeAssistOptions.Default;
        if (arguments.SettingsFile is { } file)
        {
            try
            {
                // The JSON itself when it is given inline (`--settings '{"codeActions": {"budgetMs": 60000}}'`), else a file's.
                var json = file.TrimStart().StartsWith('{') ? System.Text.Encoding.UTF8.GetBytes(file) : File.ReadAllBytes(file);
                using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
                options = CodeAssistOptions.Parse(document.RootElement, options, out var problems);
                foreach (var problem in problems)
                {
                    Console.Error.WriteLine($"codeassist: {file}: {problem} (skipped)");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
            {
                error = $"cannot read settings {file}: {ex.Message}";
                return null;
            }
        }

        var fallback = options.Fallback;
        if (arguments.FallbackKind is { } kindName)
        {
            var kind = FallbackOptions.ParseKind(kindName);
            if (kind is null)
            {
                error = $"unknown --fallback-kind '{kindName}' (expected local, openai, llamacpp, ollama or none)";
                usage = true;
                return null;
            }

            fallback = fallback with { Kind = kind.Value };
        }

        if (arguments.FallbackEndpoint is { } endpoint)
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out _))
            {
                error = $"--fallback-endpoint must be an absolute http:// or https:// address, not '{endpoint}'";
                usage = true;
                return null;
            }

            if (arguments.FallbackKind is null && !fallback.IsRemote)
            {
                error = "--fallback-endpoint needs --fallback-kind openai, llamacpp or ollama";
                usage = true;
                return null;
            }

            fallback = fallback with { Endpoint = endpoint };
        }

        if (arguments.FallbackModel is { } model)
        {
            if (arguments.FallbackKind is null && arguments.FallbackEndpoint is null && !fallback.IsRemote)
            {
                // A model with no kind and no endpoint is the larger local tier.
                fallback = fallback with { Kind = FallbackKind.Local };
            }

            if (fallback.Kind == FallbackKind.Local && !File.Exists(CodeAssistOptions.ExpandHome(model)))
            {
                model = ContestantSpec.ResolveModel(model, out _, out _) ?? model;
            }

            fallback = fallback with { Model = model };
        }

        if (arguments.FallbackApiKeyEnv is { } keyEnv)
        {
            fallback = fallback with { ApiKeyEnv = keyEnv };
        }

        options = options with
        {
            Fallback = fallback,
            FimOrder = arguments.FimOrder switch
            {
                "psm" => FimOrder.Psm,
                "spm" => FimOrder.Spm,
                _ => options.FimOrder,
            },
            Candidates = arguments.Candidates is { } count ? Math.Clamp(count, 1, 8) : options.Candidates,
        };
        return options;
    }

    /// <summary>The verb's arguments, parsed.</summary>
    internal sealed record EvalArguments(
        string Folder,
        string Models,
        bool Router,
        string? SettingsFile,
        string? FallbackKind,
        string? FallbackEndpoint,
        string? FallbackModel,
        string? FallbackApiKeyEnv,
        int Samples,
        int Seed,
        string Kinds,
        string? Json,
        string? Html,
        int Threads,
        int LossFiles,
        int Show,
        int? Candidates,
        string? FimOrder,
        bool PauseTrainer,
        bool InWorkspace = false,
        string? Points = null);
}
