using System.CommandLine;
using System.Globalization;
using System.Text;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Gguf;
using CodeAssist.Server.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace CodeAssist.Server.Cli;

/// <summary><c>codeassist models</c>: the catalog of shipped and recommended models, and which are on this machine.</summary>
public static class ModelsCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var command = new Command("models", "List the shipped and recommended models and which model files are present locally.");
        command.SetAction(_ => Run());
        return command;
    }

    private static int Run()
    {
        var catalogPath = DefaultModelLocator.FindShipped(ModelCatalog.FileName);
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
            output.AppendLine("    " + (row.LocalPath ?? (entry.Shipped ? "missing (shipped file not found)" : $"not present; download: {entry.Url}")));
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
        output.AppendLine($"Download a model into {ModelCatalog.UserModelsFolder} (or set CODEASSIST_MODELS_DIR), then set codeAssist.model to its path.");
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
