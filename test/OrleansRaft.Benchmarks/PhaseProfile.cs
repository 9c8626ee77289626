using System.Diagnostics;

namespace OrleansRaft.Benchmarks;

/// <summary>Where the time of a core benchmark goes. <see cref="Host"/> is the benchmark's own host loop, not the core.</summary>
internal enum Phase
{
    Propose,
    HasReady,
    LeaderGetReady,
    FollowerGetReady,
    Host,
    Advance,
    LeaderStep,
    FollowerStep,
}

/// <summary>
/// Time and bytes allocated per <see cref="Phase"/>, on the current thread. Reading the clock and the allocation
/// counter costs tens of nanoseconds, so a profiled run is slower than a measured one: compare phases with each
/// other, not with the throughput figures.
/// </summary>
internal sealed class PhaseProfile
{
    private static readonly Phase[] Phases = Enum.GetValues<Phase>();
    private readonly long[] _ticks = new long[Phases.Length];
    private readonly long[] _bytes = new long[Phases.Length];
    private readonly long[] _calls = new long[Phases.Length];

    public readonly record struct Mark(long Timestamp, long Allocated);

    public Mark Begin() => new(Stopwatch.GetTimestamp(), GC.GetAllocatedBytesForCurrentThread());

    public void End(Phase phase, Mark start)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var now = Stopwatch.GetTimestamp();
        _ticks[(int)phase] += now - start.Timestamp;
        _bytes[(int)phase] += allocated - start.Allocated;
        _calls[(int)phase]++;
    }

    /// <summary>Ends <paramref name="phase"/> and begins the next one at the same instant.</summary>
    public Mark Switch(Phase phase, Mark start)
    {
        End(phase, start);
        return Begin();
    }

    public void Print(long entries)
    {
        var totalTicks = _ticks.Sum();
        Console.WriteLine($"  {"phase",-18} {"share",6} {"ns/entry",9} {"B/entry",8} {"calls/entry",11}");
        foreach (var phase in Phases)
        {
            var i = (int)phase;
            Console.WriteLine(
                $"  {phase,-18} {100.0 * _ticks[i] / Math.Max(totalTicks, 1),5:F1}% " +
                $"{_ticks[i] * 1e9 / Stopwatch.Frequency / entries,9:F1} {(double)_bytes[i] / entries,8:F1} {(double)_calls[i] / entries,11:F3}");
        }
    }
}
