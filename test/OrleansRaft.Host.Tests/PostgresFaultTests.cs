using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Net.Client;
using OrleansRaft.Host.Tests.Infrastructure;
using OrleansRaft.Linearizability;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace OrleansRaft.Host.Tests;

/// <summary>
/// PostgreSQL fails under the local cluster while etcd clients put, read and compare-and-swap through the gateways:
/// stopped hard and started again, paused, its connections dropped, on a seeded schedule. Calls during an outage
/// answer <c>Unavailable</c> (or outlive their deadline), never another status; no silo exits; writes resume within
/// a bound once PostgreSQL is back, without a restart; the history is linearizable; every acknowledged write is read
/// back at its revision.
/// </summary>
public sealed partial class PostgresFaultTests(ITestOutputHelper output) : IDisposable
{
    private const int Clients = 6;
    private static readonly string[] Keys = ["/pg/a", "/pg/b", "/pg/c", "/pg/d"];

    /// <summary>The gateways give up on a request after this (<c>Etcd:RequestTimeout</c>) and answer Unavailable.</summary>
    private static readonly TimeSpan GatewayTimeout = TimeSpan.FromSeconds(4);

    /// <summary>Longer than the gateways' timeout: a call answered in time gets the gateway's status, not the client's.</summary>
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(8);

    /// <summary>
    /// How long writes may pause while one database of three is down: one election (under a second on an idle machine)
    /// and the clients' retry, with room for a loaded machine.
    /// </summary>
    private static readonly TimeSpan ElectionBound = TimeSpan.FromSeconds(8);

    /// <summary>How long after PostgreSQL answers again the first write may take (generous: the machine is shared).</summary>
    private static readonly TimeSpan ResumeBound = TimeSpan.FromSeconds(20);

    private readonly DataDir _dataDir = new(siloDatabases: 3);

    [Fact]
    public async Task Writes_survive_PostgreSQL_stopped_paused_and_dropping_connections_and_resume_once_it_is_back()
    {
        var schedule = PostgresFaultSchedule.FromEnvironment();
        output.WriteLine(schedule.ToString());
        try
        {
            await RunAsync(schedule);
        }
        catch (Exception e)
        {
            throw new XunitException($"Failed with {schedule}.", e);
        }
    }

    /// <summary>
    /// With a database per silo (<c>--postgres-per-silo</c>), the database of the leader's silo stops for 20 s under
    /// load: the group goes on with the other two members after one election, and the stopped member catches up after.
    /// </summary>
    [Fact]
    public async Task With_a_database_per_silo_one_stopped_for_20_s_costs_no_more_than_an_election()
    {
        var schedule = PostgresFaultSchedule.FromEnvironment();
        output.WriteLine($"seed {schedule.Seed} ({PostgresFaultSchedule.SeedVariable}={schedule.Seed} replays the clients' choices)");
        try
        {
            await RunAsync(schedule, ["--postgres-per-silo"], async (run, launcher, workload) =>
            {
                var before = await StatusReader.LeaderAsync(launcher.Silos[0].StatusUrl, "kv");
                var victim = launcher.Silos.Single(s => before.LeaderMember.Silo!.Contains($":{s.SiloPort}:", StringComparison.Ordinal));
                var database = new PostgresControl(Path.Combine(_dataDir.Path, $"postgres-silo-{victim.Number}"));
                run.Log($"{workload.Completed} operations done: stopping the database of silo {victim.Number}, which leads in term {before.Term}");
                var stoppedAt = run.Clock.Elapsed;
                await database.StopImmediatelyAsync();
                await Task.Delay(TimeSpan.FromSeconds(20));
                var restartedAt = run.Clock.Elapsed;
                await database.StartAsync();
                var back = run.Clock.Elapsed;
                run.Log($"the database of silo {victim.Number} answers again");
                await WaitForWriteAfterAsync(workload, back);

                // While one database of three was down, writes paused for at most the time the others took to elect.
                var gap = LongestGap(workload, stoppedAt, restartedAt);
                var after = await StatusReader.LeaderAsync(launcher.Silos.First(s => s.Number != victim.Number).StatusUrl, "kv");
                run.Log(string.Create(CultureInfo.InvariantCulture,
                    $"longest pause between acknowledged writes while the database was down: {gap.TotalSeconds:F2} s; term {before.Term} -> {after.Term}"));
                Assert.True(gap < ElectionBound, $"Writes paused for {gap} while one database of three was down.");

                // The stopped member comes back on its own silo and catches up; the logs were only ever in the silos' own databases.
                var survivor = launcher.Silos.First(s => s.Number != victim.Number).StatusUrl;
                var target = (await StatusReader.LeaderAsync(survivor, "kv")).LeaderMember.Commit ?? 0;
                await StatusReader.LeaderAsync(survivor, "kv", g => g.Members.Any(m => m.Id == before.Leader && m.Applied >= target && m.Silo == before.LeaderMember.Silo));
                run.Log($"member {before.Leader} caught up on silo {victim.Number}");
                Assert.Equal(0, await new PostgresControl(_dataDir.Postgres).CountRowsAsync("raft-log"));
                foreach (var silo in launcher.Silos)
                {
                    Assert.True(await new PostgresControl(Path.Combine(_dataDir.Path, $"postgres-silo-{silo.Number}")).CountRowsAsync("raft-log") > 0, $"Silo {silo.Number}'s database holds no log.");
                }

                return [(PostgresFaultKind.Stop, gap)];
            });
        }
        catch (Exception e)
        {
            throw new XunitException($"Failed with seed {schedule.Seed}.", e);
        }
    }

