using System.Runtime.InteropServices;

namespace CodeAssist.Server.Lsp;

/// <summary>
/// Keeps the protocol channel to ourselves: the LSP stream gets a private duplicate of standard output, and descriptor 1
/// itself is pointed at standard error, so nothing else in the process — llama.cpp printing a backtrace before it aborts,
/// a native library's printf — can put bytes between our frames.
/// </summary>
public static partial class ProtocolOutput
{
    private const int StandardOutput = 1;
    private const int StandardError = 2;
    private const int StdOutputHandle = -11;
    private const int StdErrorHandle = -12;

    /// <summary>
    /// Takes <paramref name="protocol"/> — <c>Console.OpenStandardOutput()</c>, opened before this call — as the protocol's
    /// stream and, from then on, sends whatever else writes to descriptor 1 to standard error. Call once, before anything
    /// native is loaded.
    /// </summary>
    public static Stream Claim(Stream protocol)
    {
        // .NET's standard output stream writes to its own duplicate of descriptor 1 (Windows: the handle as it was when
        // opened), so redirecting descriptor 1 afterwards leaves that stream on the client's pipe.
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            if (Dup2(StandardError, StandardOutput) < 0)
            {
                Console.Error.WriteLine($"codeassist: could not point descriptor 1 at standard error (errno {Marshal.GetLastPInvokeError()}); a native library's output could corrupt the protocol");
            }
        }
        else if (OperatingSystem.IsWindows())
        {
            SetStdHandle(StdOutputHandle, GetStdHandle(StdErrorHandle));
        }

        return protocol;
    }

    [LibraryImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int oldFd, int newFd);

    [LibraryImport("kernel32.dll", EntryPoint = "GetStdHandle")]
    private static partial nint GetStdHandle(int handle);

    [LibraryImport("kernel32.dll", EntryPoint = "SetStdHandle")]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool SetStdHandle(int handle, nint value);
}
