using System.Diagnostics;
using System.Text;

namespace CodeAssist.Tests.EndToEnd;

/// <summary>Runs the built <c>codeassist</c> executable as a child process, the way an editor or a shell does.</summary>
internal static class ServerProcess
{
    public static string Executable => Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "codeassist.exe" : "codeassist");

    public static System.Diagnostics.Process Start(string logDirectory, params string[] arguments) => Start(logDirectory, null, arguments);

    /// <summary>Starts the process with extra environment variables (a null value removes one).</summary>
    public static System.Diagnostics.Process Start(string logDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["CODEASSIST_LOG_DIR"] = logDirectory;
        info.Environment.Remove("CODEASSIST_MODEL");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        return System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException("could not start codeassist");
    }

    /// <summary>Runs to completion and returns exit code, stdout and stderr.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] arguments) =>
        RunAsync(null, TimeSpan.FromSeconds(60), arguments);

    /// <summary>Runs to completion with extra environment variables and a time limit.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IReadOnlyDictionary<string, string?>? environment, TimeSpan limit, params string[] arguments)
    {
        using var process = Start(Path.Combine(Path.GetTempPath(), "codeassist-test-logs"), environment, arguments);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Splits raw stdout bytes into LSP frames, failing on anything that is not a well-formed frame.</summary>
    public static List<string> ParseFrames(byte[] bytes)
    {
        var frames = new List<string>();
        var position = 0;
        while (position < bytes.Length)
        {
            var headerEnd = IndexOf(bytes, "\r\n\r\n"u8, position);
            if (headerEnd < 0)
            {
                throw new InvalidDataException($"bytes after the last frame: {Encoding.UTF8.GetString(bytes, position, Math.Min(80, bytes.Length - position))}");
            }

            var header = Encoding.ASCII.GetString(bytes, position, headerEnd - position);
            int? length = null;
            foreach (var line in header.Split("\r\n"))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    throw new InvalidDataException($"not a header line: '{line}'");
                }

                if (line[..colon].Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    length = int.Parse(line[(colon + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (!line[..colon].Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidDataException($"unexpected header '{line}'");
                }
            }

            var bodyStart = headerEnd + 4;
            if (length is not { } n || bodyStart + n > bytes.Length)
            {
                throw new InvalidDataException("a frame without a valid Content-Length");
            }

            frames.Add(Encoding.UTF8.GetString(bytes, bodyStart, n));
            position = bodyStart + n;
        }

        return frames;
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle, int start)
    {
        var index = haystack.AsSpan(start).IndexOf(needle);
        return index < 0 ? -1 : start + index;
    }
}
