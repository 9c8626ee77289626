using OrleansRaft.Abstractions;
using System.Diagnostics;
using OrleansRaft.Client;
using OrleansRaft.Hosting.Transport;
using OrleansRaft.KeyValue.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansRaft.KeyValue.Integration.Tests;

/// <summary>A quiet group sends no heartbeats; its silo's liveness probes notice a dead leader for it.</summary>
[Collection(SiloFaultCollection.Name)]
public sealed class QuietFailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_quiet_group_whose_leaders_silo_dies_elects_a_new_leader_and_takes_puts()
    {
        await using var kv = await KvCluster.StartAsync(3);
        const string group = "kv-quiet-failover";
        var members = await kv.CreateGroupAsync(group);
        var options = new KvClientOptions { RequestTimeout = KvCluster.Bound, AttemptTimeout = TimeSpan.FromSeconds(1) };
        await using var client = await kv.ConnectAsync(group, options);
        await client.PutAsync("/before", "1");
        var quiet = await QuiescenceTests.WaitUntilQuietAsync(kv, group, members);
        var leader = quiet.Single(s => s.Role == RaftMemberRole.Leader);

        var clock = Stopwatch.StartNew();
        await kv.KillSiloOfAsync(leader);
        var survivors = members.Where(m => m != leader.MemberId).ToArray();
        var elected = await kv.WaitForLeaderAsync(group, survivors, notThis: leader.MemberId);
        var electedAfter = clock.Elapsed;
        var put = await client.PutAsync("/after", "2");
        output.WriteLine($"quiet leader {leader.MemberId} killed; member {elected.MemberId} elected in term {elected.Term} after {electedAfter.TotalMilliseconds:F0} ms");

        Assert.True(elected.Term > leader.Term);
        Assert.Equal("1", KvBytes.ToText((await client.GetAsync("/before", KvCallOptions.Linearizable))!.Value));
        Assert.Equal(put.Revision, (await client.GetAsync("/after", KvCallOptions.Linearizable))!.ModRevision);
    }

    /// <summary>
    /// A partition, not a crash: the leader's silo keeps running and Orleans' membership keeps calling it active, so no
    /// death declaration comes. Only the silos' liveness probes, which the silo cut off no longer answers, wake the
    /// quiet followers; without them the group would wait for as long as the partition lasts.
    /// </summary>
    [Fact]
    public async Task A_quiet_group_whose_leaders_silo_is_cut_off_while_it_runs_elects_a_new_leader_and_catches_the_old_one_up_after()
    {
        var faults = new RaftFaultInjector();
        await using var kv = await KvCluster.StartAsync(3, faults: faults);
        const string group = "kv-quiet-partition";
        var members = await kv.CreateGroupAsync(group);
        var options = new KvClientOptions { RequestTimeout = KvCluster.Bound, AttemptTimeout = TimeSpan.FromSeconds(1) };
        await using var client = await kv.ConnectAsync(group, options);
        await client.PutAsync("/before", "1");
        var quiet = await QuiescenceTests.WaitUntilQuietAsync(kv, group, members);
        var leader = quiet.Single(s => s.Role == RaftMemberRole.Leader);
        var leaderSilo = kv.SiloOf(leader).SiloAddress;

        var clock = Stopwatch.StartNew();
        faults.Partition(group, [leader.MemberId], members);
        faults.SilenceProbesOf(leaderSilo);
        var survivors = members.Where(m => m != leader.MemberId).ToArray();
        var elected = await kv.WaitForLeaderAsync(group, survivors, notThis: leader.MemberId);
        var electedAfter = clock.Elapsed;
        var put = await client.PutAsync("/after", "2");
        var cutOff = await kv.Member(group, leader.MemberId).GetStatusAsync();
        output.WriteLine($"quiet leader {leader.MemberId} cut off; member {elected.MemberId} elected in term {elected.Term} after {electedAfter.TotalMilliseconds:F0} ms");

        Assert.True(elected.Term > leader.Term);
        Assert.Equal(leader.Silo, cutOff.Silo);
        Assert.True(cutOff.Term < elected.Term, $"member {leader.MemberId}, cut off, is in term {cutOff.Term}, which it cannot have heard of");

        var target = (await kv.Member(group, elected.MemberId).GetStatusAsync()).Commit;
        faults.Heal();
        await KvCluster.WaitUntilAsync(
            async () => await kv.Member(group, leader.MemberId).GetStatusAsync() is { } s && s.Term >= elected.Term && s.Applied >= target,
            $"member {leader.MemberId} to catch up once the partition heals");
        Assert.Equal("1", KvBytes.ToText((await client.GetAsync("/before", KvCallOptions.Linearizable))!.Value));
        Assert.Equal(put.Revision, (await client.GetAsync("/after", KvCallOptions.Linearizable))!.ModRevision);
    }
}
