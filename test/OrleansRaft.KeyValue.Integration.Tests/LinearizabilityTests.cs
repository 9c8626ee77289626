using System.Diagnostics;
using Orleans.TestingHost;
using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.KeyValue.Integration.Tests.Infrastructure;
using OrleansRaft.KvWorkload;
using OrleansRaft.Linearizability;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace OrleansRaft.KeyValue.Integration.Tests;

/// <summary>
/// Concurrent clients put, read linearizably and compare-and-swap a few keys on PostgreSQL while silos crash and new
/// ones take their place, on a seeded schedule. The history must be linearizable, and afterwards every member must hold
/// the same store, with every acknowledged write at its revision and none applied twice.
/// </summary>
[Collection(SiloFaultCollection.Name)]
public sealed class LinearizabilityTests(ITestOutputHelper output)
{
    private const string Group = "kv-linearizable";
    private const string Prefix = "/lin/";
    private const int Clients = 5;

    /// <summary>Five silos for a 3-member group: two can crash at once and leave three to place the members on.</summary>
    private const int Silos = 5;
    private const int Rounds = 5;

    /// <summary>Operations the clients must complete before the first crash, and again after the last restart.</summary>
    private const int Progress = 50;

    private static readonly string[] Keys = [$"{Prefix}a", $"{Prefix}b", $"{Prefix}c"];

    /// <summary>A call that outlasts this is left pending: its outcome is unknown.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Clients_see_a_linearizable_history_while_silos_crash_and_restart_and_every_member_ends_with_every_acknowledged_write()
    {
        var schedule = FaultSchedule.Generate(FaultSchedule.ChooseSeed(), Rounds);
        output.WriteLine(schedule.ToString());
        try
        {
            await RunAsync(schedule);
        }
        catch (Exception e)
        {
            // The seed leads the message; the cause follows as the inner exception.
            throw new XunitException($"Failed with {schedule}.", e);
        }
    }

    private async Task RunAsync(FaultSchedule schedule)
    {
        var clock = Stopwatch.StartNew();
        await using var kv = await KvCluster.StartAsync(Silos, snapshotEveryEntries: 50, KvStorage.Postgres);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {Silos} silos started");
        var members = await kv.CreateGroupAsync(Group);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {Group} has a leader");
        var workload = new RegisterWorkload(Keys, CallTimeout);
        var clients = new List<KvClient>();
        for (var i = 0; i < Clients; i++)
        {
            var options = new KvClientOptions { RequestTimeout = CallTimeout, AttemptTimeout = TimeSpan.FromSeconds(1), Random = new Random(schedule.Seed + i) };
            clients.Add(await kv.ConnectAsync(Group, options));
        }

        using var stop = new CancellationTokenSource();
        var workers = clients.Select((client, i) => Task.Run(() => workload.RunAsync(i + 1, client, new Random(schedule.Seed ^ ((i + 1) * 7919)), stop.Token))).ToList();
        await WaitForProgressAsync(workload, "before the first crash", clock);
        // The delays are the schedule's: how long the load runs between faults, and how long a crashed silo stays
        // down. Nothing waits on them for a condition.
        foreach (var step in schedule.Steps)
        {
            await Task.Delay(step.Pause);
            await kv.ResolveMembersAsync(Group, members);
            var victims = await VictimsAsync(kv, members, step);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s, {workload.Completed} operations done: killing {string.Join(", ", victims.Select(s => s.SiloAddress))} ({step.Victim})");
            await Task.WhenAll(victims.Select(s => kv.Cluster.KillSiloAsync(s)));
            await Task.Delay(step.Downtime);
            foreach (var _ in victims)
            {
                var started = await kv.StartSiloAsync();
                output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s, {workload.Completed} operations done: started {started.SiloAddress}");
            }
        }

        await WaitForProgressAsync(workload, "after the last restart", clock);
        await stop.CancelAsync();
        await Task.WhenAll(workers).WaitAsync(KvCluster.Bound);
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {workload.Completed} operations answered, {workload.Unknown} timed out (pending), {workload.Refused} refused, {workload.Acknowledged.Count} writes acknowledged");

        var history = workload.History.ToHistory();
        var check = KvChecker.Check(history);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {check.Explanation}");
        Assert.True(check.Outcome == CheckOutcome.Ok, $"The history is not linearizable ({check.Outcome}):{Environment.NewLine}{check.Explanation}");

        await kv.WaitForLeaderAsync(Group, members);
        await using var reader = await kv.ConnectAsync(Group);
        var revision = (await reader.StatusAsync(KvCallOptions.Linearizable)).Revision;
        var stores = await Task.WhenAll(members.Select(m => MemberStore.ReadAsync(kv.Client, Group, m, Prefix, revision)));

        var violations = StoreAgreement.Violations(stores, workload.Acknowledged, Keys.Length, revision);
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
        var events = stores[0].Events;
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {members.Length} members agree on {events.Count} writes up to revision {revision}");
    }

    /// <summary>The silos the step kills, found from the members' statuses now.</summary>
    private static async Task<List<InProcessSiloHandle>> VictimsAsync(KvCluster kv, IReadOnlyList<ulong> members, FaultStep step)
    {
        var leader = await kv.WaitForLeaderAsync(Group, members);
        var leaderSilo = kv.SiloOf(leader);
        var followerSilos = (await kv.StatusesAsync(Group, members))
            .OfType<RaftMemberStatus>()
            .Where(s => s.MemberId != leader.MemberId)
            .Select(kv.SiloOf)
            .ToList();
        var silos = kv.Cluster.Silos.ToList();
        switch (step.Victim)
        {
            case SiloVictim.Leader:
                return [leaderSilo];
            case SiloVictim.Follower:
                return [followerSilos.Count == 0 ? leaderSilo : followerSilos[step.Pick % followerSilos.Count]];
            case SiloVictim.Any:
                return [silos[step.Pick % silos.Count]];
            default:
                // Members that share the leader's silo fall with it; another silo is then taken at random.
                var others = followerSilos.Where(s => s != leaderSilo).ToList();
                if (others.Count == 0)
                {
                    others = [.. silos.Where(s => s != leaderSilo)];
                }

                return [leaderSilo, others[step.Pick % others.Count]];
        }
    }

    private async Task WaitForProgressAsync(RegisterWorkload workload, string when, Stopwatch clock)
    {
        var target = workload.Completed + Progress;
        await KvCluster.WaitUntilAsync(() => Task.FromResult(workload.Completed >= target), $"{Progress} operations to complete {when}");
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s, {workload.Completed} operations done {when}");
    }
}
