using System.Diagnostics;
using OrleansRaft.Simulation;

namespace OrleansRaft.Benchmarks;

/// <summary>What the simulator benchmark runs: each round sweeps the same seeds, so rounds do the same work.</summary>
/// <remarks>Tiered PGO keeps speeding the simulator up for seconds, so warm-up sweeps run until <see cref="Warmup"/> has passed.</remarks>
internal sealed record SimulationSettings(long Start, int Seeds, int Nodes, FaultMode Faults, int Rounds, TimeSpan Warmup);

/// <summary>What one seed did: the simulated time steps it ran, and whether every property held.</summary>
internal readonly record struct SeedRun(long Steps, long Delivered, bool Passed, string? Failure);

/// <summary>
/// Simulator speed: simulated time steps per second and seeds per second, over a sweep of seeds repeated for
/// several rounds. <see cref="RunSeed"/> is the one place that knows how to run a seed: another workload (a
/// different simulator, other settings) plugs in there.
/// </summary>
internal static class SimulationBenchmark
{
    /// <summary>Runs one seed of the deterministic simulator (test/OrleansRaft.Simulation).</summary>
    public static SeedRun RunSeed(long seed, int nodes, FaultMode faults)
    {
        var result = new Simulation.Simulation(new SimulationConfig(seed, nodes, faults)).Run();
        return new SeedRun(result.Steps, result.Delivered, result.Passed, result.Passed ? null : $"{result.Property}: {result.Detail}");
    }

    public static int Run(SimulationSettings settings)
    {
        Console.WriteLine(
            $"sim: seeds {settings.Start}..{settings.Start + settings.Seeds - 1}, {settings.Nodes} nodes, faults {settings.Faults}; " +
            $"warm-up sweeps for {settings.Warmup.TotalSeconds:F1}s, then {settings.Rounds} rounds");

        var failures = new SortedDictionary<long, string>();
        var warmup = Stopwatch.StartNew();
        do
        {
            Sweep(settings, failures);
        }
        while (warmup.Elapsed < settings.Warmup);
        var stepsPerSecond = new List<double>();
        var seedsPerSecond = new List<double>();
        var messagesPerSecond = new List<double>();
        var stepsPerCpuSecond = new List<double>();
        var seedsPerCpuSecond = new List<double>();
        long stepsPerSweep = 0;
        for (var round = 0; round < settings.Rounds; round++)
        {
            var (steps, delivered, elapsed, cpu) = Sweep(settings, failures);
            stepsPerSweep = steps;
            stepsPerSecond.Add(steps / elapsed.TotalSeconds);
            seedsPerSecond.Add(settings.Seeds / elapsed.TotalSeconds);
            messagesPerSecond.Add(delivered / elapsed.TotalSeconds);
            stepsPerCpuSecond.Add(steps / cpu.TotalSeconds);
            seedsPerCpuSecond.Add(settings.Seeds / cpu.TotalSeconds);
        }

        Console.WriteLine();
        Console.WriteLine($"{"figure",-22} {"median",11} {"min",11} {"max",11} {"spread",7}");
        Print("time steps/s", Summary.Of(stepsPerSecond));
        Print("seeds/s", Summary.Of(seedsPerSecond));
        Print("messages delivered/s", Summary.Of(messagesPerSecond));
        Print("time steps/cpu-s", Summary.Of(stepsPerCpuSecond));
        Print("seeds/cpu-s", Summary.Of(seedsPerCpuSecond));
        Console.WriteLine($"(per cpu-s: per second of {ThreadCpuClock.Source}, the rate on one core even when the machine is shared)");
        Console.WriteLine($"({stepsPerSweep / settings.Seeds:N0} time steps per seed on average)");
        Console.WriteLine($"(time steps/cpu-s by round, in thousands: {string.Join(" ", stepsPerCpuSecond.Select(r => (r / 1000).ToString("F0")))})");

        foreach (var (seed, failure) in failures)
        {
            Console.WriteLine($"seed {seed} failed: {failure}");
        }

        Console.WriteLine($"sim seeds: {settings.Seeds - failures.Count} passed, {failures.Count} failed");
        return failures.Count == 0 ? 0 : 1;
    }

    private static (long Steps, long Delivered, TimeSpan Elapsed, TimeSpan Cpu) Sweep(SimulationSettings settings, SortedDictionary<long, string> failures)
    {
        long steps = 0, delivered = 0;
        var cpu = ThreadCpuClock.Now();
        var start = Stopwatch.GetTimestamp();
        for (var seed = settings.Start; seed < settings.Start + settings.Seeds; seed++)
        {
            var run = RunSeed(seed, settings.Nodes, settings.Faults);
            steps += run.Steps;
            delivered += run.Delivered;
            if (!run.Passed)
            {
                failures[seed] = run.Failure!;
            }
        }

        return (steps, delivered, Stopwatch.GetElapsedTime(start), ThreadCpuClock.Now() - cpu);
    }

    private static void Print(string name, Summary summary) =>
        Console.WriteLine($"{name,-22} {summary.Median,11:N0} {summary.Min,11:N0} {summary.Max,11:N0} {summary.SpreadPercent,6:F0}%");
}
