using System.Diagnostics;
using OrleansRaft.Client;

namespace OrleansRaft.Benchmarks;

/// <summary>What a set of closed loops did: ops/s, p50 and p99 latency (ms), the process's CPU (% of all cores) and failed calls.</summary>
internal readonly record struct LoopResult(double Ops, double P50, double P99, double Cpu, int Errors);

/// <summary>Closed loops of calls, each caller issuing its next call when the last one answered.</summary>
internal static class ClosedLoops
{
    /// <summary>
    /// Runs <paramref name="callers"/> loops of <paramref name="call"/> for <paramref name="duration"/>. Each caller has
    /// its own seeded <see cref="Random"/> to draw keys and targets with; a call that times out or is refused counts as
    /// an error and not as a latency.
    /// </summary>
    public static async Task<LoopResult> RunAsync(int callers, TimeSpan duration, Func<Random, Task> call)
    {
        var latencies = new List<double>();
        var errors = 0;
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            var random = new Random(caller);
            var mine = new List<double>(4096);
            while (clock.Elapsed < duration)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await call(random);
                }
                catch (Exception e) when (e is TimeoutException or KvRequestException or OrleansException)
                {
                    Interlocked.Increment(ref errors);
                    continue;
                }

                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            lock (latencies)
            {
                latencies.AddRange(mine);
            }
        })));
        var elapsed = clock.Elapsed;
        process.Refresh();
        var cpu = 100 * (process.TotalProcessorTime - cpuBefore).TotalSeconds / elapsed.TotalSeconds / Environment.ProcessorCount;
        latencies.Sort();
        return new LoopResult(
            latencies.Count / elapsed.TotalSeconds, KeyValue.KvBenchmark.Percentile(latencies, 0.50), KeyValue.KvBenchmark.Percentile(latencies, 0.99), cpu, errors);
    }
}
