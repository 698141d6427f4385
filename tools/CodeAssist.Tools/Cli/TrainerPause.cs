using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using CodeAssist.Server.Models;

namespace CodeAssist.Tools.Cli;

/// <summary>
/// Pauses the training campaign's trainers (SIGSTOP) while <c>codeassist bench</c> or <c>eval</c> measures, so the
/// timings are not taken on a machine a trainer keeps busy, and resumes (SIGCONT) exactly the ones it paused.
/// A trainer is a process id in <c>models/train/.work/campaign/*.pid</c> that is alive, not already stopped, and runs
/// <c>train.py</c>. Linux only; elsewhere nothing is paused.
/// </summary>
public sealed partial class TrainerPause : IDisposable
{
    private const int SigCont = 18;
    private const int SigStop = 19;

    private readonly IReadOnlyList<Trainer> _trainers;
    private readonly Action<string>? _log;
    private readonly Process? _watchdog;
    private readonly EventHandler? _onExit;
    private int _resumed;

    private TrainerPause(IReadOnlyList<Trainer> trainers, Action<string>? log, Process? watchdog)
    {
        _trainers = trainers;
        _log = log;
        _watchdog = watchdog;
        if (trainers.Count > 0)
        {
            // A command cut short (Ctrl+C past System.CommandLine's grace period) still ends through ProcessExit.
            _onExit = (_, _) => Dispose();
            AppDomain.CurrentDomain.ProcessExit += _onExit;
        }
    }

    /// <summary>The folder of the campaign's pid files, relative to the repository root.</summary>
    public static string CampaignFolder { get; } = Path.Combine("models", "train", ".work", "campaign");

    /// <summary>The process ids this pause stopped (and will resume), in pid-file order.</summary>
    public IReadOnlyList<int> Paused => _trainers.Select(t => t.Pid).ToList();

    /// <summary>
    /// Pauses the trainers of the repository the command runs from (see <see cref="FindRepositoryRoot"/>); nothing when
    /// <paramref name="enabled"/> is false, off Linux, or outside a repository.
    /// </summary>
    public static TrainerPause ForCommand(bool enabled, Action<string> log) =>
        enabled && OperatingSystem.IsLinux() && FindRepositoryRoot() is { } root ? Start(root, log) : new TrainerPause([], null, null);

    /// <summary>
    /// Stops every trainer named by a pid file under <paramref name="repositoryRoot"/> and logs one line naming them.
    /// With <paramref name="watchdog"/>, a small shell process resumes them should this process die without doing so
    /// (a native crash, SIGKILL); <paramref name="watchdogParent"/> is the process it watches (tests name another).
    /// </summary>
    public static TrainerPause Start(string repositoryRoot, Action<string>? log, bool watchdog = true, int? watchdogParent = null)
    {
        if (!OperatingSystem.IsLinux())
        {
            return new TrainerPause([], null, null);
        }

        var folder = Path.Combine(repositoryRoot, CampaignFolder);
        var files = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.pid").Order(StringComparer.Ordinal).ToList() : [];
        var stopped = new List<Trainer>();
        foreach (var file in files)
        {
            if (ReadPid(file) is not { } pid || stopped.Any(t => t.Pid == pid) || Probe(pid) is not { } trainer)
            {
                continue;
            }

            if (Kill(pid, SigStop) == 0)
            {
                stopped.Add(trainer);
            }
            else
            {
                log?.Invoke($"could not pause trainer {pid} (errno {Marshal.GetLastPInvokeError()}); timings may be disturbed");
            }
        }

        if (stopped.Count == 0)
        {
            return new TrainerPause([], null, null);
        }

        log?.Invoke($"paused training (trainer pids {string.Join(' ', stopped.Select(t => t.Pid))}) while measuring; --no-pause-trainer leaves it running");
        var guard = watchdog ? StartWatchdog(watchdogParent ?? Environment.ProcessId, stopped, log) : null;
        return new TrainerPause(stopped, log, guard);
    }

