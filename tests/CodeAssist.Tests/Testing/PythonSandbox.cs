using System.Diagnostics;

namespace CodeAssist.Tests.Testing;

/// <summary>How a sandboxed Python program ended.</summary>
/// <param name="ExitCode">The process's exit code (-1 when it was killed at the timeout).</param>
/// <param name="TimedOut">Whether it was killed for running past the timeout.</param>
/// <param name="Stderr">What it wrote to stderr (a traceback when an assert failed).</param>
public sealed record SandboxResult(int ExitCode, bool TimedOut, string Stderr)
{
    /// <summary>Whether the program ran to its end without an error.</summary>
    public bool Passed => ExitCode == 0 && !TimedOut;

    /// <summary>The last line of the traceback (the exception), or why it was stopped.</summary>
    public string Reason => TimedOut
        ? "timed out"
        : Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? $"exit code {ExitCode}";
}

/// <summary>
/// Runs code a model wrote, in tests only: <c>python3 -I</c> (no user site, no environment variables, no script folder
/// on the path) in a fresh temporary folder that is deleted afterwards, with limits on CPU time, address space and file
/// size set before the code runs, and a wall-clock timeout after which the process is killed. CI runs as root, so
/// the code must never run in the repository or with the test's environment.
/// </summary>
public static class PythonSandbox
{
    /// <summary>CPU seconds the program may use.</summary>
    public const int CpuSeconds = 5;

    /// <summary>Bytes of address space the program may map.</summary>
    public const long MemoryBytes = 512L << 20;

    /// <summary>Largest file the program may write, in bytes.</summary>
    public const long FileBytes = 1L << 20;

    // Sets the limits, then runs the program read from stdin as __main__.
    private static readonly string Bootstrap = string.Join('\n',
        "import resource, sys",
        $"resource.setrlimit(resource.RLIMIT_CPU, ({CpuSeconds}, {CpuSeconds}))",
        $"resource.setrlimit(resource.RLIMIT_AS, ({MemoryBytes}, {MemoryBytes}))",
        $"resource.setrlimit(resource.RLIMIT_FSIZE, ({FileBytes}, {FileBytes}))",
        "resource.setrlimit(resource.RLIMIT_CORE, (0, 0))",
        "source = sys.stdin.read()",
        "exec(compile(source, 'candidate.py', 'exec'), {'__name__': '__main__', '__builtins__': __builtins__})");

    /// <summary>Runs <paramref name="source"/>; killed after <paramref name="timeout"/> (30 s when not given: a loaded CI machine starts Python slowly; the CPU limit still bounds a runaway loop).</summary>
    public static async Task<SandboxResult> RunAsync(string source, TimeSpan? timeout = null)
    {
        var folder = Directory.CreateTempSubdirectory("codeassist-sandbox-");
        try
        {
            var info = new ProcessStartInfo("python3")
            {
                WorkingDirectory = folder.FullName,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.ArgumentList.Add("-I");
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(Bootstrap);
            info.Environment.Clear();
            info.Environment["PATH"] = "/usr/bin:/bin";
            info.Environment["HOME"] = folder.FullName;
            info.Environment["TMPDIR"] = folder.FullName;
            using var process = Process.Start(info) ?? throw new InvalidOperationException("python3 could not be started");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardInput.WriteAsync(source);
            process.StandardInput.Close();
            using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                await stdout;
                return new SandboxResult(-1, TimedOut: true, await stderr);
            }

            await stdout;
            return new SandboxResult(process.ExitCode, TimedOut: false, await stderr);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
