using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Tests.Infrastructure;

namespace OrleansRaft.Hosting.Tests;

/// <summary>
/// A quiet group sends no heartbeats: its followers learn that their leader's silo died from the silo's liveness probes,
/// which a dead process's port refuses at once.
/// </summary>
public sealed class QuietLivenessTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_quiet_group_whose_leader_silo_refuses_probes_elects_a_leader_among_the_others()
    {
        await using var raft = await RaftCluster.StartAsync(3, configure: o => o.LeaderBalanceInterval = null);
        const string group = "quiet-refused";
        var members = await raft.CreateGroupAsync(group, 3);
        var leader = await raft.WaitForLeaderAsync(group, members, Bound);
        await raft.ResolveMembersAsync(group, members, Bound);
        await raft.WaitUntilQuietAsync(group, members, Bound);

        // The leader's silo crashes, as its group sees it: its member hears nothing and says nothing, and its silo's
        // probes are refused. Orleans still calls the silo alive, so only the probes can wake the quiet followers.
        raft.Faults.Partition(group, [leader.MemberId], members);
        raft.Faults.RefuseProbesOf(raft.SiloOf(leader).SiloAddress);

        var next = await raft.WaitForLeaderAsync(group, members, Bound, notThis: leader.MemberId);
        Assert.True(next.Term > leader.Term);
        Assert.NotEqual(raft.SiloOf(leader).SiloAddress.ToString(), next.Silo);
    }
}
