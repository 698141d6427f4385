using System.Runtime.InteropServices;

namespace CodeAssist.Server.Inference;

/// <summary>CPU time of the calling thread (Linux), for benchmarks that must tell work from waiting on a busy machine.</summary>
public static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTime = 3;

    /// <summary>Whether <see cref="Now"/> reads a real clock here.</summary>
    public static bool IsAvailable { get; } = OperatingSystem.IsLinux() && Probe();

    /// <summary>The calling thread's CPU time so far; zero where the clock is not available.</summary>
    public static TimeSpan Now()
    {
        if (!IsAvailable || ClockGetTime(ClockThreadCpuTime, out var time) != 0)
        {
            return TimeSpan.Zero;
        }

        return TimeSpan.FromTicks((time.Seconds * TimeSpan.TicksPerSecond) + (time.Nanoseconds / 100));
    }

    private static bool Probe()
    {
        try
        {
            return ClockGetTime(ClockThreadCpuTime, out _) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
