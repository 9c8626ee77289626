using OrleansRaft.Hosting.Tests.Infrastructure;

namespace OrleansRaft.Hosting.Tests;

/// <summary>
/// The member of a killed silo catches up once a silo takes that one's place: from the leader's log, or by snapshot
/// when the others compacted past what it has. Each test runs on its own cluster.
/// </summary>
public sealed class RestartCatchUpTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(3, false)]
    [InlineData(3, true)]
    [InlineData(5, false)]
    [InlineData(5, true)]
    public async Task The_member_of_the_killed_leaders_silo_catches_up_when_the_silo_restarts(int size, bool compacted)
    {
        // Compacting every 50 entries, the survivors are 200 entries past the dead member when it returns: well past their last snapshot.
        await using var raft = await RaftCluster.StartAsync(size, configure: o => o.SnapshotEveryEntries = compacted ? 50 : 0);
        const string group = "restart";
        var members = await raft.CreateGroupAsync(group, size);
        var leader = await raft.WaitForLeaderAsync(group, members, Bound);
        await raft.ProposeRangeAsync(group, members, 0, 20, concurrency: 1, Bound, leader.MemberId);
        var before = await raft.ResolveMembersAsync(group, members, Bound);
        var victimLast = before.Single(s => s.MemberId == leader.MemberId).LastIndex;

        // While its silo is down nothing may call the old leader: a message would activate it on another silo.
        raft.Faults.Partition(group, [leader.MemberId], members);
        await raft.KillSilosAsync([raft.SiloOf(leader)]);
        var survivors = members.Where(m => m != leader.MemberId).ToArray();
        var next = await raft.WaitForLeaderAsync(group, survivors, Bound, notThis: leader.MemberId);
        await raft.ProposeRangeAsync(group, survivors, 20, 220, concurrency: 4, Bound, next.MemberId);
        var current = await raft.WaitForLeaderAsync(group, survivors, Bound);
        if (compacted)
        {
            Assert.True(current.FirstIndex > victimLast + 1, $"the leader still holds index {current.FirstIndex}, the dead member has {victimLast}");
        }

        await raft.StartSiloAsync(Bound);
        raft.Faults.Heal();
        var applied = await raft.WaitForConvergenceAsync(group, members, 220, Bound);

        // A proposal the harness retried after a lost answer may have committed twice; each command is there at least once.
        Assert.Equal(Enumerable.Range(0, 220), applied.Select(e => BitConverter.ToInt32(e.Data.Span)).Distinct().Order());
        var victim = await raft.Member(group, leader.MemberId).GetStatusAsync();
        var installed = raft.Logs.Raft.Where(l => l.Message.StartsWith($"Raft member {group}/{leader.MemberId} installed a snapshot", StringComparison.Ordinal));
        if (compacted)
        {
            Assert.NotEmpty(installed);
            Assert.True(victim.SnapshotIndex > victimLast, $"the returned member's snapshot is at {victim.SnapshotIndex}");
        }
        else
        {
            Assert.Empty(installed);
            Assert.Equal(0UL, victim.SnapshotIndex);
        }
    }
}
