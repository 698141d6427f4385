using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text.Json;
using CodeAssist.Tests.Models;

namespace CodeAssist.Tests.Fuzz;

/// <summary>
/// File kinds, named <c>*.gguf</c> in the models folder the server lists: a FIFO, a folder, a link to /dev/zero and to
/// /dev/stdin, a loop of links, a dangling link, a Unix socket, an empty file, an unreadable file. Each is selected with
/// <c>codeAssist.selectModel</c> (answered with an error, at once: opening a FIFO would block) and set as the
/// <c>model</c> setting (the next completion answers a result); listing the folder answers at once.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class FileKindFuzzer
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(FuzzContext context, FamilyReport report)
    {
        var folder = context.ModelsFolder;
        var cases = new List<(string Name, string Path)>();
        string In(string name) => Path.Combine(folder, name);

        Run("mkfifo", In("fifo.gguf"));
        cases.Add(("FIFO", In("fifo.gguf")));
        Directory.CreateDirectory(In("folder.gguf"));
        cases.Add(("folder", In("folder.gguf")));
        File.CreateSymbolicLink(In("zero.gguf"), "/dev/zero");
        cases.Add(("link to /dev/zero", In("zero.gguf")));
        File.CreateSymbolicLink(In("stdin.gguf"), "/dev/stdin");
        cases.Add(("link to /dev/stdin", In("stdin.gguf")));
        File.CreateSymbolicLink(In("loop-a.gguf"), In("loop-b.gguf"));
        File.CreateSymbolicLink(In("loop-b.gguf"), In("loop-a.gguf"));
        cases.Add(("loop of links", In("loop-a.gguf")));
        File.CreateSymbolicLink(In("dangling.gguf"), In("nowhere.gguf"));
        cases.Add(("dangling link", In("dangling.gguf")));
        await File.WriteAllBytesAsync(In("empty.gguf"), []);
        cases.Add(("empty file", In("empty.gguf")));
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(In("socket.gguf")));
        cases.Add(("Unix socket", In("socket.gguf")));
        cases.Add(("/dev/zero itself", "/dev/zero"));

        // chmod 000 stops nobody who runs as root (CI does): then the case proves nothing and is skipped, saying so.
        File.Copy(RepositoryPaths.TinyModel, In("unreadable.gguf"));
        File.SetUnixFileMode(In("unreadable.gguf"), UnixFileMode.None);
        if (CanRead(In("unreadable.gguf")))
        {
            report.Notes.Add("the unreadable-file case is skipped: this user reads a file with mode 000 (root)");
            File.SetUnixFileMode(In("unreadable.gguf"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.Delete(In("unreadable.gguf"));
        }
        else
        {
            cases.Add(("unreadable file", In("unreadable.gguf")));
        }

        var server = await context.ServerAsync();
        report.Inputs++;
        await ExpectPromptAsync(report, "listing a folder of them", () => server.RequestAsync("workspace/executeCommand",
            """{"command":"codeAssist.listModels","arguments":[{"tier":"local"}]}""", Prompt), requireResult: true);

        foreach (var (name, path) in cases)
        {
            report.Inputs++;
            server = await context.ServerAsync();
            var id = JsonSerializer.Serialize(path);
            await ExpectPromptAsync(report, $"selecting the {name}", () => server.RequestAsync("workspace/executeCommand",
                JsonText.Fill("""{"command":"codeAssist.selectModel","arguments":[{"tier":"local","id":@0}]}""", id), Prompt), requireResult: false);
            await server.NotifyAsync("workspace/didChangeConfiguration", JsonText.Fill("""{"settings":{"codeAssist":{"model":@0}}}""", id));
            await ExpectPromptAsync(report, $"a completion with the {name} as the model setting", () => server.CompleteFreshAsync(Prompt), requireResult: true);
            await context.RecoverAsync(report, $"the {name} ({path})");
        }

        server = await context.ServerAsync();
        await server.NotifyAsync("workspace/didChangeConfiguration", JsonText.Fill("""{"settings":{"codeAssist":@0}}""", FuzzServer.Settings()));
        await context.CheckpointAsync(report, $"the file kinds (seed {context.Seed})");
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder))
        {
            if (Directory.Exists(entry) && !File.GetAttributes(entry).HasFlag(FileAttributes.ReparsePoint))
            {
                Directory.Delete(entry);
            }
            else
            {
                File.Delete(entry);
            }
        }
    }

    private static async Task ExpectPromptAsync(FamilyReport report, string what, Func<Task<JsonElement>> request, bool requireResult)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var answer = await request();
            if (requireResult && !answer.TryGetProperty("result", out _))
            {
                report.Failures.Add($"{what}: answered an error: {answer.GetRawText()}");
            }
            else if (!requireResult && !answer.TryGetProperty("error", out _))
            {
                report.Failures.Add($"{what}: answered a result, as if it were a model: {answer.GetRawText()}");
            }
            else if (!requireResult)
            {
                report.Notes.Add($"{what}: {answer.GetProperty("error").GetProperty("code").GetInt32()} in {clock.ElapsedMilliseconds} ms");
            }
        }
        catch (Exception ex) when (ex is TimeoutException or IOException)
        {
            report.Failures.Add($"{what}: {ex.Message}");
        }
    }

    private static bool CanRead(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void Run(string program, string argument)
    {
        using var process = Process.Start(program, [argument]);
        process.WaitForExit();
    }
}
