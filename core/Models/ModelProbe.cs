using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Inference.Gguf;
using CodeAssist.Server.Logging;
using Microsoft.Extensions.Logging;

namespace CodeAssist.Server.Models;

/// <summary>The command that checks one model file in a child process (the model's path is appended).</summary>
/// <param name="FileName">The program: the <c>codeassist</c> executable, or <c>dotnet</c>.</param>
/// <param name="Arguments">Its arguments before the path (<c>probe-model</c>, after the DLL for <c>dotnet</c>).</param>
public sealed record ProbeCommand(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>The hidden verb of <c>codeassist</c> that loads a model and decodes a few tokens.</summary>
    public const string Verb = "probe-model";

    /// <summary>This server's own executable with <see cref="Verb"/>; null when it cannot be found beside this library.</summary>
    public static ProbeCommand? ForThisServer()
    {
        var folder = AppContext.BaseDirectory;
        var apphost = Path.Combine(folder, OperatingSystem.IsWindows() ? "codeassist.exe" : "codeassist");
        if (File.Exists(apphost))
        {
            return new ProbeCommand(apphost, [Verb]);
        }

        var dll = Path.Combine(folder, "codeassist.dll");
        return File.Exists(dll) && Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? new ProbeCommand(host, [dll, Verb])
            : null;
    }
}

/// <summary>
/// Native faults cannot take the server down: llama.cpp aborts the whole process on some files that pass every check we
/// can make in managed code, so before a model file is loaded in-process for the first time, a child process (this
/// executable's hidden <c>probe-model</c> verb) loads it and decodes a few tokens; only a file that passed is loaded here.
/// The same child then answers the one-line FIM self-test of the model check (<see cref="SelfTestResult"/>), which is
/// remembered with the verdict. A verdict is remembered per file (path, size, modification time and a hash of its first mebibyte), in memory and on
/// disk; the shipped models are trusted by their catalog hash, so the default cold start pays no child process.
/// </summary>
public sealed class ModelProbe
{
    private const int HeaderHashBytes = 1 << 20;
    private const int MaxRemembered = 256;
    private readonly ShippedModels _shipped;
    private readonly ProbeCommand? _command;
    private readonly string _verdictFile;
    private readonly ILogger<ModelProbe> _logger;
    private readonly Func<long, TimeSpan> _timeout;
    private readonly ConcurrentDictionary<string, Verdict> _verdicts = new(StringComparer.Ordinal);
    private readonly Lock _fileGate = new();
    private int _childrenStarted;
    private bool _warnedNoCommand;

    /// <summary>
    /// Creates the probe; <paramref name="command"/> null means <see cref="ProbeCommand.ForThisServer"/>,
    /// <paramref name="verdictFile"/> null the cache folder's <c>model-checks.tsv</c>, and <paramref name="timeout"/> null
    /// <see cref="TimeoutFor"/>.
    /// </summary>
    public ModelProbe(ShippedModels shipped, ILogger<ModelProbe> logger, ProbeCommand? command = null, string? verdictFile = null, Func<long, TimeSpan>? timeout = null)
    {
        _timeout = timeout ?? TimeoutFor;
        _shipped = shipped;
        _logger = logger;
        _command = command ?? ProbeCommand.ForThisServer();
        _verdictFile = verdictFile ?? Path.Combine(LogPaths.CacheDirectory, "model-checks.tsv");
    }

    /// <summary>How many child processes this probe started (each is a file checked for the first time).</summary>
    public int ChildrenStarted => _childrenStarted;

    /// <summary>How long a check may take: a start-up allowance plus reading the file at a slow disk's pace.</summary>
    public static TimeSpan TimeoutFor(long bytes) => TimeSpan.FromSeconds(30 + (bytes / (100.0 * 1024 * 1024)));

