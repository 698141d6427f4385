using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CodeAssist.Server.Evaluation;
using CodeAssist.Server.Logging;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;

namespace CodeAssist.Server.Cli;

/// <summary><c>codeassist eval DIR</c>: compares models (and baselines) on completion points sampled from Python code.</summary>
public static class EvalCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "A folder of Python files (never code the models were trained on)." };
        var models = new Option<string>("--models") { Description = "Comma-separated GGUF paths, catalog ids, baseline:repeat-line, baseline:unigram.", DefaultValueFactory = _ => "codeassist-py-tiny" };
        var samples = new Option<int>("--samples") { Description = "Completion points per kind.", DefaultValueFactory = _ => 200 };
        var seed = new Option<int>("--seed") { Description = "Sampling seed: the same seed gives the same points.", DefaultValueFactory = _ => 1 };
        var kinds = new Option<string>("--kinds") { Description = "Comma-separated kinds: line, fim.", DefaultValueFactory = _ => "line,fim" };
        var json = new Option<string?>("--json") { Description = "Write the results as JSON to this file." };
        var threads = new Option<int>("--threads") { Description = "CPU threads per model.", DefaultValueFactory = _ => 1 };
        var show = new Option<int>("--show") { Description = "Print this many completions per model (expected and got) to stderr.", DefaultValueFactory = _ => 0 };
        var cutoff = new Option<double?>("--confidence-cutoff") { Description = "Override the confidence cutoff (log-probability; 0 or above turns it off)." };
        var fimOrder = new Option<string?>("--fim-order") { Description = "Force psm or spm for models trained with both." };
        var lossFiles = new Option<int>("--loss-files") { Description = "Files whose first tokens measure per-token loss.", DefaultValueFactory = _ => 20 };
        var command = new Command("eval", "Compare models on completion points sampled from your own Python code.")
        {
            folder, models, samples, seed, kinds, json, threads, lossFiles, show, cutoff, fimOrder,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetValue(folder)!, result.GetValue(models)!, result.GetValue(samples), result.GetValue(seed), result.GetValue(kinds)!,
            result.GetValue(json), result.GetValue(threads), result.GetValue(lossFiles), result.GetValue(show), result.GetValue(cutoff), result.GetValue(fimOrder), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string folder, string models, int samples, int seed, string kinds, string? json, int threads, int lossFiles, int show, double? cutoff, string? fimOrder, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder))
        {
            Console.Error.WriteLine($"codeassist: folder not found: {folder}");
            return 1;
        }

        var kindList = new List<EvalKind>();
        foreach (var kind in kinds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<EvalKind>(kind, ignoreCase: true, out var parsed))
            {
                Console.Error.WriteLine($"codeassist: unknown kind '{kind}' (expected line, fim)");
                return Program.UsageError;
            }

            kindList.Add(parsed);
        }

        if (samples < 1 || threads < 1 || lossFiles < 0)
        {
            Console.Error.WriteLine("codeassist: --samples and --threads must be positive");
            return Program.UsageError;
        }

        using var serilog = LoggingSetup.Create(LogEventLevel.Error);
        using var loggerFactory = LoggerFactory.Create(logging => logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Debug).AddSerilog(serilog, dispose: false));
        var corpus = EvalSampler.Sample(folder, kindList, samples, seed);
        Console.Error.WriteLine($"sampled {corpus.Samples.Count} points from {corpus.FilesRead} files ({corpus.FilesSkipped} skipped)");
        var runner = new EvalRunner(loggerFactory, threads, lossFiles, 1024, message => Console.Error.WriteLine(message))
        {
            ShowExamples = show,
            FimOrder = fimOrder switch
            {
                "psm" => Prompting.FimOrder.Psm,
                "spm" => Prompting.FimOrder.Spm,
                _ => null,
            },
            ConfidenceCutoff = cutoff is null ? Configuration.CodeAssistOptions.Default.ConfidenceCutoff : cutoff >= 0 ? null : cutoff,
        };
        var contestants = models.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var report = await runner.RunAsync(Path.GetFullPath(folder), corpus, seed, contestants, cancellationToken).ConfigureAwait(false);

        using (var stdout = Console.OpenStandardOutput())
        {
            stdout.Write(Encoding.UTF8.GetBytes(FormatTable(report)));
        }

        if (json is not null)
        {
            await File.WriteAllBytesAsync(json, ToJson(report), cancellationToken).ConfigureAwait(false);
        }

        return report.Contestants.Any(c => c.Error is null) ? 0 : 1;
    }

    /// <summary>The report as a Markdown table.</summary>
    public static string FormatTable(EvalReport report)
    {
        var text = new StringBuilder();
        var kinds = report.Contestants.SelectMany(c => c.Kinds).Select(k => k.Kind).Distinct().Order().ToList();
        text.Append("| contestant | params | file |");
        foreach (var kind in kinds)
        {
            var name = kind.ToString().ToLowerInvariant();
            text.Append(CultureInfo.InvariantCulture, $" {name} EM | {name} ES | {name} p50 ms |");
        }

        text.AppendLine(" loss/token | tokens/s |");
        text.Append("|---|---|---|");
        text.Append(string.Concat(Enumerable.Repeat("---|---|---|", kinds.Count)));
        text.AppendLine("---|---|");
        foreach (var c in report.Contestants)
        {
            if (c.Error is not null)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {c.Name} | error: {c.Error} |");
                continue;
            }

            text.Append(CultureInfo.InvariantCulture, $"| {c.Name} | {(c.Parameters is { } p ? (p / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + "M" : "–")} | {(c.FileSizeBytes is { } b ? (b / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB" : "–")} |");
            foreach (var kind in kinds)
            {
                var r = c.Kinds.FirstOrDefault(k => k.Kind == kind);
                text.Append(r is null ? " – | – | – |" : string.Create(CultureInfo.InvariantCulture, $" {r.ExactMatch:0.000} | {r.EditSimilarity:0.000} | {r.LatencyP50Ms:0} |"));
            }

            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $" {(c.LossPerToken is { } l ? l.ToString("0.000", CultureInfo.InvariantCulture) : "–")} | {(c.TokensPerSecond is { } t ? t.ToString("0", CultureInfo.InvariantCulture) : "–")} |"));
        }

        return text.ToString();
    }

    /// <summary>The report as JSON.</summary>
    public static byte[] ToJson(EvalReport report)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("folder", report.Folder);
            writer.WriteNumber("seed", report.Seed);
            writer.WriteNumber("filesRead", report.FilesRead);
            writer.WriteNumber("filesSkipped", report.FilesSkipped);
            writer.WriteStartArray("contestants");
            foreach (var c in report.Contestants)
            {
                writer.WriteStartObject();
                writer.WriteString("name", c.Name);
                writer.WriteString("path", c.Path);
                WriteNumber(writer, "parameters", c.Parameters);
                WriteNumber(writer, "fileSizeBytes", c.FileSizeBytes);
                WriteNumber(writer, "lossPerToken", c.LossPerToken);
                writer.WriteNumber("lossTokens", c.LossTokens);
                WriteNumber(writer, "tokensPerSecond", c.TokensPerSecond);
                writer.WriteString("error", c.Error);
                writer.WriteStartArray("kinds");
                foreach (var k in c.Kinds)
                {
                    writer.WriteStartObject();
                    writer.WriteString("kind", k.Kind.ToString().ToLowerInvariant());
                    writer.WriteNumber("samples", k.Samples);
                    writer.WriteNumber("exactMatch", k.ExactMatch);
                    writer.WriteNumber("editSimilarity", k.EditSimilarity);
                    writer.WriteNumber("latencyP50Ms", k.LatencyP50Ms);
                    writer.WriteNumber("latencyP95Ms", k.LatencyP95Ms);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
