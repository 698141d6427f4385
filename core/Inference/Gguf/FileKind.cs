using System.Runtime.InteropServices;

namespace CodeAssist.Server.Inference.Gguf;

/// <summary>
/// What a path is before anything opens it: opening a FIFO blocks until a writer comes (a FIFO named <c>x.gguf</c> in
/// the model folder stalled listing and with it the whole dispatcher), and a device or <c>/dev/stdin</c> cannot be
/// memory-mapped. .NET does not tell these apart from regular files, so on Linux this asks the kernel (<c>statx</c>,
/// whose layout is the same on every architecture) and on macOS <c>stat</c>; elsewhere every existing file counts as
/// regular.
/// </summary>
public static partial class FileKind
{
    private const int FileTypeMask = 0xF000;
    private const int RegularFile = 0x8000;
    private const int AtFdCwd = -100;
    private const int StatxType = 0x1;

    /// <summary>
    /// Null when <paramref name="path"/> is a regular file (links followed) that may be opened; otherwise why not, in
    /// words for the user ("a FIFO", "a character device", …).
    /// </summary>
    public static string? WhyNotRegular(string path)
    {
        if (Directory.Exists(path))
        {
            return "a folder";
        }

        var mode = Mode(path, out var error);
        if (mode is null)
        {
            return error;
        }

        return (mode.Value & FileTypeMask) switch
        {
            RegularFile => null,
            0x1000 => "a FIFO (named pipe)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            _ => "not a regular file",
        };
    }

    private static int? Mode(string path, out string? error)
    {
        error = null;
        if (OperatingSystem.IsLinux())
        {
            Span<byte> buffer = stackalloc byte[256];
            if (Statx(AtFdCwd, path, 0, StatxType, ref MemoryMarshal.GetReference(buffer)) != 0)
            {
                error = Describe(Marshal.GetLastPInvokeError());
                return null;
            }

            // struct statx: stx_mode (u16) at byte 28.
            return BitConverter.ToUInt16(buffer[28..30]);
        }

        if (OperatingSystem.IsMacOS())
        {
            Span<byte> buffer = stackalloc byte[512];
            var result = RuntimeInformation.ProcessArchitecture == Architecture.X64
                ? StatMacX64(path, ref MemoryMarshal.GetReference(buffer))
                : StatMac(path, ref MemoryMarshal.GetReference(buffer));
            if (result != 0)
            {
                error = Describe(Marshal.GetLastPInvokeError());
                return null;
            }

            // struct stat (64-bit inodes): st_dev (i32), then st_mode (u16) at byte 4.
            return BitConverter.ToUInt16(buffer[4..6]);
        }

        if (!File.Exists(path))
        {
            error = "not found";
            return null;
        }

        return RegularFile;
    }

    private static string Describe(int errno) => errno switch
    {
        2 => "not found",
        13 => "not readable (permission denied)",
        20 => "not found (a path component is not a folder)",
        40 or 62 => "a loop of symbolic links",
        _ => $"not readable (error {errno})",
    };

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, ref byte buffer);

    [LibraryImport("libc", EntryPoint = "stat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatMac(string path, ref byte buffer);

    [LibraryImport("libc", EntryPoint = "stat$INODE64", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatMacX64(string path, ref byte buffer);
}