    /// <summary>
    /// The repository whose campaign to pause: the folder holding <c>models/train</c>, found above the shipped models
    /// folder the server resolves, else above the current directory, else above the executable.
    /// </summary>
    public static string? FindRepositoryRoot()
    {
        string?[] starts = [ModelCatalog.ShippedFolder(), Environment.CurrentDirectory, AppContext.BaseDirectory];
        foreach (var start in starts)
        {
            for (var dir = start is null ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (Directory.Exists(Path.Combine(dir.FullName, "models", "train")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }

    /// <summary>Resumes the trainers this pause stopped (once; later calls do nothing).</summary>
    public void Dispose()
    {
        if (_trainers.Count == 0 || Interlocked.Exchange(ref _resumed, 1) == 1)
        {
            return;
        }

        if (_onExit is not null)
        {
            AppDomain.CurrentDomain.ProcessExit -= _onExit;
        }

        StopWatchdog();
        var resumed = new List<int>();
        foreach (var trainer in _trainers)
        {
            // The same process, not a later one that was given its pid.
            if (ReadStat(trainer.Pid) is { } stat && stat.StartTime == trainer.StartTime && Kill(trainer.Pid, SigCont) == 0)
            {
                resumed.Add(trainer.Pid);
            }
        }

        _log?.Invoke(resumed.Count > 0
            ? $"resumed training (trainer pids {string.Join(' ', resumed)})"
            : "the paused trainers are gone; nothing to resume");
    }

    private void StopWatchdog()
    {
        if (_watchdog is null)
        {
            return;
        }

        try
        {
            _watchdog.Kill(entireProcessTree: true);
            _watchdog.WaitForExit(1000);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // It already ended.
        }

        _watchdog.Dispose();
    }

    /// <summary>A process to stop: alive, not stopped already, running train.py.</summary>
    private static Trainer? Probe(int pid)
    {
        if (pid <= 1 || pid == Environment.ProcessId || ReadStat(pid) is not { } stat)
        {
            return null;
        }

        // T: stopped (the campaign or someone else paused it, and will resume it); t: traced; Z, X: exited.
        if (stat.State is 'T' or 't' or 'Z' or 'X')
        {
            return null;
        }

        try
        {
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            return commandLine.Contains("train.py", StringComparison.Ordinal) ? new Trainer(pid, stat.StartTime) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int? ReadPid(string file)
    {
        try
        {
            var text = File.ReadAllText(file).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The state letter and start time (clock ticks after boot) from <c>/proc/PID/stat</c>; null when the process is gone.</summary>
    internal static (char State, ulong StartTime)? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so fields are counted after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);

        // Field 3 is the state, field 22 the start time; fields[0] is field 3.
        return fields.Length > 19 && fields[0].Length == 1 && ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            ? (fields[0][0], start)
            : null;
    }

    /// <summary>
    /// A shell that waits for <paramref name="parent"/> to end and then resumes the trainers: if this process dies
    /// without resuming them, training does not stay stopped. Its own streams are pipes, so it never holds this
    /// process's standard output open; it ignores the terminal's signals, which reach this process anyway.
    /// </summary>
    private static Process? StartWatchdog(int parent, IReadOnlyList<Trainer> trainers, Action<string>? log)
    {
        const string Script = "trap '' INT HUP TERM; parent=$1; shift; while kill -0 \"$parent\" 2>/dev/null; do sleep 1; done; kill -CONT \"$@\" 2>/dev/null";
        var info = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        info.ArgumentList.Add("codeassist-trainer-watchdog");
        info.ArgumentList.Add(parent.ToString(CultureInfo.InvariantCulture));
        foreach (var trainer in trainers)
        {
            info.ArgumentList.Add(trainer.Pid.ToString(CultureInfo.InvariantCulture));
        }

        try
        {
            return Process.Start(info);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            log?.Invoke($"no watchdog for the paused trainers ({ex.Message}): if this command is killed, resume them with kill -CONT");
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private sealed record Trainer(int Pid, ulong StartTime);
}
