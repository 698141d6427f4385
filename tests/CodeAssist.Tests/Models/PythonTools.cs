using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace CodeAssist.Tests.Models;

/// <summary>Runs the recipe's Python (Debian's /usr/bin/python3 with python3-torch) for the model tests.</summary>
public static class PythonTools
{
    /// <summary>The interpreter the recipe is written for; the pyenv python3 on PATH has no torch.</summary>
    public const string Interpreter = "/usr/bin/python3";

    private const string Packages = "python3-torch python3-numpy python3-regex libopenblas0-pthread";
    private static readonly Lazy<Task<string?>> MissingPackages = new(FindWhatIsMissingAsync);

    /// <summary>Runs <c>tools.py</c> with <paramref name="arguments"/> and parses its JSON output.</summary>
    public static async Task<JsonDocument> RunToolAsync(IEnumerable<string> arguments, TimeSpan timeout)
    {
        var stdout = await RunAsync([RepositoryPaths.Tools, .. arguments], timeout);
        return JsonDocument.Parse(stdout);
    }

    /// <summary>
    /// Runs the interpreter with <paramref name="arguments"/> in the repository root and returns its standard output;
    /// fails the test (with the process's stderr) on a non-zero exit or a timeout, and with a clear instruction when
    /// torch is not installed: the model tests must not pass silently without it.
    /// </summary>
    public static async Task<string> RunAsync(IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        if (await MissingPackages.Value is { } missing)
        {
            Assert.Fail(missing);
        }

        var result = await StartAsync(arguments, timeout);
        if (result.TimedOut)
        {
            Assert.Fail($"{Describe(arguments)} ran longer than {timeout.TotalSeconds:F0} s and was killed; stderr:\n{result.Stderr}");
        }

        if (result.ExitCode != 0)
        {
            Assert.Fail($"{Describe(arguments)} exited with {result.ExitCode}; stderr:\n{result.Stderr}");
        }

        return result.Stdout;
    }

    private static async Task<string?> FindWhatIsMissingAsync()
    {
        if (!File.Exists(Interpreter))
        {
            return $"{Interpreter} does not exist. Run the README's test command (scripts/test.sh), which installs {Packages}.";
        }

        var result = await StartAsync(["-c", "import torch, numpy, regex"], TimeSpan.FromMinutes(2));
        return result.ExitCode == 0 && !result.TimedOut
            ? null
            : $"{Interpreter} cannot import torch, numpy and regex. Run the README's test command (scripts/test.sh), which installs {Packages}.\n{result.Stderr}";
    }

    private static async Task<ProcessResult> StartAsync(IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(Interpreter)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // One OpenMP thread that sleeps when idle: these runs share the CPU with the test host's own work.
        info.Environment["OMP_NUM_THREADS"] = "1";
        info.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
        info.Environment["PYTHONIOENCODING"] = "utf-8";
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {Interpreter}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        return new ProcessResult(timedOut ? -1 : process.ExitCode, await stdout, await stderr, timedOut);
    }

    private static string Describe(IReadOnlyList<string> arguments) => $"{Interpreter} {string.Join(' ', arguments)}";

    private sealed record ProcessResult(int ExitCode, string Stdout, string Stderr, bool TimedOut);
}
