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

    /// <summary>How long after PostgreSQL answers again the first write may take (generous: the machine is shared).</summary>
    private static readonly TimeSpan ResumeBound = TimeSpan.FromSeconds(20);

    private readonly DataDir _dataDir = new();

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

    private async Task RunAsync(PostgresFaultSchedule schedule)
    {
        var clock = Stopwatch.StartNew();
        await using var launcher = await LauncherProcess.StartAsync(
            _dataDir.Path,
            "--Etcd:RequestTimeout", GatewayTimeout.ToString("c", CultureInfo.InvariantCulture),
            "--Storage:Provider", schedule.Provider);
        var postgres = new PostgresControl(_dataDir.Postgres);
        var endpoints = KvConnection.ReadClusterFile(_dataDir.Path).EtcdEndpoints ?? throw new InvalidOperationException("cluster.json names no etcd endpoint.");
        var channels = endpoints.Select(e => GrpcChannel.ForAddress($"http://{e}")).ToList();
        try
        {
            Log(clock, $"cluster up, etcd gateways {string.Join(", ", endpoints)}");
            var workload = new EtcdRegisterWorkload(Keys, CallDeadline, clock);
            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(1, Clients)
                .Select(i => Task.Run(() => workload.RunAsync(i, new KV.KVClient(channels[i % channels.Count]), new Random(schedule.Seed ^ (i * 7919)), stop.Token)))
                .ToList();
            await WaitForProgressAsync(workload, 30, "before the first fault", clock);

            var unavailability = new List<(PostgresFaultKind Kind, TimeSpan Gap)>();
            foreach (var fault in schedule.Faults)
            {
                await Task.Delay(fault.Load);
                Log(clock, $"{workload.Completed} operations done: {fault}");
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
                        Log(clock, $"terminated {dropped} client backends");
                        break;
                }

                var back = clock.Elapsed;
                Log(clock, "PostgreSQL answers again");
                var resumed = await WaitForWriteAfterAsync(workload, back);
                unavailability.Add((fault.Kind, resumed - back));
                Log(clock, $"first acknowledged write {(resumed - back).TotalSeconds:F2} s after PostgreSQL's return");
            }

            await WaitForProgressAsync(workload, 30, "after the last fault", clock);
            await stop.CancelAsync();
            await Task.WhenAll(workers).WaitAsync(TimeSpan.FromMinutes(1));

            var history = workload.History();
            var check = KvChecker.Check(history);
            var longest = unavailability.MaxBy(u => u.Gap);
            Log(clock, string.Create(CultureInfo.InvariantCulture,
                $"figures: seed {schedule.Seed}, {schedule.Provider} provider, {workload.Completed} operations answered, {workload.Unavailable} Unavailable, " +
                $"{workload.DeadlinesExceeded} past their deadline, {workload.OtherErrors.Count} other errors, {workload.Acknowledged.Count} writes acknowledged; " +
                $"faults: {string.Join(", ", schedule.Faults.GroupBy(f => f.Kind).Select(g => $"{g.Count()} {g.Key}"))}; " +
                $"longest unavailability after PostgreSQL's return {longest.Gap.TotalSeconds:F2} s ({longest.Kind}); checker: {check.Outcome}"));

            foreach (var reason in StorageFailureReasons())
            {
                Log(clock, $"silos saw: {reason}");
            }

            Assert.Empty(workload.OtherErrors);
            Assert.DoesNotContain("exited with code", launcher.Output, StringComparison.Ordinal);
            Assert.All(launcher.Silos, s => Assert.True(Signal.IsRunning(s.Pid), $"Silo {s.Number} (pid {s.Pid}) is gone."));
            Assert.True(check.Outcome == CheckOutcome.Ok, $"The history is not linearizable ({check.Outcome}):{Environment.NewLine}{check.Explanation}");
            Assert.All(unavailability, u => Assert.True(u.Gap < ResumeBound, $"Writes resumed {u.Gap} after a {u.Kind} ended."));
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

    private async Task WaitForProgressAsync(EtcdRegisterWorkload workload, int operations, string when, Stopwatch clock)
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

        Log(clock, $"{workload.Completed} operations done {when}");
    }

    private void Log(Stopwatch clock, string line) => output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {line}");

    public void Dispose() => _dataDir.Dispose();
}
