using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Tests.Infrastructure;

namespace OrleansRaft.Hosting.Tests;

/// <summary>
/// A member whose silo died starts again next to another member of its group; once a silo that runs none of the group
/// joins, the member moves there, and the group is back to one member per silo.
/// </summary>
public sealed class MemberSpreadTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_member_crowded_next_to_its_peer_after_a_silo_died_moves_to_a_silo_that_joins()
    {
        await using var raft = await RaftCluster.StartAsync(3, configure: o => o.LeaderBalanceInterval = TimeSpan.FromSeconds(1));
        const string group = "spread";
        var members = await raft.CreateGroupAsync(group, 3);
        var leader = await raft.WaitForLeaderAsync(group, members, Bound);
        await raft.ProposeRangeAsync(group, members, 0, 5, concurrency: 1, Bound, leader.MemberId);
        var statuses = await raft.ResolveMembersAsync(group, members, Bound);
        Assert.Equal(3, statuses.Select(s => s.Silo).Distinct().Count());

        // A follower's silo dies (not the first silo, which the test cluster's membership starts from).
        var first = raft.Cluster.Silos[0].SiloAddress.ToString();
        var victim = statuses.First(s => s.Role == RaftMemberRole.Follower && s.Silo != first);
        await raft.KillSilosAsync([raft.SiloOf(victim)]);

        // The follower starts again on one of the two silos left: two members share a silo.
        var crowded = await WaitForSilosAsync(raft, group, members, silos => silos.Distinct().Count() == 2, "the killed follower to start again");
        Assert.DoesNotContain(victim.Silo, crowded);

        // A silo joins: one member of the crowded silo moves there, a follower, so the leader stays where it is.
        var leaderBefore = await raft.WaitForLeaderAsync(group, members, Bound);
        var joined = (await raft.StartSiloAsync(Bound)).SiloAddress.ToString();
        var spread = await WaitForSilosAsync(raft, group, members, silos => silos.Distinct().Count() == 3, "one member per silo again");
        Assert.Contains(joined, spread);

        // Nothing was lost on the way, and the moved member catches up.
        await raft.ProposeRangeAsync(group, members, 5, 10, concurrency: 1, Bound);
        var applied = await raft.WaitForConvergenceAsync(group, members, atLeast: 10, Bound);
        Assert.Equal(Enumerable.Range(0, 10), applied.Select(e => BitConverter.ToInt32(e.Data.Span)));
        Assert.NotEqual(joined, (await raft.Member(group, leaderBefore.MemberId).GetStatusAsync()).Silo);
    }

    /// <summary>Waits until every member answers and the silos they run on satisfy <paramref name="done"/>; returns those silos.</summary>
    private static async Task<string[]> WaitForSilosAsync(RaftCluster raft, string group, IReadOnlyList<ulong> members, Func<string[], bool> done, string what)
    {
        string[] silos = [];
        await RaftCluster.WaitUntilAsync(async () =>
        {
            var statuses = await raft.StatusesAsync(group, members);
            silos = [.. statuses.OfType<RaftMemberStatus>().Select(s => s.Silo)];
            return silos.Length == members.Count && done(silos);
        }, Bound, what);
        return silos;
    }
}