    /// <summary>
    /// Returns when <paramref name="path"/> is safe to load in-process, with what the model answered to the child's
    /// fill-in-the-middle self-test (null when no child ran: a trusted shipped model, or no executable to run); throws
    /// <see cref="ModelLoadException"/> saying why when the check failed (the child aborted, hung, or could not load it).
    /// Blocks while a child runs: call it off the dispatcher, where models are loaded.
    /// </summary>
    public SelfTestResult? EnsureSafe(string path, CancellationToken cancellationToken = default)
    {
        var full = Path.GetFullPath(path);
        var file = new FileInfo(full);
        if (FileKind.WhyNotRegular(full) is not null)
        {
            return null; // not found, a FIFO, a device: the loader refuses it in its own words, and reading it here could block
        }

        if (IsTrustedShipped(full))
        {
            return null;
        }

        var key = KeyOf(file);
        if (!_verdicts.TryGetValue(key, out var known) && Remembered(key) is { } remembered)
        {
            known = _verdicts.GetOrAdd(key, remembered);
        }

        // A file that passed before the self-test existed is checked once more, for the self-test's answer.
        if (known is not null && !(known.Passed && known.SelfTest is null && _command is not null))
        {
            Throw(known, full);
            return known.SelfTest;
        }

        if (_command is null)
        {
            if (!_warnedNoCommand)
            {
                _warnedNoCommand = true;
                _logger.LogWarning("Cannot check model files in a child process (no codeassist executable beside the server): a model that crashes llama.cpp will take the server down");
            }

            return null;
        }

        var verdict = RunChild(full, file.Length, cancellationToken);
        if (verdict.Remember)
        {
            _verdicts[key] = verdict;
            Save(key, verdict);
        }

        Throw(verdict, full);
        return verdict.SelfTest;
    }

    /// <summary>The self-test answer remembered for <paramref name="path"/> (from this process or an earlier one), without running anything.</summary>
    public SelfTestResult? RememberedSelfTest(string path)
    {
        var full = Path.GetFullPath(path);
        if (FileKind.WhyNotRegular(full) is not null)
        {
            return null;
        }

        var key = KeyOf(new FileInfo(full));
        return (_verdicts.TryGetValue(key, out var known) ? known : Remembered(key))?.SelfTest;
    }

    private static void Throw(Verdict verdict, string path)
    {
        if (!verdict.Passed)
        {
            throw new ModelLoadException($"model file failed its check in a separate process, so it is not loaded: {verdict.Reason} ({path})");
        }
    }

