using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.TestingHost;
using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.Hosting.Members;
using OrleansRaft.Hosting.Quiescence;
using OrleansRaft.Hosting.Transport;
using OrleansRaft.KeyValue;
using OrleansRaft.KeyValue.Hosting;
using OrleansRaft.TestSupport;
using OrleansRaft.Testing;

namespace OrleansRaft.Benchmarks.Idle;

/// <summary>
/// What idle groups cost: 3 silos in process on PostgreSQL, N key-value groups of 3 created at run time, each with
/// one write (so that every group has a client session, as after real use); then, once every group has a leader (and,
/// with quiescence, is quiet), and once the leader balancer has nothing left to move, CPU of the silos' process and of
/// PostgreSQL, Raft entries appended, leaders changed, rows written and managed memory per member over an idle window.
/// </summary>
internal static class IdleGroupsBenchmark
{
    private const string Storage = "raft";

    /// <summary>
    /// Longer than PostgreSQL's delay in reporting an idle backend's counters (10 s), so that what happened before the
    /// idle window is not counted in it; also the length of the baseline measurement.
    /// </summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(12);

    public static int Run(string[] args)
    {
        var groups = new[] { 31, 300 };
        var seconds = 60.0;
        var quiesce = true;
        var kill = false;
        var restart = false;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--groups": groups = Next().Split(',').Select(int.Parse).ToArray(); break;
                    case "--seconds": seconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--no-quiescence": quiesce = false; break;
                    case "--kill": kill = true; break;
                    case "--restart": restart = true; break;
                    default: throw new ArgumentException($"unknown argument '{args[i]}'");
                }
            }

            if (groups.Length == 0 || groups.Any(g => g <= 0) || seconds <= 0)
            {
                throw new ArgumentException("--groups takes positive counts and --seconds a positive duration");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine($"{e.Message}; try --help");
            return 2;
        }

        return RunAsync(groups, TimeSpan.FromSeconds(seconds), quiesce, kill, restart).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Shared by the silos of the cluster: it stands for the crash of a silo in <see cref="KillBusiestSiloAsync"/>. It
    /// has no rule until then.
    /// </summary>
    private static readonly RaftFaultInjector Faults = new();

    private static async Task<InProcessTestCluster> StartClusterAsync(string connectionString, string serviceId, bool quiesce)
    {
        var builder = new InProcessTestClusterBuilder(3);
        builder.Options.ConfigureFileLogging = false;
        builder.Options.ServiceId = serviceId;
        builder.ConfigureSilo((_, silo) =>
        {
            BenchStorage.AddRaft(silo, Storage, connectionString, o =>
            {
                o.QuiesceAfter = quiesce ? TimeSpan.FromSeconds(1) : null;
            });
            silo.AddRaftKeyValueStore();
            silo.AddRaftMessageFilter(Faults);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        await cluster.WaitForMembershipAsync(TimeSpan.FromSeconds(30));
        return cluster;
    }

    private static async Task<int> RunAsync(int[] counts, TimeSpan window, bool quiesce, bool kill, bool restart)
    {
        var connectionString = TestPostgres.ConnectionString;
        Console.WriteLine($"idle: 3 silos in process, logs in {BenchStorage.Describe}, quiescence {(quiesce ? "on" : "off")}, idle window {window.TotalSeconds:0} s; " +
                          $"{Environment.ProcessorCount} cores");
        Console.WriteLine($"{"groups",7} {"create s",9} {"leaders s",10} {"quiet s",8} {"balanced s",11} {"base cpu %",11} {"silo cpu %",11} {"pg cpu %",9} {"entries",8} {"changes",8} {"rows",7} {"commits",8} {"KiB/member",11}");
        foreach (var count in counts)
        {
            var serviceId = $"idle-{Guid.NewGuid():N}";
            var cluster = await StartClusterAsync(connectionString, serviceId, quiesce);
            var ids = Enumerable.Range(0, count).Select(i => $"idle-{i:D5}").ToArray();
            try
            {
                await MeasureAsync(cluster, ids, connectionString, window, quiesce, kill);
            }
            finally
            {
                await cluster.DisposeAsync();
            }

            if (restart)
            {
                await RestartAsync(connectionString, serviceId, ids, quiesce);
            }
        }

        return 0;
    }

    /// <summary>
    /// Starts the whole cluster again on the same rows and times how long until every group answers a linearizable
    /// read: its members loaded their logs from PostgreSQL and elected a leader. The groups are asked 512 at a time.
    /// </summary>
    private static async Task RestartAsync(string connectionString, string serviceId, string[] ids, bool quiesce)
    {
        var clock = Stopwatch.StartNew();
        await using var cluster = await StartClusterAsync(connectionString, serviceId, quiesce);
        var started = clock.Elapsed;

        // Many groups at once, as the clients of a real cluster would come back: a group starts when it is first
        // asked, and its members wait out an election timeout before the first campaign.
        await ForEachAsync(ids, async id =>
        {
            await using var client = new KvClient(cluster.Client, id, [1, 2, 3]);
            await client.GetAsync("/idle");
        }, parallelism: RestartParallelism);
        Console.WriteLine($"        restarted the whole cluster: silos up in {started.TotalSeconds:F1} s, every one of the {ids.Length} groups " +
                          $"led and answering a linearizable read {clock.Elapsed.TotalSeconds:F1} s after the start");
    }

    private static async Task MeasureAsync(InProcessTestCluster cluster, string[] ids, string connectionString, TimeSpan window, bool quiesce, bool kill)
    {
        var count = ids.Length;
        {

            // The cost of the silos with no group at all, which the groups' cost is judged against, after their start.
            await Task.Delay(TimeSpan.FromSeconds(5));
            var baselineCpu = Process.GetCurrentProcess().TotalProcessorTime;
            var baselineClock = Stopwatch.StartNew();
            await Task.Delay(Settle);
            var baseline = (Process.GetCurrentProcess().TotalProcessorTime - baselineCpu) / baselineClock.Elapsed;
            var before = ManagedBytes();

            var clock = Stopwatch.StartNew();
            ulong[] members = [1, 2, 3];
            await ForEachAsync(ids, id => cluster.Client.GetGrain<IRaftGroupGrain>(id).CreateAsync(new RaftGroupSpec(members, KeyValueStore.StateMachineType), BenchAdminToken.Value));
            var created = clock.Elapsed;
            await ForEachAsync(ids, async id =>
            {
                await using var client = new KvClient(cluster.Client, id, members);
                await client.PutAsync("/idle", "x");
            });
            var led = clock.Elapsed;
            await WaitAsync(cluster, ids, s => s.All(m => !quiesce || m.Quiescent) && s.Count(m => m.Role == RaftMemberRole.Leader) == 1);
            var quiet = clock.Elapsed;

            // The balancer moves at most a few leaders per silo per round, so after many creations it keeps handing
            // leaders over (each an election and an entry) for a while: the idle window starts once it is done.
            await WaitAsync(cluster, ids, s => s.All(m => !quiesce || m.Quiescent) && s.Count(m => m.Role == RaftMemberRole.Leader) == 1,
                all => LeadersPerSilo(all).Max() <= (ids.Length + cluster.Silos.Count - 1) / cluster.Silos.Count);
            var balanced = clock.Elapsed;

            // PostgreSQL reports a backend's counters up to ten seconds late: let what came before the window settle, the
            // statuses included (a quiet member's status reads its manifest).
            var statusBefore = await StatusesAsync(cluster, ids);
            await Task.Delay(Settle);
            var after = ManagedBytes();
            var pg = await PostgresCounters.ReadAsync(connectionString);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var idle = Stopwatch.StartNew();
            await Task.Delay(window);
            var siloCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu) / idle.Elapsed;
            var pgAfter = await PostgresCounters.ReadAsync(connectionString);
            var pgCpu = (pgAfter.CpuSeconds - pg.CpuSeconds) / idle.Elapsed.TotalSeconds;
            var statusAfter = await StatusesAsync(cluster, ids);
            var entries = statusAfter.Sum(s => (long)s.LastIndex) - statusBefore.Sum(s => (long)s.LastIndex);
            var leadersBefore = statusBefore.Where(s => s.Role == RaftMemberRole.Leader).Select(s => (s.GroupId, s.MemberId, s.Term)).ToHashSet();
            var changes = statusAfter.Count(s => s.Role == RaftMemberRole.Leader && !leadersBefore.Contains((s.GroupId, s.MemberId, s.Term)));
            var perMember = (after - before) / 1024.0 / (count * 3);
            Console.WriteLine($"{count,7} {created.TotalSeconds,9:F1} {led.TotalSeconds,10:F1} {quiet.TotalSeconds,8:F1} {balanced.TotalSeconds,11:F1} {baseline * 100,11:F2} {siloCpu * 100,11:F2} {pgCpu * 100,9:F2} " +
                              $"{entries,8} {changes,8} {pgAfter.Rows - pg.Rows,7} {pgAfter.Commits - pg.Commits,8} {perMember,11:F1}");
            if (kill)
            {
                await KillBusiestSiloAsync(cluster, statusAfter, ids);
            }
        }
    }

    /// <summary>
    /// Kills the silo that leads the most groups, as a crash would, while <see cref="LoadedGroups"/> groups drawn at
    /// random take puts, and reports how long each group that silo led took until a member on a surviving silo led it,
    /// and what the puts saw.
    /// </summary>
    private static async Task KillBusiestSiloAsync(InProcessTestCluster cluster, List<RaftMemberStatus> statuses, string[] ids)
    {
        var leaders = statuses.Where(s => s.Role == RaftMemberRole.Leader).ToList();
        var busiest = leaders.GroupBy(s => s.Silo).MaxBy(g => g.Count())!;
        var victim = cluster.Silos.Single(s => s.SiloAddress.ToString() == busiest.Key);

        var loaded = ids.OrderBy(_ => Random.Shared.Next()).Take(LoadedGroups)
            .Select(id => new KvClient(cluster.Client, id, [1, 2, 3])).ToArray();
        var value = new byte[256];
        var load = ClosedLoops.RunAsync(LoadCallers, LoadDuration, random =>
            loaded[random.Next(loaded.Length)].PutAsync(new PutRequest(KvBytes.From($"/kill/{random.Next(1000):D4}"), value)));
        await Task.Delay(TimeSpan.FromSeconds(2));

        // The crash: an in-process silo that stops deactivates every grain it runs first, while still connected, which
        // takes seconds with thousands of members; a process killed with -9 just goes. So at the crash the silo's members
        // are cut off from their peers, and its liveness probes are refused as a dead process's port refuses
        // connections; the silo itself is stopped once every group is led again.
        var survivingSilos = cluster.Silos.Where(s => s != victim).Select(s => s.SiloHost.Services.GetRequiredService<RaftLocalMembers>()).ToArray();

        // Groups whose leadership moved off the silo since their statuses were read would count as recovered at once.
        var measured = busiest.Where(old => !LedOnAny(old.GroupId, survivingSilos)).ToArray();
        var clock = Stopwatch.StartNew();
        double[] recovered;
        TimeSpan killTook;
        try
        {
            foreach (var member in statuses.Where(s => s.Silo == busiest.Key))
            {
                Faults.Partition(member.GroupId, [member.MemberId], [1, 2, 3]);
            }

            Faults.RefuseProbesOf(victim.SiloAddress);
            recovered = await WaitForLeadersAsync(measured, survivingSilos, clock);
            var stopping = Stopwatch.StartNew();
            await cluster.KillSiloAsync(victim);
            killTook = stopping.Elapsed;
        }
        finally
        {
            Faults.Heal();
        }
        var times = recovered.Where(t => !double.IsNaN(t)).Order().ToArray();
        foreach (var old in measured.Where((_, i) => double.IsNaN(recovered[i])).Take(5))
        {
            await DescribeSurvivorsAsync(cluster, old, victim.SiloAddress);
        }

        double At(double q) => times.Length == 0 ? double.NaN : times[Math.Min(times.Length - 1, (int)(q * times.Length))];
        Console.WriteLine($"        killed the silo leading {busiest.Count()} of {leaders.Count} groups (then stopped in {killTook.TotalSeconds:F1} s): {times.Length} of {measured.Length} recovered, " +
                          $"time to a new leader min {At(0):F0} ms, p10 {At(0.1):F0} ms, p50 {At(0.5):F0} ms, p99 {At(0.99):F0} ms, max {At(1):F0} ms");
        var puts = await load;
        foreach (var client in loaded)
        {
            await client.DisposeAsync();
        }

        Console.WriteLine($"        puts to {loaded.Length} random groups by {LoadCallers} callers over {LoadDuration.TotalSeconds:F0} s around the kill: " +
                          $"{puts.Ops:F0} ops/s, p50 {puts.P50:F1} ms, p99 {puts.P99:F1} ms, {puts.Errors} failed");
    }

    /// <summary>
    /// Waits, at most two minutes, until a member of each group in <paramref name="old"/> leads on a surviving silo, and
    /// returns when each did (NaN for a group that never did), in milliseconds of <paramref name="clock"/>. It reads the
    /// silos' lists of their members in process, every 5 ms: polling by grain calls would load the silos it measures,
    /// thousands of calls at a time.
    /// </summary>
    private static async Task<double[]> WaitForLeadersAsync(RaftMemberStatus[] old, RaftLocalMembers[] survivors, Stopwatch clock)
    {
        var recovered = Enumerable.Repeat(double.NaN, old.Length).ToArray();
        var left = old.Length;
        while (left > 0 && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            for (var i = 0; i < old.Length; i++)
            {
                // None led on a surviving silo at the crash: one that leads there now was elected after it.
                if (double.IsNaN(recovered[i]) && LedOnAny(old[i].GroupId, survivors))
                {
                    recovered[i] = clock.Elapsed.TotalMilliseconds;
                    left--;
                }
            }

            await Task.Delay(5);
        }

        return recovered;
    }

    /// <summary>Whether a member of <paramref name="groupId"/> (of 1, 2, 3) leads on one of <paramref name="silos"/>, as it last knew.</summary>
    private static bool LedOnAny(string groupId, RaftLocalMembers[] silos) =>
        new ulong[] { 1, 2, 3 }.Any(m => silos.Any(silo => silo.TryGet(RaftMemberKey.Format(groupId, m), out var member) && member.IsLeader));

    /// <summary>
    /// Prints what the survivors of a group that got no new leader say of themselves, and under which leader silo the
    /// liveness watch of their silo lists them as quiet, so that such a group can be looked into.
    /// </summary>
    private static async Task DescribeSurvivorsAsync(InProcessTestCluster cluster, RaftMemberStatus old, SiloAddress killed)
    {
        foreach (var m in new ulong[] { 1, 2, 3 }.Where(m => m != old.MemberId))
        {
            var key = RaftMemberKey.Format(old.GroupId, m);
            string said;
            try
            {
                var s = await cluster.Client.GetGrain<IRaftMemberGrain>(key).GetStatusAsync().WaitAsync(TimeSpan.FromSeconds(5));
                said = $"{s.Role} term {s.Term} leader {s.Leader} quiet {s.Quiescent} on {s.Silo}";
            }
            catch (Exception e) when (e is TimeoutException or OrleansException or InvalidOperationException)
            {
                said = $"not answering ({e.Message})";
            }

            var listed = string.Join(", ", cluster.Silos
                .Select(silo => (silo.SiloAddress, Under: silo.SiloHost.Services.GetRequiredService<RaftQuietFollowers>().ListedUnder(key)))
                .Where(l => l.Under is not null)
                .Select(l => $"{l.Under} (by {l.SiloAddress})"));
            Console.WriteLine($"        no new leader in {old.GroupId} (led by {old.MemberId} in term {old.Term}, killed silo {killed}): " +
                              $"member {m} is {said}, listed as quiet under {(listed.Length == 0 ? "no silo" : listed)}");
        }
    }

    /// <summary>Groups that take puts while the busiest silo is killed, the callers that put, and for how long.</summary>
    private const int LoadedGroups = 100;
    private const int LoadCallers = 16;
    private static readonly TimeSpan LoadDuration = TimeSpan.FromSeconds(15);

    private static long ManagedBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>How many groups the restart measurement asks at once.</summary>
    private const int RestartParallelism = 512;

    /// <summary>Runs <paramref name="action"/> for every id, <paramref name="parallelism"/> at a time.</summary>
    private static async Task ForEachAsync(string[] ids, Func<string, Task> action, int parallelism = 32) =>
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (id, _) => await action(id));

    /// <summary>
    /// Every member's status, once all of them answer: one that does not right now (an activation that found its log
    /// claimed by another refuses until a new one takes over) is asked again in the next sweep.
    /// </summary>
    private static async Task<List<RaftMemberStatus>> StatusesAsync(
        InProcessTestCluster cluster, string[] ids, TimeSpan? poll = null, Func<List<RaftMemberStatus>, bool>? until = null, string what = "every member's status")
    {
        List<RaftMemberStatus> all = [];
        await RaftWait.UntilAsync(async () =>
        {
            var answers = new List<RaftMemberStatus?>(ids.Length * 3);
            foreach (var chunk in ids.Chunk(100))
            {
                foreach (var group in await Task.WhenAll(chunk.Select(id => cluster.Client.MemberStatusesAsync(id, [1, 2, 3]))))
                {
                    answers.AddRange(group);
                }
            }

            all = [.. answers.OfType<RaftMemberStatus>()];
            return all.Count == answers.Count && (until is null || until(all));
        }, TimeSpan.FromMinutes(10), what, poll ?? RaftWait.Poll);
        return all;
    }

    private static IEnumerable<int> LeadersPerSilo(List<RaftMemberStatus> statuses) =>
        statuses.Where(s => s.Role == RaftMemberRole.Leader).GroupBy(s => s.Silo).Select(g => g.Count());

    /// <summary>
    /// Waits (at most 10 minutes) until every group's statuses satisfy <paramref name="done"/>, and all of them
    /// together satisfy <paramref name="overall"/>. Each poll asks every member: polls come half a second apart, so that
    /// the polling does not load the silos it waits on.
    /// </summary>
    private static Task WaitAsync(
        InProcessTestCluster cluster, string[] ids, Func<RaftMemberStatus[], bool> done, Func<List<RaftMemberStatus>, bool>? overall = null) =>
        StatusesAsync(cluster, ids, TimeSpan.FromMilliseconds(500),
            statuses => statuses.GroupBy(s => s.GroupId).All(g => done([.. g])) && (overall is null || overall(statuses)),
            $"every one of the {ids.Length} groups to settle");
}
