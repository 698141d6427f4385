using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CodeAssist.Server.Completion;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Documents;
using CodeAssist.Server.Logging;
using CodeAssist.Server.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;

namespace CodeAssist.Server.Cli;

/// <summary><c>codeassist complete PATH:LINE:COLUMN</c>: the completion the editor would show there.</summary>
public static class CompleteCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var location = new Argument<string>("location") { Description = "PATH:LINE:COLUMN, 1-based as editors show them." };
        var model = new Option<string?>("--model") { Description = "A GGUF model file (default: the shipped model)." };
        var maxTokens = new Option<int?>("--max-tokens") { Description = "Most tokens to generate." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: text, model, tier, latencyMs, meanLogprob." };
        var command = new Command("complete", "Print the completion the editor would show at a position in a Python file.")
        {
            location, model, maxTokens, json,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetValue(location)!, result.GetValue(model), result.GetValue(maxTokens), result.GetValue(json), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string location, string? modelPath, int? maxTokens, bool json, CancellationToken cancellationToken)
    {
        if (!TryParseLocation(location, out var path, out var line, out var column))
        {
            Console.Error.WriteLine($"codeassist: expected PATH:LINE:COLUMN with 1-based numbers, got '{location}'");
            return ExitCodes.UsageError;
        }

        if (maxTokens is < 1 or > 4096)
        {
            Console.Error.WriteLine("codeassist: --max-tokens must be from 1 to 4096");
            return ExitCodes.UsageError;
        }

        if (!File.Exists(path))
        {
            return Fail($"file not found: {path}");
        }

        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail($"cannot read {path}: {ex.Message}");
        }

        var uri = new Uri(Path.GetFullPath(path)).AbsoluteUri;
        var document = new TextDocument(uri, "python", 0, text);
        var lines = document.LineIndex;
        if (line > lines.LineCount || !lines.TryGetOffset(line - 1, column - 1, PositionEncoding.Utf16, out _)
            || column - 1 > lines.GetLineEnd(line - 1) - lines.GetLineStart(line - 1))
        {
            return Fail($"position {line}:{column} is outside {path} ({lines.LineCount} lines)");
        }

        using var serilog = LoggingSetup.Create(LogEventLevel.Warning);
        var services = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Debug).AddSerilog(serilog, dispose: false))
            .AddCodeAssistCore();
        using var provider = services.BuildServiceProvider();
        var settings = provider.GetRequiredService<SettingsStore>();
        settings.Replace(settings.Current with
        {
            Model = modelPath ?? settings.Current.Model,
            MaxTokens = maxTokens ?? settings.Current.MaxTokens,
            DebounceMs = 0,
        });

        var resolved = DefaultModelLocator.Resolve(settings.Current.Model);
        if (resolved is null)
        {
            return Fail($"model not found: no --model given and the default model {DefaultModelLocator.DefaultModelFileName} is not in models/");
        }

        if (!File.Exists(resolved))
        {
            return Fail($"model not found: {resolved}");
        }

        var models = provider.GetRequiredService<ModelManager>();
        if (await models.GetModelAsync(cancellationToken).ConfigureAwait(false) is null)
        {
            return Fail(models.LastError ?? "the model could not be loaded");
        }

        var documents = provider.GetRequiredService<DocumentStore>();
        documents.Open(uri, "python", 0, text);
        var stopwatch = Stopwatch.StartNew();
        var result = await provider.GetRequiredService<CompletionService>()
            .CompleteAsync(new CompletionQuery(uri, line - 1, column - 1, PositionEncoding.Utf16, Invoked: true), cancellationToken)
            .ConfigureAwait(false);

        using var stdout = Console.OpenStandardOutput();
        if (json)
        {
            using var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = false });
            writer.WriteStartObject();
            writer.WriteString("text", result.Text);
            writer.WriteString("model", result.Model.Length > 0 ? result.Model : models.Current?.Description.Id);
            writer.WriteString("tier", result.Tier);
            writer.WriteNumber("latencyMs", Math.Round(stopwatch.Elapsed.TotalMilliseconds, 1));
            if (double.IsFinite(result.MeanLogprob))
            {
                writer.WriteNumber("meanLogprob", Math.Round(result.MeanLogprob, 4));
            }
            else
            {
                // No score (nothing generated, or a remote model without log-probabilities): JSON has no NaN.
                writer.WriteNull("meanLogprob");
            }
            writer.WriteEndObject();
            writer.Flush();
            stdout.Write("\n"u8);
        }
        else
        {
            stdout.Write(Encoding.UTF8.GetBytes(result.Text + "\n"));
        }

        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"codeassist: {message}");
        return 1;
    }

    // PATH may itself contain colons, so LINE and COLUMN are taken from the right.
    private static bool TryParseLocation(string location, out string path, out int line, out int column)
    {
        path = string.Empty;
        line = column = 0;
        var last = location.LastIndexOf(':');
        var middle = last > 0 ? location.LastIndexOf(':', last - 1) : -1;
        if (middle <= 0)
        {
            return false;
        }

        path = location[..middle];
        return int.TryParse(location.AsSpan(middle + 1, last - middle - 1), NumberStyles.None, CultureInfo.InvariantCulture, out line)
            && int.TryParse(location.AsSpan(last + 1), NumberStyles.None, CultureInfo.InvariantCulture, out column)
            && line >= 1 && column >= 1;
    }
}
