using System.Diagnostics;

namespace OrleansRaft.Benchmarks;

/// <summary>What the core benchmark runs: the batch sizes of the table, and how long each round lasts.</summary>
internal sealed record CoreSettings(int[] Batches, int Rounds, TimeSpan Warmup, TimeSpan Round, bool Profile, bool Verbose);

/// <summary>
/// Core throughput: three members on one thread with no I/O, 128-byte proposals, <c>batch</c> proposals before
/// each round of Readies. A round proposes, pumps the group until every member has applied everything, and
/// repeats until its time is up; it counts the entries the leader committed.
/// </summary>
internal static class CoreBenchmark
{
    public const int PayloadSize = 128;

    /// <summary>The target of the core, in committed entries per second on one core.</summary>
    public const double Target = 500_000;

    private const int Members = 3;

    private readonly record struct RoundResult(long Entries, TimeSpan Elapsed, TimeSpan Cpu, long Allocated, int Gen0, int Gen1, int Gen2)
    {
        public double EntriesPerSecond => Entries / Elapsed.TotalSeconds;

        public double EntriesPerCpuSecond => Entries / Cpu.TotalSeconds;

        public double BytesPerEntry => (double)Allocated / Entries;
    }

    public static int Run(CoreSettings settings)
    {
        Console.WriteLine(
            $"core: {Members} members on one thread, no I/O, {PayloadSize}-byte proposals; " +
            $"warm-up {settings.Warmup.TotalSeconds:F1}s, then {settings.Rounds} rounds of {settings.Round.TotalSeconds:F1}s per batch size");
        Console.WriteLine(
            $"runtime {Environment.Version}, {Environment.ProcessorCount} logical cores, server GC {System.Runtime.GCSettings.IsServerGC}");
        Console.WriteLine(
            $"entries/s is by wall clock; entries/cpu-s counts {ThreadCpuClock.Source}, the rate on one core even when the machine is shared; " +
            "min, max, spread and the target ratio are of that figure");

        var identityPassed = CheckPayloadIdentity();

        Console.WriteLine();
        Console.WriteLine(
            $"{"batch",6} {"entries/s",11} {"entries/cpu-s",13} {"min",11} {"max",11} {"spread",7} {"vs target",9} " +
            $"{"cpu ns/entry",12} {"B/entry",8} {"GCs per 1M entries (gen0/1/2)",0}");
        var profiles = new List<(int Batch, PhaseProfile Profile, long Entries)>();
        var byRound = new List<string>();
        foreach (var batch in settings.Batches)
        {
            var cluster = new InMemoryCluster(Members);
            var slab = NewSlab();
            var slot = 0;
            RunRound(cluster, slab, ref slot, batch, settings.Warmup, profile: null);

            var rounds = new List<RoundResult>();
            for (var round = 0; round < settings.Rounds; round++)
            {
                rounds.Add(RunRound(cluster, slab, ref slot, batch, settings.Round, profile: null));
            }

            var wall = Summary.Of(rounds.Select(r => r.EntriesPerSecond).ToArray());
            var rate = Summary.Of(rounds.Select(r => r.EntriesPerCpuSecond).ToArray());
            var bytes = Summary.Of(rounds.Select(r => r.BytesPerEntry).ToArray());
            var millions = rounds.Sum(r => r.Entries) / 1e6;
            Console.WriteLine(
                $"{batch,6} {wall.Median,11:N0} {rate.Median,13:N0} {rate.Min,11:N0} {rate.Max,11:N0} {rate.SpreadPercent,6:F0}% {rate.Median / Target,8:F2}x " +
                $"{1e9 / rate.Median,12:F0} {bytes.Median,8:F1}   " +
                $"{rounds.Sum(r => r.Gen0) / millions:F1}/{rounds.Sum(r => r.Gen1) / millions:F2}/{rounds.Sum(r => r.Gen2) / millions:F2}");

            byRound.Add($"  batch {batch}: {string.Join(" ", rounds.Select(r => (r.EntriesPerCpuSecond / 1000).ToString("F0")))}");
            if (settings.Profile)
            {
                var profile = new PhaseProfile();
                var profiled = RunRound(cluster, slab, ref slot, batch, settings.Round, profile);
                profiles.Add((batch, profile, profiled.Entries));
            }
        }

        if (settings.Verbose)
        {
            Console.WriteLine();
            Console.WriteLine("entries/cpu-s by round, in thousands:");
            byRound.ForEach(Console.WriteLine);
        }

        foreach (var (batch, profile, entries) in profiles)
        {
            Console.WriteLine();
            Console.WriteLine($"profile, batch {batch} ({entries:N0} entries; timing every phase slows the run):");
            profile.Print(entries);
        }

        return identityPassed ? 0 : 1;
    }