    private Task RunAsync(PostgresFaultSchedule schedule) =>
        RunAsync(schedule, ["--Storage:Provider", schedule.Provider], async (run, _, workload) =>
        {
            var postgres = new PostgresControl(_dataDir.Postgres);
            var unavailability = new List<(PostgresFaultKind Kind, TimeSpan Gap)>();
            foreach (var fault in schedule.Faults)
            {
                await Task.Delay(fault.Load);
                run.Log($"{workload.Completed} operations done: {fault}");
                switch (fault.Kind)
                {
                    case PostgresFaultKind.Stop:
                        await postgres.StopImmediatelyAsync();
                        await Task.Delay(fault.Duration);
                        await postgres.StartAsync();
                        break;
                    case PostgresFaultKind.Pause:
                        var paused = postgres.Pause();
                        await Task.Delay(fault.Duration);
                        PostgresControl.Resume(paused);
                        break;
                    default:
                        var dropped = await postgres.TerminateClientBackendsAsync();
                        run.Log($"terminated {dropped} client backends");
                        break;
                }

                var back = run.Clock.Elapsed;
                run.Log("PostgreSQL answers again");
                var resumed = await WaitForWriteAfterAsync(workload, back);
                unavailability.Add((fault.Kind, resumed - back));
                run.Log($"first acknowledged write {(resumed - back).TotalSeconds:F2} s after PostgreSQL's return");
            }

            Assert.All(unavailability, u => Assert.True(u.Gap < ResumeBound, $"Writes resumed {u.Gap} after a {u.Kind} ended."));
            return unavailability;
        });

