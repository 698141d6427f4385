using System.Text;
using System.Text.Json;
using CodeAssist.Tests.Protocol;
using CodeAssist.Tests.Testing;
using Nerdbank.Streams;

namespace CodeAssist.Tests.EndToEnd;

/// <summary>
/// Descriptor 1 of the server process is not the protocol channel: what native code writes there (llama.cpp's backtrace
/// before an abort) goes to standard error, and the client reads only frames.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class ProtocolOutputTests
{
    [Fact]
    public async Task BytesWrittenToDescriptorOneReachStandardErrorNotTheProtocol()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // /proc/PID/fd is Linux's; the redirection itself is the same code on macOS
        }

        var logs = Directory.CreateTempSubdirectory("codeassist-logs-").FullName;
        using var process = ServerProcess.Start(logs, "serve");
        var stderr = process.StandardError.ReadToEndAsync();
        await using var peer = new RawLspPeer(FullDuplexStream.Splice(process.StandardOutput.BaseStream, process.StandardInput.BaseStream));
        await peer.SendAsync("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}""");
        await peer.ReadResponseAsync(1);

        // What a native library's printf or a backtrace does: write to the process's descriptor 1.
        await using (var descriptorOne = new FileStream($"/proc/{process.Id}/fd/1", FileMode.Append, FileAccess.Write))
        {
            await descriptorOne.WriteAsync(Encoding.ASCII.GetBytes("native noise: not a frame\n"));
        }

        await peer.SendAsync("""{"jsonrpc":"2.0","id":2,"method":"shutdown"}""");
        var shutdown = await peer.ReadResponseAsync(2);
        Assert.True(shutdown.TryGetProperty("result", out _), shutdown.GetRawText());
        await peer.SendAsync("""{"jsonrpc":"2.0","method":"exit"}""");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("native noise: not a frame", await stderr, StringComparison.Ordinal);
    }
}
