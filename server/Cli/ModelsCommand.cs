using System.CommandLine;
using System.Globalization;
using System.Text;
using CodeAssist.Server.Models;

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
        var output = new StringBuilder();
        output.AppendLine(CultureInfo.InvariantCulture, $"{"ID",-32} {"FAMILY/FIM",-16} {"PARAMS",8} {"SIZE",9} {"LICENCE",-20} LOCAL");
        foreach (var row in rows)
        {
            var entry = row.Entry;
            var size = row.LocalSizeBytes ?? entry.SizeBytes;
            var local = row.LocalPath ?? (entry.Shipped ? "missing (shipped file not found)" : $"not present; download: {entry.Url}");
            output.AppendLine(CultureInfo.InvariantCulture,
                $"{entry.Id,-32} {entry.Family + "/" + entry.Fim,-16} {FormatCount(entry.Parameters),8} {FormatBytes(size, row.LocalSizeBytes is null && size is not null),9} {entry.License,-20} {local}");
        }

        foreach (var path in ModelCatalog.UnlistedFiles(catalog, folders))
        {
            output.AppendLine(CultureInfo.InvariantCulture, $"{Path.GetFileNameWithoutExtension(path),-32} {"(detected)",-16} {"",8} {FormatBytes(new FileInfo(path).Length, false),9} {"",-20} {path}");
        }

        output.AppendLine();
        output.AppendLine("Model folders searched: " + (folders.Count == 0 ? "(none exist)" : string.Join(", ", folders)));
        output.AppendLine($"Download a model into {ModelCatalog.UserModelsFolder} (or set CODEASSIST_MODELS_DIR), then set codeAssist.model to its path.");
        using var stdout = Console.OpenStandardOutput();
        stdout.Write(Encoding.UTF8.GetBytes(output.ToString()));
        return 0;
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