    /// <summary>
    /// Starts the local cluster with <paramref name="arguments"/>, runs the clients, applies <paramref name="faults"/>
    /// (which returns how long writes paused after each fault), then checks what every run must hold.
    /// </summary>
    private async Task RunAsync(
        PostgresFaultSchedule schedule,
        string[] arguments,
        Func<Run, LauncherProcess, EtcdRegisterWorkload, Task<List<(PostgresFaultKind Kind, TimeSpan Gap)>>> faults)
    {
        var run = new Run(output, Stopwatch.StartNew());
        await using var launcher = await LauncherProcess.StartAsync(
            _dataDir.Path, ["--Etcd:RequestTimeout", GatewayTimeout.ToString("c", CultureInfo.InvariantCulture), .. arguments]);
        var endpoints = KvConnection.ReadClusterFile(_dataDir.Path).EtcdEndpoints ?? throw new InvalidOperationException("cluster.json names no etcd endpoint.");
        var channels = endpoints.Select(e => GrpcChannel.ForAddress($"http://{e}")).ToList();
        try
        {
            run.Log($"cluster up ({string.Join(" ", arguments)}), etcd gateways {string.Join(", ", endpoints)}");
            var workload = new EtcdRegisterWorkload(Keys, CallDeadline, run.Clock);
            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(1, Clients)
                .Select(i => Task.Run(() => workload.RunAsync(i, new KV.KVClient(channels[i % channels.Count]), new Random(schedule.Seed ^ (i * 7919)), stop.Token)))
                .ToList();
            await WaitForProgressAsync(workload, 30, "before the first fault", run);
            var unavailability = await faults(run, launcher, workload);
            await WaitForProgressAsync(workload, 30, "after the last fault", run);
            await stop.CancelAsync();
            await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(1));

            var check = KvChecker.Check(workload.History());
            var longest = unavailability.MaxBy(u => u.Gap);
            run.Log(string.Create(CultureInfo.InvariantCulture,
                $"figures: seed {schedule.Seed}, {string.Join(" ", arguments)}, {workload.Completed} operations answered, {workload.Unavailable} Unavailable, " +
                $"{workload.DeadlinesExceeded} past their deadline, {workload.OtherErrors.Count} other errors, {workload.Acknowledged.Count} writes acknowledged; " +
                $"faults: {string.Join(", ", unavailability.GroupBy(f => f.Kind).Select(g => $"{g.Count()} {g.Key}"))}; " +
                $"longest unavailability {longest.Gap.TotalSeconds:F2} s ({longest.Kind}); checker: {check.Outcome}"));
            foreach (var reason in StorageFailureReasons())
            {
                run.Log($"silos saw: {reason}");
            }

            Assert.Empty(workload.OtherErrors);
            Assert.DoesNotContain("exited with code", launcher.Output, StringComparison.Ordinal);
            Assert.All(launcher.Silos, s => Assert.True(Signal.IsRunning(s.Pid), $"Silo {s.Number} (pid {s.Pid}) is gone."));
            Assert.True(check.Outcome == CheckOutcome.Ok, $"The history is not linearizable ({check.Outcome}):{Environment.NewLine}{check.Explanation}");
            await AssertAcknowledgedWritesKeptAsync(new KV.KVClient(channels[0]), workload);
        }
        finally
        {
            foreach (var channel in channels)
            {
                channel.Dispose();
            }
        }
    }

    /// <summary>The longest time between two acknowledged writes (or a bound of the window and a write) within the window.</summary>
    private static TimeSpan LongestGap(EtcdRegisterWorkload workload, TimeSpan from, TimeSpan to)
    {
        var times = workload.Acknowledged.Select(a => a.At).Where(t => t > from && t < to).Order().Prepend(from).Append(to).ToList();
        return times.Zip(times.Skip(1), (a, b) => b - a).Max();
    }

    /// <summary>Every acknowledged write is what its key held at the revision its answer named.</summary>
    private static async Task AssertAcknowledgedWritesKeptAsync(KV.KVClient client, EtcdRegisterWorkload workload)
    {
        foreach (var write in workload.Acknowledged)
        {
            var range = await client.RangeAsync(
                new RangeRequest { Key = ByteString.CopyFromUtf8(write.Key), Revision = write.Revision }, deadline: DateTime.UtcNow.AddSeconds(30));
            Assert.True(
                range.Kvs.Count == 1 && range.Kvs[0].Value.ToStringUtf8() == write.Value && range.Kvs[0].ModRevision == write.Revision,
                $"{write.Key}={write.Value} was acknowledged at revision {write.Revision}, but that revision holds {string.Join(", ", range.Kvs.Select(k => $"{k.Value.ToStringUtf8()}@{k.ModRevision}"))}.");
        }
    }

    /// <summary>The distinct storage failures the silos logged (what the provider threw), with how often each came.</summary>
    private IEnumerable<string> StorageFailureReasons() =>
        Directory.GetFiles(Path.Combine(_dataDir.Path, "logs"), "silo-*.log")
            .SelectMany(File.ReadLines)
            .Select(line => StorageReason().Match(line))
            .Where(m => m.Success)
            .GroupBy(m => m.Groups[1].Value)
            .OrderByDescending(g => g.Count())
            .Take(12)
            .Select(g => $"{g.Count()} x {g.Key}");

    [GeneratedRegex(@"(?:its storage is unavailable|failed and deactivates) \((.*?)\); (?:the|its next)")]
    private static partial Regex StorageReason();

    private static async Task<TimeSpan> WaitForWriteAfterAsync(EtcdRegisterWorkload workload, TimeSpan after)
    {
        var bound = Stopwatch.StartNew();
        while (true)
        {
            var first = workload.Acknowledged.Where(a => a.At > after).Select(a => a.At).DefaultIfEmpty(TimeSpan.MaxValue).Min();
            if (first != TimeSpan.MaxValue)
            {
                return first;
            }

            if (bound.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException($"No write was acknowledged within {bound.Elapsed} of PostgreSQL's return.");
            }

            await Task.Delay(20);
        }
    }

    private static async Task WaitForProgressAsync(EtcdRegisterWorkload workload, int operations, string when, Run run)
    {
        var target = workload.Completed + operations;
        var bound = Stopwatch.StartNew();
        while (workload.Completed < target)
        {
            if (bound.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException($"{operations} operations did not complete {when} within {bound.Elapsed}.");
            }

            await Task.Delay(20);
        }

        run.Log($"{workload.Completed} operations done {when}");
    }

    /// <summary>A run's clock and its log, which prints the time on the clock before each line.</summary>
    private sealed record Run(ITestOutputHelper Output, Stopwatch Clock)
    {
        public void Log(string line) => Output.WriteLine($"{Clock.Elapsed.TotalSeconds:F1} s: {line}");
    }

    public void Dispose() => _dataDir.Dispose();
}
