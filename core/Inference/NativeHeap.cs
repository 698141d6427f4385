using System.Runtime.InteropServices;

namespace CodeAssist.Server.Inference;

/// <summary>Keeps the resident set flat when models are loaded and unloaded (glibc; elsewhere nothing happens).</summary>
/// <remarks>
/// glibc serves large allocations from fresh mappings until the first such block is freed; after that it raises its
/// mapping threshold to that block's size and serves them from the heap. A model's KV cache and compute buffers
/// (megabytes each) then leave holes that the next model's do not exactly fill, and the resident set grew with every
/// model swap (measured: about 5 MB per swap of the tiny model at a 1,536-token context, 20 swaps +115 MB). A fixed
/// threshold keeps every buffer of a megabyte or more in its own mapping, which goes back to the OS when freed.
/// </remarks>
internal static partial class NativeHeap
{
    private const int MmapThresholdParameter = -3;
    private const int LargeBuffer = 1 << 20;
    private static int _configured;

    /// <summary>Makes large native buffers their own mappings (once per process, before the first model loads).</summary>
    public static void MapLargeBuffers()
    {
        if (!OperatingSystem.IsLinux() || Interlocked.Exchange(ref _configured, 1) == 1)
        {
            return;
        }

        try
        {
            _ = MallOpt(MmapThresholdParameter, LargeBuffer);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // musl and other C libraries have no mallopt; they do not keep large blocks on the heap this way.
        }
    }

    /// <summary>Returns free heap pages to the OS after a model is unloaded.</summary>
    public static void Trim()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // No malloc_trim in this C library: nothing to hand back this way.
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