    private Verdict RunChild(string path, long bytes, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(_command!.FileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in _command.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.ArgumentList.Add(path);
        var timeout = _timeout(bytes);
        var watch = Stopwatch.StartNew();
        Process child;
        try
        {
            child = Process.Start(info) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            _logger.LogWarning("Could not start the model check ({Program}): {Error}; loading {Path} unchecked", _command.FileName, ex.Message, path);
            return new Verdict(true, null, Remember: false);
        }

        Interlocked.Increment(ref _childrenStarted);
        using (child)
        {
            child.StandardInput.Close();
            var stderr = child.StandardError.ReadToEndAsync(CancellationToken.None);
            var stdout = child.StandardOutput.ReadToEndAsync(CancellationToken.None);
            using var cancel = cancellationToken.Register(() => Kill(child));
            if (!child.WaitForExit(timeout))
            {
                Kill(child);
                _logger.LogWarning("The check of {Path} did not finish within {Seconds:F0} s", path, timeout.TotalSeconds);

                // A busy machine can be slow: a timeout is not remembered, the next load checks again.
                return new Verdict(false, string.Create(CultureInfo.InvariantCulture, $"loading it did not finish within {timeout.TotalSeconds:F0} s"), Remember: false);
            }

            child.WaitForExit();
            cancellationToken.ThrowIfCancellationRequested();
            var code = child.ExitCode;
            var output = stderr.Wait(TimeSpan.FromSeconds(5)) ? stderr.Result : string.Empty;
            _logger.LogInformation("Checked {Path} in a separate process: exit code {Code} after {Ms} ms", path, code, watch.ElapsedMilliseconds);
            if (code != 0)
            {
                return new Verdict(false, Describe(code, output), Remember: true);
            }

            var said = stdout.Wait(TimeSpan.FromSeconds(5)) ? stdout.Result : string.Empty;
            var selfTest = said.Split('\n').Select(SelfTestResult.FromJson).LastOrDefault(result => result is not null);
            return new Verdict(true, null, Remember: true) { SelfTest = selfTest };
        }
    }

    private static void Kill(Process child)
    {
        try
        {
            child.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>What went wrong, from the exit code and the last lines the child wrote to standard error.</summary>
    private static string Describe(int code, string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var said = lines.LastOrDefault(line => line.StartsWith("codeassist:", StringComparison.Ordinal))?["codeassist:".Length..].Trim()
            ?? lines.LastOrDefault(line => line.Contains("GGML_ASSERT", StringComparison.Ordinal) || line.Contains("error", StringComparison.OrdinalIgnoreCase));
        var how = code switch
        {
            134 => "llama.cpp aborted (SIGABRT)",
            139 => "llama.cpp crashed (SIGSEGV)",
            > 128 and < 160 => string.Create(CultureInfo.InvariantCulture, $"the loader died of signal {code - 128}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"the loader failed (exit code {code})"),
        };
        if (said is null)
        {
            return how;
        }

        said = said.Length > 300 ? said[..300] + "…" : said;
        return code == 1 ? said : $"{how}: {said}";
    }

    private bool IsTrustedShipped(string path)
    {
        if (!_shipped.Contains(path) || _shipped.Sha256Of(path) is not { } expected)
        {
            return false;
        }

        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream)).Equals(expected, StringComparison.OrdinalIgnoreCase);
    }

    private static string KeyOf(FileInfo file)
    {
        var head = new byte[(int)Math.Min(file.Length, HeaderHashBytes)];
        using (var stream = file.OpenRead())
        {
            stream.ReadExactly(head);
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(head));
        return string.Create(CultureInfo.InvariantCulture, $"{file.Length}\t{file.LastWriteTimeUtc.Ticks}\t{hash}\t{file.FullName}");
    }

    private Verdict? Remembered(string key)
    {
        foreach (var line in ReadLines())
        {
            if (ParseLine(line) is { } entry && entry.Key == key)
            {
                return entry.Verdict;
            }
        }

        return null;
    }

    private void Save(string key, Verdict verdict)
    {
        // A passed file's column holds its self-test answer as JSON (which escapes tabs and line ends); a failed one's, why.
        var reason = verdict.Passed
            ? verdict.SelfTest?.ToJson() ?? string.Empty
            : (verdict.Reason ?? string.Empty).Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');
        var line = $"{(verdict.Passed ? "ok" : "failed")}\t{reason}\t{key}";
        lock (_fileGate)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(_verdictFile)!);
                var lines = ReadLines().Where(existing => ParseLine(existing)?.Key != key).TakeLast(MaxRemembered - 1).Append(line);
                var temporary = _verdictFile + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp";
                File.WriteAllLines(temporary, lines, Encoding.UTF8);
                File.Move(temporary, _verdictFile, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _logger.LogDebug("Could not remember the check of a model in {File}: {Error}", _verdictFile, ex.Message);
            }
        }
    }

    private List<string> ReadLines()
    {
        try
        {
            return File.Exists(_verdictFile) ? [.. File.ReadAllLines(_verdictFile, Encoding.UTF8)] : [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static (string Key, Verdict Verdict)? ParseLine(string line)
    {
        var parts = line.Split('\t', 3);
        if (parts.Length != 3 || parts[0] is not ("ok" or "failed"))
        {
            return null;
        }

        return parts[0] == "ok"
            ? (parts[2], new Verdict(true, null, Remember: true) { SelfTest = SelfTestResult.FromJson(parts[1]) })
            : (parts[2], new Verdict(false, parts[1].Length == 0 ? null : parts[1], Remember: true));
    }

    private sealed record Verdict(bool Passed, string? Reason, bool Remember)
    {
        /// <summary>What the model answered to the self-test (passed files checked since the self-test exists).</summary>
        public SelfTestResult? SelfTest { get; init; }
    }
}
