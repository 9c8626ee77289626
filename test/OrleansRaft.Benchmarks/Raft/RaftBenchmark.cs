using System.Diagnostics;
using Orleans.TestingHost;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.TestSupport;
using OrleansRaft.Testing;

namespace OrleansRaft.Benchmarks.Raft;

/// <summary>
/// A 3-member group on a 3-silo in-process cluster whose log is in PostgreSQL (ADO.NET grain storage): proposals
/// committed per second and their latency for several numbers of concurrent proposers, then the time from killing
/// the leader's silo to the first commit after it, under load. Default Raft timings.
/// </summary>
internal static class RaftBenchmark
{
    private const string Storage = "raft";

    private static readonly byte[] Payload = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();

    public static int Run(string[] args)
    {
        var proposers = new[] { 1, 16, 64 };
        var round = TimeSpan.FromSeconds(5);
        var kills = 3;
        TimeSpan? window = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--proposers": proposers = Next().Split(',').Select(int.Parse).ToArray(); break;
                case "--round-seconds": round = TimeSpan.FromSeconds(double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture)); break;
                case "--kills": kills = int.Parse(Next()); break;
                case "--window": window = TimeSpan.FromMilliseconds(double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture)); break;
                default:
                    Console.Error.WriteLine($"unknown argument '{args[i]}'");
                    return 2;
            }
        }

        return RunAsync(proposers, round, kills, window).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(int[] proposerCounts, TimeSpan round, int kills, TimeSpan? window)
    {
        var connectionString = TestPostgres.ConnectionString;
        var defaults = new OrleansRaftOptions();
        Console.WriteLine($"raft: 3 silos in process, group of 3, log in PostgreSQL; {Payload.Length}-byte commands; " +
                          $"tick {defaults.TickInterval.TotalMilliseconds} ms, election {defaults.ElectionTicks} ticks, heartbeat {defaults.HeartbeatTicks} tick, " +
                          $"group-commit window {(window ?? defaults.GroupCommitWindow).TotalMilliseconds} ms");
        await using (var cluster = await StartCluster(connectionString, window))
        {
            var (client, group, members, leader) = await CreateGroup(cluster);
            Console.WriteLine($"{"proposers",10} {"commits/s",10} {"p50 ms",8} {"p99 ms",8}");
            foreach (var count in proposerCounts)
            {
                await Load(client, group, members, leader, count, TimeSpan.FromSeconds(1), null);
                var latencies = new List<double>();
                var clock = Stopwatch.StartNew();
                await Load(client, group, members, leader, count, round, latencies);
                var rate = latencies.Count / clock.Elapsed.TotalSeconds;
                Console.WriteLine($"{count,10} {rate,10:F0} {Percentile(latencies, 0.50),8:F2} {Percentile(latencies, 0.99),8:F2}");
            }
        }

        if (kills <= 0)
        {
            return 0;
        }

        Console.WriteLine();
        Console.WriteLine("fail-over under 16 proposers, each on a fresh cluster: kill the leader's silo, time to the first commit by a new leader");
        var failovers = new List<double>();
        for (var k = 0; k < kills; k++)
        {
            await using var cluster = await StartCluster(connectionString, window);
            var (client, group, members, leader) = await CreateGroup(cluster);
            var status = await client.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format(group, leader)).GetStatusAsync();
            using var stop = new CancellationTokenSource();
            var committed = 0;
            var load = Task.WhenAll(Enumerable.Range(0, 16).Select(proposer => Task.Run(async () =>
            {
                var target = leader;
                while (!stop.IsCancellationRequested)
                {
                    (target, var result) = await ProposeOnce(client, group, members, target);
                    if (result is { IsOk: true })
                    {
                        Interlocked.Increment(ref committed);
                    }
                }
            })));

            // Kill under a load that flows: wait until the proposers have committed a few hundred commands.
            var warming = Stopwatch.StartNew();
            while (Volatile.Read(ref committed) < 300)
            {
                if (warming.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new TimeoutException("The proposers committed fewer than 300 commands in 30 s.");
                }

                await Task.Yield();
                await Task.Delay(TimeSpan.FromMilliseconds(10));
            }

            // Resolve every member's activation once, so that the probe below does not wait on a grain directory
            // partition that lived on the killed silo: that wait is Orleans' failure detection, not Raft's failover.
            await Task.WhenAll(members.Select(m => client.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format(group, m)).GetStatusAsync()));
            var silo = cluster.Silos.Single(s => s.SiloAddress.ToString() == status.Silo);
            var sinceKill = Stopwatch.StartNew();
            await cluster.KillSiloAsync(silo);

            // A probe that proposes to the survivors only, so that no client timeout on the dead leader is counted.
            var survivors = members.Where(m => m != leader).ToArray();
            TimeSpan elapsed;
            for (var probe = 0; ; probe++)
            {
                var (_, result) = await ProposeOnce(client, group, survivors, survivors[probe % survivors.Length]);
                if (result is { IsOk: true })
                {
                    elapsed = sinceKill.Elapsed;
                    break;
                }

                if (sinceKill.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new TimeoutException("No commit within 30 s of the kill.");
                }
            }

            stop.Cancel();
            await load;
            failovers.Add(elapsed.TotalMilliseconds);
            Console.WriteLine($"  kill {k + 1}: first commit {elapsed.TotalMilliseconds:F0} ms after the kill");
        }

        Console.WriteLine($"fail-over: median {Summary.Of(failovers).Median:F0} ms, max {failovers.Max():F0} ms over {failovers.Count} kills");
        return 0;
    }

    private static async Task<InProcessTestCluster> StartCluster(string connectionString, TimeSpan? window)
    {
        var builder = new InProcessTestClusterBuilder(3);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            BenchStorage.AddRaft(silo, Storage, connectionString, o =>
            {
                if (window is { } w)
                {
                    o.GroupCommitWindow = w;
                }
            });
            silo.AddRaftStateMachine<CounterStateMachine>(CounterStateMachine.TypeName);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        await cluster.WaitForMembershipAsync(TimeSpan.FromSeconds(30));
        return cluster;
    }

    private static async Task<(IClusterClient Client, string Group, ulong[] Members, ulong Leader)> CreateGroup(InProcessTestCluster cluster)
    {
        var client = cluster.Client;
        var group = $"bench-{Guid.NewGuid():N}";
        ulong[] members = [1, 2, 3];
        await client.GetGrain<IRaftGroupGrain>(group).CreateAsync(new RaftGroupSpec(members, CounterStateMachine.TypeName), BenchAdminToken.Value);
        return (client, group, members, await WaitForLeader(client, group, members, 0));
    }

    private static async Task Load(IClusterClient client, string group, ulong[] members, ulong leader, int proposers, TimeSpan duration, List<double>? latencies)
    {
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, proposers).Select(_ => Task.Run(async () =>
        {
            var target = leader;
            var mine = new List<double>();
            while (clock.Elapsed < duration)
            {
                var start = Stopwatch.GetTimestamp();
                (target, var result) = await ProposeOnce(client, group, members, target);
                if (result is { IsOk: true })
                {
                    mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }

            if (latencies is not null)
            {
                lock (latencies)
                {
                    latencies.AddRange(mine);
                }
            }
        })));
    }

    /// <summary>One proposal; returns whom to ask next (the leader hint, or the next member after a failure).</summary>
    private static async Task<(ulong Next, RaftProposeResult? Result)> ProposeOnce(IClusterClient client, string group, ulong[] members, ulong target)
    {
        try
        {
            var result = await client.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format(group, target)).ProposeAsync(Payload).WaitAsync(TimeSpan.FromSeconds(2));
            if (result.IsOk)
            {
                return (target, result);
            }

            if (result.Status == RaftRequestStatus.NotLeader && result.LeaderHint != 0)
            {
                return (result.LeaderHint, null);
            }
        }
        catch (Exception e) when (e is TimeoutException or OrleansException or InvalidOperationException or SiloUnavailableException)
        {
        }

        await Task.Delay(5);
        return (members[(int)(target % (ulong)members.Length)], null);
    }

    private static async Task<ulong> WaitForLeader(IClusterClient client, string group, ulong[] members, ulong notThis)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            foreach (var member in members.Where(m => m != notThis))
            {
                try
                {
                    var status = await client.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format(group, member)).GetStatusAsync().WaitAsync(TimeSpan.FromSeconds(1));
                    if (status.Role == RaftMemberRole.Leader)
                    {
                        return member;
                    }
                }
                catch (Exception e) when (e is TimeoutException or OrleansException or SiloUnavailableException)
                {
                }
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"No leader of {group} within 30 s.");
    }

    private static double Percentile(List<double> values, double fraction)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(fraction * sorted.Length))];
    }
}
