using System.CommandLine;
using System.Globalization;
using System.Text;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Gguf;
using CodeAssist.Server.Logging;
using CodeAssist.Server.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Serilog;
using Serilog.Events;

namespace CodeAssist.Server.Cli;

/// <summary>
/// <c>codeassist models</c>: the catalog of shipped and recommended models, and which are on this machine;
/// <c>codeassist models pull ID</c>: downloads one into the user's model folder.
/// </summary>
public static class ModelsCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var command = new Command("models", "List the shipped and recommended models and which model files are present locally.");
        command.SetAction(_ => Run());
        command.Add(CreatePull());
        return command;
    }

    private static Command CreatePull()
    {
        var id = new Argument<string>("id") { Description = "The catalog id of the model (as `codeassist models` lists it)." };
        var catalog = new Option<string?>("--catalog") { Description = $"Another catalog file to download from (default: ${ModelCatalog.CatalogVariable}, else the shipped models/catalog.json)." };
        var command = new Command("pull", $"Download a catalog model into the model folder (${ModelCatalog.ModelsFolderVariable}, else {ModelCatalog.UserModelsFolder}), resuming an interrupted download, and verify it.")
        {
            id, catalog,
        };
        command.SetAction((result, cancellationToken) => PullAsync(result.GetValue(id)!, result.GetValue(catalog), cancellationToken));
        return command;
    }

    private static async Task<int> PullAsync(string id, string? catalogOption, CancellationToken cancellationToken)
    {
        var locations = ModelLocations.FromEnvironment();
        if (catalogOption is not null)
        {
            locations = locations with { CatalogPath = Path.GetFullPath(catalogOption) };
        }

        CatalogEntry entry;
        try
        {
            entry = locations.FindDownloadable(id);
        }
        catch (Exception ex) when (ex is UnknownModelException or InvalidDataException or IOException)
        {
            Console.Error.WriteLine($"codeassist: {ex.Message}");
            return 1;
        }

        var folder = locations.DownloadFolder();
        using var serilog = LoggingSetup.Create(LogEventLevel.Warning);
        using var loggers = LoggerFactory.Create(logging => logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Debug).AddSerilog(serilog, dispose: false));
        using var downloader = new ModelDownloader(loggers.CreateLogger<ModelDownloader>());
        var line = new ProgressLine(entry.Id);
        try
        {
            var result = await downloader.DownloadAsync(entry, folder, line.ShowAsync, cancellationToken).ConfigureAwait(false);
            line.Finish();
            Console.Error.WriteLine(result.AlreadyPresent
                ? $"codeassist: {entry.Id} is already downloaded and verified: {result.Path}"
                : $"codeassist: downloaded {entry.Id} ({DownloadProgress.FormatBytes(result.SizeBytes)}{(result.ResumedFrom > 0 ? $", resumed at {DownloadProgress.FormatBytes(result.ResumedFrom)}" : "")}) to {result.Path}");

            // The check the server would make at the first load, made now (and remembered, so that load pays nothing):
            // the user learns what the model can do before picking it.
            var probe = new ModelProbe(ShippedModels.Shipped(NullLogger<ShippedModels>.Instance), NullLogger<ModelProbe>.Instance);
            try
            {
                var selfTest = probe.EnsureSafe(result.Path, cancellationToken);
                Console.Error.WriteLine($"codeassist: model check: {ModelPreflight.Assess(GgufReader.Read(result.Path, GgufTokenInventory.VocabularyArrays), selfTest).Summary}");
            }
            catch (ModelLoadException ex)
            {
                Console.Error.WriteLine($"codeassist: {entry.Id} was downloaded, but {ex.Message}");
                return 1;
            }

            using var stdout = Console.OpenStandardOutput();
            stdout.Write(Encoding.UTF8.GetBytes(result.Path + Environment.NewLine));
            return 0;
        }
        catch (ModelDownloadException ex)
        {
            line.Finish();
            Console.Error.WriteLine($"codeassist: {ex.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            line.Finish();
            Console.Error.WriteLine($"codeassist: the download of {entry.Id} was cancelled; what was downloaded is kept in {Path.Combine(folder, entry.File + ModelDownloader.PartSuffix)} and the next pull resumes");
            return 1;
        }
    }

    /// <summary>
    /// Progress on stderr: one line rewritten in place on a terminal; otherwise (a log, a pipe) a line every 10 % or
    /// 5 seconds, whichever comes first, so that a captured log stays short.
    /// </summary>
    private sealed class ProgressLine(string id)
    {
        private readonly bool _terminal = !Console.IsErrorRedirected;
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        private TimeSpan _lastLine;
        private int _lastTenth = -1;
        private int _width;

        public Task ShowAsync(DownloadProgress progress)
        {
            var text = $"{id}: {(progress.Percentage is { } percent ? $"{percent,3}% " : string.Empty)}{progress.Describe()}";
            if (_terminal)
            {
                Console.Error.Write("\r" + text.PadRight(_width));
                _width = Math.Max(_width, text.Length);
                return Task.CompletedTask;
            }

            var tenth = progress.Percentage / 10 ?? -1;
            if (progress.Verifying || tenth > _lastTenth || _clock.Elapsed - _lastLine >= TimeSpan.FromSeconds(5))
            {
                Console.Error.WriteLine(text);
                _lastTenth = Math.Max(_lastTenth, tenth);
                _lastLine = _clock.Elapsed;
            }

            return Task.CompletedTask;
        }

        public void Finish()
        {
            if (_terminal && _width > 0)
            {
                Console.Error.WriteLine();
                _width = 0;
            }
        }
    }

    private static int Run()
    {
        var catalogPath = ModelCatalog.Locate();
        if (catalogPath is null)
        {
            Console.Error.WriteLine($"codeassist: {ModelCatalog.FileName} not found in a models/ folder beside or above the executable");
            return 1;
        }

        CatalogDocument catalog;
        try
        {
            catalog = ModelCatalog.Load(catalogPath);
        }
        catch (InvalidDataException ex)
        {
            Console.Error.WriteLine($"codeassist: {ex.Message}");
            return 1;
        }

        var folders = ModelCatalog.ModelFolders();
        var rows = ModelCatalog.Resolve(catalog, folders);
        var probe = new ModelProbe(ShippedModels.Shipped(NullLogger<ShippedModels>.Instance), NullLogger<ModelProbe>.Instance);
        var output = new StringBuilder();
        output.AppendLine(CultureInfo.InvariantCulture, $"{"ID",-32} {"FAMILY/FIM",-16} {"PARAMS",8} {"SIZE",9} {"CONTEXT",7} {"SPEED*",-9} {"LICENCE",-20} GOOD FOR");
        foreach (var row in rows)
        {
            var entry = row.Entry;
            var size = row.LocalSizeBytes ?? entry.SizeBytes;
            var context = entry.ContextLength is { } tokens ? FormatCount(tokens) : "?";
            output.AppendLine(CultureInfo.InvariantCulture,
                $"{entry.Id,-32} {entry.Family + "/" + entry.Fim,-16} {FormatCount(entry.Parameters),8} {FormatBytes(size, row.LocalSizeBytes is null && size is not null),9} {context,7} {entry.Speed ?? "?",-9} {entry.License,-20} {CatalogSpeed.GoodFor(entry.Speed, entry.Fim is "psm" or "spm")}");
            output.AppendLine("    " + (row.LocalPath ?? (entry.Shipped ? "missing (shipped file not found)" : $"not present: codeassist models pull {entry.Id} (from {entry.Url})")));
            if (row.LocalPath is { } path)
            {
                output.AppendLine("    check: " + Check(path, probe));
            }
        }

        foreach (var path in ModelCatalog.UnlistedFiles(catalog, folders))
        {
            output.AppendLine(CultureInfo.InvariantCulture, $"{Path.GetFileNameWithoutExtension(path),-32} {"(detected)",-16} {"",8} {FormatBytes(new FileInfo(path).Length, false),9} {"",7} {CatalogSpeed.ClassOf(new FileInfo(path).Length),-9}");
            output.AppendLine("    " + path);
            output.AppendLine("    check: " + Check(path, probe));
        }

        output.AppendLine();
        output.AppendLine("* SPEED is an estimate for a laptop CPU, not a measurement: a generated token reads every weight once, so tokens/s is");
        output.AppendLine("  about 25 GB/s of memory bandwidth over the file size (instant: thousands; fast: 25 or more; moderate: 6 to 25; slow: under 6).");
        output.AppendLine("  \"check\" is the model check of a file on this machine: its FIM tokens and name, and the self-test the server ran when it");
        output.AppendLine("  first loaded the file (none yet: the server has not loaded it).");
        output.AppendLine("Model folders searched: " + (folders.Count == 0 ? "(none exist)" : string.Join(", ", folders)));
        output.AppendLine($"Download a model with `codeassist models pull ID` (into {ModelCatalog.DownloadFolder()}; CODEASSIST_MODELS_DIR changes it), then select it in the editor or set codeAssist.model to its path.");
        using var stdout = Console.OpenStandardOutput();
        stdout.Write(Encoding.UTF8.GetBytes(output.ToString()));
        return 0;
    }

    /// <summary>The model check of a local file from its header and the self-test remembered from the server's check, if any.</summary>
    private static string Check(string path, ModelProbe probe)
    {
        try
        {
            var file = GgufReader.Read(path, GgufTokenInventory.VocabularyArrays);
            return ModelPreflight.Assess(file, probe.RememberedSelfTest(path)).Summary;
        }
        catch (ModelLoadException ex)
        {
            return "unreadable: " + ex.Message;
        }
    }

    private static string FormatCount(long count) => count switch
    {
        >= 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{count / 1e9:0.#}B"),
        >= 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{count / 1e6:0.#}M"),
        _ => count.ToString(CultureInfo.InvariantCulture),
    };

    private static string FormatBytes(long? bytes, bool approximate)
    {
        if (bytes is not { } b)
        {
            return "?";
        }

        var text = b >= 1_000_000_000
            ? string.Create(CultureInfo.InvariantCulture, $"{b / 1e9:0.00} GB")
            : string.Create(CultureInfo.InvariantCulture, $"{b / 1e6:0.0} MB");
        return approximate ? "~" + text : text;
    }
}
