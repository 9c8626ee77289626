using System.Diagnostics;
using OrleansRaft.Hosting.Tests.Infrastructure;

namespace OrleansRaft.Hosting.Tests;

/// <summary>Suites that kill silos: each runs on its own cluster.</summary>
public sealed class FailoverTests
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

        // Resolve every member's activation first: a lookup whose directory partition lived on the killed silo
        // waits for Orleans to declare that silo dead, which is failure detection, not Raft's fail-over.
        await raft.StatusesAsync(group, members);
        await raft.Cluster.KillSiloAsync(raft.SiloOf(leader));
        var clock = Stopwatch.StartNew();
        var survivors = members.Where(m => m != leader.MemberId).ToArray();
        var next = await raft.WaitForLeaderAsync(group, survivors, Bound, notThis: leader.MemberId);
        var after = await raft.ProposeAsync(group, members, BitConverter.GetBytes(50), Bound, next.MemberId);
        var failover = clock.Elapsed;

        Assert.NotEqual(leader.MemberId, next.MemberId);
        Assert.True(next.Term > leader.Term);
        Assert.True(after.Index > before.Max());
        var applied = await raft.AppliedAsync(group, next.MemberId);
        Assert.Equal(Enumerable.Range(0, 51), applied.Select(e => BitConverter.ToInt32(e.Data.Span)));
        Assert.True(failover < TimeSpan.FromSeconds(5), $"fail-over took {failover}");
    }

    [Fact]
    public async Task A_member_on_a_restarted_silo_catches_up_by_snapshot_after_compaction()
    {
        await using var raft = await RaftCluster.StartAsync(3, configure: o => o.SnapshotEveryEntries = 50);
        const string group = "failover-restart";
        var members = await raft.CreateGroupAsync(group, 3);
        var leader = await raft.WaitForLeaderAsync(group, members, Bound);
        var statuses = await raft.StatusesAsync(group, members);
        var victim = statuses.First(s => s!.MemberId != leader.MemberId)!;

        await raft.Cluster.KillSiloAsync(raft.SiloOf(victim));
        // While the victim is down (its messages lost), the others move the log far past a compaction.
        raft.Faults.Partition(group, [victim.MemberId], members);
        for (var i = 0; i < 200; i++)
        {
            await raft.ProposeAsync(group, members, BitConverter.GetBytes(i), Bound, leader.MemberId);
        }

        var leaderStatus = await raft.Member(group, leader.MemberId).GetStatusAsync();
        Assert.True(leaderStatus.SnapshotIndex >= 150, $"the leader compacted only to {leaderStatus.SnapshotIndex}");

        await raft.Cluster.StartAdditionalSiloAsync();
        raft.Faults.Heal();
        await RaftCluster.WaitUntilAsync(
            async () => (await raft.AppliedAsync(group, victim.MemberId)).Count == 200, Bound, "the restarted member to catch up");

        var caughtUp = await raft.Member(group, victim.MemberId).GetStatusAsync();
        Assert.True(caughtUp.SnapshotIndex > 0, "the member caught up without a snapshot");
        Assert.Equal(
            (await raft.AppliedAsync(group, leader.MemberId)).Select(e => e.Index),
            (await raft.AppliedAsync(group, victim.MemberId)).Select(e => e.Index));
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
            return old.Leader == next.MemberId && (await raft.AppliedAsync(group, leader.MemberId)).Count == 2;
        }, Bound, "the old leader to follow the new one");
        Assert.Equal([1, 2], (await raft.AppliedAsync(group, leader.MemberId)).Select(e => BitConverter.ToInt32(e.Data.Span)));
    }

    [Fact]
    public async Task Killing_a_minority_repeatedly_under_load_keeps_every_acknowledged_commit()
    {
        await using var raft = await RaftCluster.StartAsync(3);
        const string group = "failover-churn";
        var members = await raft.CreateGroupAsync(group, 3);
        await raft.WaitForLeaderAsync(group, members, Bound);
        var acknowledged = new List<int>();
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await raft.ProposeAsync(group, members, BitConverter.GetBytes(i), Bound);
                lock (acknowledged)
                {
                    acknowledged.Add(i);
                }
            }
        });

        for (var round = 0; round < 2; round++)
        {
            var count = AcknowledgedCount();
            await RaftCluster.WaitUntilAsync(() => Task.FromResult(count + 20 <= AcknowledgedCount()), Bound, "progress before a kill");
            var leader = await raft.WaitForLeaderAsync(group, members, Bound);
            await raft.Cluster.KillSiloAsync(raft.SiloOf(leader));
            await raft.Cluster.StartAdditionalSiloAsync();
        }

        var final = AcknowledgedCount();
        await RaftCluster.WaitUntilAsync(() => Task.FromResult(final + 20 <= AcknowledgedCount()), Bound, "progress after the last kill");
        stop.Cancel();
        await load;

        var leaderNow = await raft.WaitForLeaderAsync(group, members, Bound);
        var applied = (await raft.AppliedAsync(group, leaderNow.MemberId)).Select(e => BitConverter.ToInt32(e.Data.Span)).ToHashSet();
        lock (acknowledged)
        {
            Assert.All(acknowledged, i => Assert.Contains(i, applied));
        }

        int AcknowledgedCount()
        {
            lock (acknowledged)
            {
                return acknowledged.Count;
            }
        }
    }
}
