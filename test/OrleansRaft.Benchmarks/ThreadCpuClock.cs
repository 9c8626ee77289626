using System.Diagnostics;
using System.Runtime.InteropServices;

namespace OrleansRaft.Benchmarks;

/// <summary>
/// CPU time consumed by the calling thread. On a machine shared with other work, wall time counts the time the
/// thread waited for a core; CPU time does not, so "entries per CPU-second" is the rate on one core.
/// Linux reads the thread's clock; elsewhere the process's CPU time stands in (it includes other threads).
/// </summary>
internal static class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    /// <summary>struct timespec on 64-bit Linux (64-bit time_t and long).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>False once the thread clock turned out to be unavailable (not Linux, or no libc to call).</summary>
    private static bool s_threadClock = OperatingSystem.IsLinux();

    /// <summary>Which clock <see cref="Now"/> reads; asking probes it once.</summary>
    public static string Source
    {
        get
        {
            Now();
            return s_threadClock ? "thread CPU time" : "process CPU time";
        }
    }

    public static TimeSpan Now()
    {
        if (s_threadClock)
        {
            try
            {
                if (ClockGetTime(ClockThreadCpuTimeId, out var time) == 0)
                {
                    return TimeSpan.FromTicks(time.Seconds * TimeSpan.TicksPerSecond + time.Nanoseconds / 100);
                }
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
            }

            s_threadClock = false;
        }

        return Process.GetCurrentProcess().TotalProcessorTime;
    }

    // DllImport rather than LibraryImport: the signature is blittable, and LibraryImport would need unsafe code.
    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);
}
