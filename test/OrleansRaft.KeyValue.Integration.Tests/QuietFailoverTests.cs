using OrleansRaft.Abstractions;
using System.Diagnostics;
using OrleansRaft.Client;
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
}
