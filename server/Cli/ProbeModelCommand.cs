using System.CommandLine;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace CodeAssist.Server.Cli;

/// <summary>
/// <c>codeassist probe-model PATH</c> (hidden): loads a model file and decodes a few tokens, so that the server can learn
/// in a child process whether llama.cpp survives the file (<see cref="ModelProbe"/>). Exit code 0: it does; then the
/// model's answer to a one-line fill-in-the-middle self-test is written to standard output as one line of JSON.
/// </summary>
public static class ProbeModelCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var path = new Argument<string>("path") { Description = "The GGUF file to check." };
        var command = new Command(ProbeCommand.Verb, "Load a model file and decode a few tokens (the server's check of a model it has not loaded before).")
        {
            Hidden = true,
        };
        command.Add(path);
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(path)!, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            using var model = LocalModel.Load(path, new LocalModelOptions { ContextSize = 128, Threads = 1 }, NullLogger.Instance);
            var tokens = model.Tokenize("def add(a, b):\n    return a + b\n");
            var logits = await model.EvaluateAsync(tokens.Take(16).ToList(), cancellationToken).ConfigureAwait(false);
            if (logits.Length == 0 || logits.Any(row => row.Any(value => !float.IsFinite(value))))
            {
                await Console.Error.WriteLineAsync("codeassist: the model's first decode gave no finite logits").ConfigureAwait(false);
                return 1;
            }

            // The file is safe to load; what the model answers to a one-line FIM prompt is for the user (ModelPreflight).
            SelfTestResult result;
            try
            {
                result = await SelfTestResult.RunAsync(model, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                result = new SelfTestResult(string.Empty, null, false, ex.Message);
            }

            using var stdout = Console.OpenStandardOutput();
            await stdout.WriteAsync(System.Text.Encoding.UTF8.GetBytes(result.ToJson() + "\n"), cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (ModelLoadException ex)
        {
            await Console.Error.WriteLineAsync($"codeassist: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
