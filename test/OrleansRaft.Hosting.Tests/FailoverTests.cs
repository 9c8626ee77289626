using System.Diagnostics;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansRaft.Hosting.Tests;

/// <summary>A leader lost to a crash or a partition is replaced; each test runs on its own cluster.</summary>
public sealed class FailoverTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public async Task Killing_the_leaders_silo_elects_a_new_leader_and_loses_nothing_committed(int size)
    {
        await using var raft = await RaftCluster.StartAsync(size);
        const string group = "failover-kill";
        var members = await raft.CreateGroupAsync(group, size);
        var leader = await raft.WaitForLeaderAsync(group, members, Bound);
        var before = new List<ulong>();
        for (var i = 0; i < 50; i++)
        {
            before.Add((await raft.ProposeAsync(group, members, BitConverter.GetBytes(i), Bound, leader.MemberId)).Index);
        }

        await raft.ResolveMembersAsync(group, members, Bound);
        await raft.KillSilosAsync([raft.SiloOf(leader)]);
        var clock = Stopwatch.StartNew();
        var survivors = members.Where(m => m != leader.MemberId).ToArray();
        var next = await raft.WaitForLeaderAsync(group, survivors, Bound, notThis: leader.MemberId);
        var after = await raft.ProposeAsync(group, survivors, BitConverter.GetBytes(50), Bound, next.MemberId);
        var failover = clock.Elapsed;
        output.WriteLine($"{size} silos: from the kill to the first new commit took {failover.TotalMilliseconds:F0} ms.");

        Assert.NotEqual(leader.MemberId, next.MemberId);
        Assert.True(next.Term > leader.Term);
        Assert.True(after.Index > before.Max());
        var applied = await raft.AppliedAsync(group, after.LeaderHint);
        Assert.Equal(Enumerable.Range(0, 51), applied.Select(e => BitConverter.ToInt32(e.Data.Span)));
        Assert.True(failover < TimeSpan.FromSeconds(5), $"fail-over took {failover}");
    }

    [Fact]
    public async Task A_leader_cut_off_from_the_majority_is_replaced_and_rejoins_as_follower()
    {
        await using var raft = await RaftCluster.StartAsync(3);
        const string group = "failover-partition";
        var members = await raft.CreateGroupAsync(group, 3);
        var leader = await raft.WaitForLeaderAsync(group, members, Bound);
        await raft.ProposeAsync(group, members, BitConverter.GetBytes(1), Bound, leader.MemberId);

        raft.Faults.Partition(group, [leader.MemberId], members);
        var majority = members.Where(m => m != leader.MemberId).ToArray();
        var next = await raft.WaitForLeaderAsync(group, majority, Bound, notThis: leader.MemberId);
        await raft.ProposeAsync(group, majority, BitConverter.GetBytes(2), Bound, next.MemberId);
        raft.Faults.Heal();

        await RaftCluster.WaitUntilAsync(async () =>
        {
            var old = await raft.Member(group, leader.MemberId).GetStatusAsync();
            return old.Role == RaftMemberRole.Follower && old.Leader is not 0 && old.Leader != leader.MemberId &&
                (await raft.AppliedAsync(group, leader.MemberId)).Count == 2;
        }, Bound, "the old leader to follow a new one");
        Assert.Equal([1, 2], (await raft.AppliedAsync(group, leader.MemberId)).Select(e => BitConverter.ToInt32(e.Data.Span)));
    }
}