    /// <summary>
    /// A run of 1,024 proposals in batches of 256, each in its own array, watched at every member as it is
    /// persisted and applied.
    /// </summary>
    private static bool CheckPayloadIdentity()
    {
        const int batch = 256;
        const int batches = 4;
        var cluster = new InMemoryCluster(Members);
        var check = new PayloadIdentityCheck();
        foreach (var member in cluster.Members)
        {
            member.Observer = check;
        }

        for (var b = 0; b < batches; b++)
        {
            for (var i = 0; i < batch; i++)
            {
                var payload = new byte[PayloadSize];
                payload.AsSpan().Fill((byte)i);
                var result = cluster.Leader.Node.Propose(payload);
                if (!result.IsAccepted)
                {
                    throw new InvalidOperationException($"The leader refused a proposal: {result.Status}.");
                }

                check.OnProposed(result.Index, payload);
            }

            cluster.Pump(profile: null);
        }

        cluster.AssertConverged();
        var passed = check.Passed(Members);
        Console.WriteLine();
        Console.WriteLine($"payload identity ({check.Proposed} proposals, each in its own array; same array, offset and length = shared):");
        check.Print(cluster.Leader.Id);
        Console.WriteLine(passed
            ? "  result: PASS: every member persisted and applied the proposer's memory; no payload was copied"
            : "  result: FAIL: some member persisted or applied a copy of a payload");
        return passed;
    }

    /// <summary>Payloads are slices of one array, so that proposing allocates nothing and the figures show the core's own allocations.</summary>
    private static byte[] NewSlab()
    {
        var slab = new byte[1024 * PayloadSize];
        new Random(1).NextBytes(slab);
        return slab;
    }

    private static RoundResult RunRound(InMemoryCluster cluster, byte[] slab, ref int slot, int batch, TimeSpan duration, PhaseProfile? profile)
    {
        var leader = cluster.Leader.Node;
        var slots = slab.Length / PayloadSize;
        var firstCommit = leader.CommitIndex;
        var gen0 = GC.CollectionCount(0);
        var gen1 = GC.CollectionCount(1);
        var gen2 = GC.CollectionCount(2);
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var cpu = ThreadCpuClock.Now();
        var start = Stopwatch.GetTimestamp();
        var deadline = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        do
        {
            var mark = profile?.Begin() ?? default;
            for (var i = 0; i < batch; i++)
            {
                var result = leader.Propose(slab.AsMemory(slot * PayloadSize, PayloadSize));
                if (!result.IsAccepted)
                {
                    throw new InvalidOperationException($"The leader refused a proposal: {result.Status}.");
                }

                slot = slot + 1 == slots ? 0 : slot + 1;
            }

            profile?.End(Phase.Propose, mark);
            cluster.Pump(profile);
            mark = profile?.Begin() ?? default;
            cluster.Compact();
            profile?.End(Phase.Host, mark);
        }
        while (Stopwatch.GetTimestamp() < deadline);

        var elapsed = Stopwatch.GetElapsedTime(start);
        var outcome = new RoundResult(
            (long)(leader.CommitIndex - firstCommit),
            elapsed,
            ThreadCpuClock.Now() - cpu,
            GC.GetAllocatedBytesForCurrentThread() - allocated,
            GC.CollectionCount(0) - gen0,
            GC.CollectionCount(1) - gen1,
            GC.CollectionCount(2) - gen2);
        cluster.AssertConverged();
        return outcome;
    }
}
