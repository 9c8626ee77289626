using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.KeyValue.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansRaft.KeyValue.Integration.Tests;

/// <summary>Two keyspaces of one cluster fail over apart: the crash of one's leader leaves the other's leader leading.</summary>
[Collection(SiloFaultCollection.Name)]
public sealed class KeyspaceFailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_one_keyspaces_leader_elects_a_new_leader_there_while_the_other_keeps_its_leader_and_term()
    {
        await using var kv = await KvCluster.StartAsync(3);
        var members = await kv.CreateGroupAsync("ks-fail-a");
        await kv.CreateGroupAsync("ks-fail-b");
        await using var a = await kv.ConnectAsync("ks-fail-a", new KvClientOptions { RequestTimeout = KvCluster.Bound });
        await using var b = await kv.ConnectAsync("ks-fail-b", new KvClientOptions { RequestTimeout = KvCluster.Bound });
        await a.PutAsync("/k", "a1");
        await b.PutAsync("/k", "b1");

        var aLeader = await kv.WaitForLeaderAsync("ks-fail-a", members);
        var bLeader = await LeadOffTheSiloOfAsync(kv, "ks-fail-b", members, aLeader.Silo);
        await kv.ResolveMembersAsync("ks-fail-a", members);
        await kv.ResolveMembersAsync("ks-fail-b", members);
        output.WriteLine($"ks-fail-a: member {aLeader.MemberId} leads in term {aLeader.Term} on {aLeader.Silo}; ks-fail-b: member {bLeader.MemberId} in term {bLeader.Term} on {bLeader.Silo}");

        await kv.KillSiloOfAsync(aLeader);

        // The killed member may come back on a surviving silo and even lead again: a new term is what shows an election.
        RaftMemberStatus? aNext = null;
        await KvCluster.WaitUntilAsync(async () =>
        {
            aNext = await kv.WaitForLeaderAsync("ks-fail-a", members);
            return aNext.Term > aLeader.Term;
        }, "ks-fail-a to elect a leader in a later term");
        var aPut = await a.PutAsync("/k", "a2");
        var bPut = await b.PutAsync("/k", "b2");
        var bAfter = await kv.WaitForLeaderAsync("ks-fail-b", members);
        output.WriteLine($"ks-fail-a: member {aNext!.MemberId} leads in term {aNext.Term}");

        Assert.Equal((bLeader.MemberId, bLeader.Term), (bAfter.MemberId, bAfter.Term));
        Assert.Equal(3, aPut.Revision);
        Assert.Equal(3, bPut.Revision);
        Assert.Equal("a2", KvBytes.ToText((await a.GetAsync("/k"))!.Value));
        Assert.Equal("b2", KvBytes.ToText((await b.GetAsync("/k"))!.Value));
    }

    /// <summary>
    /// Waits until group <paramref name="groupId"/> has a leader on a silo other than <paramref name="silo"/>, handing
    /// leadership to a member elsewhere when it leads from there; returns the leader's status.
    /// </summary>
    private static async Task<RaftMemberStatus> LeadOffTheSiloOfAsync(KvCluster kv, string groupId, IReadOnlyList<ulong> members, string silo)
    {
        RaftMemberStatus? leader = null;
        await KvCluster.WaitUntilAsync(async () =>
        {
            leader = await kv.WaitForLeaderAsync(groupId, members);
            if (leader.Silo != silo)
            {
                return true;
            }

            var elsewhere = (await kv.StatusesAsync(groupId, members)).OfType<RaftMemberStatus>().FirstOrDefault(s => s.Silo != silo);
            if (elsewhere is not null)
            {
                await kv.Member(groupId, leader.MemberId).TransferLeadershipAsync(elsewhere.MemberId);
            }

            return false;
        }, $"a leader of {groupId} off {silo}");
        return leader!;
    }
}
