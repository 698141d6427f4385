using System.Diagnostics;

namespace CodeAssist.Tests.Gguf;

/// <summary>The temporary folder where this test run writes model files; removed when the run ends, and folders left
/// by runs that died (a native crash skips clean-up) are removed by the next run.</summary>
public static class TestModelFiles
{
    private const string FolderPrefix = "gguf-";
    private static readonly Lazy<string> Folder = new(CreateFolder);
    private static int _counter;

    public static string Directory => Folder.Value;

    /// <summary>A fresh path in this run's folder; <paramref name="hint"/> makes the name readable in logs.</summary>
    public static string NewPath(string hint) =>
        System.IO.Path.Combine(Folder.Value, $"{Interlocked.Increment(ref _counter):D3}-{hint}.gguf");

    /// <summary>Writes raw bytes (e.g. a truncated or corrupted model) to a fresh path.</summary>
    public static string Write(byte[] bytes, string hint)
    {
        var path = NewPath(hint);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string CreateFolder()
    {
        var root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "codeassist-tests");
        System.IO.Directory.CreateDirectory(root);
        RemoveFoldersOfDeadRuns(root);
        var folder = System.IO.Path.Combine(root, FolderPrefix + Environment.ProcessId);
        System.IO.Directory.CreateDirectory(folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(folder);
        return folder;
    }

    private static void RemoveFoldersOfDeadRuns(string root)
    {
        foreach (var folder in System.IO.Directory.EnumerateDirectories(root, FolderPrefix + "*"))
        {
            if (int.TryParse(System.IO.Path.GetFileName(folder)[FolderPrefix.Length..], out var pid) && !IsAlive(pid))
            {
                TryDelete(folder);
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still mapped on Windows cannot be deleted; the next run retries.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
