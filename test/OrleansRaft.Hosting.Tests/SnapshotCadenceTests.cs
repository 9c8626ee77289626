using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Tests.Infrastructure;

namespace OrleansRaft.Hosting.Tests;

/// <summary>
/// When members snapshot: at every <c>SnapshotEveryEntries</c> boundary, once the log since the last snapshot weighs
/// <c>SnapshotLogRatio</c> times that snapshot, the snapshot's data written beside the Ready loop and then installed.
/// </summary>
public sealed class SnapshotCadenceTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(0.0)]
    [InlineData(1000.0)]
    public async Task A_member_snapshots_again_only_once_its_log_outweighs_its_last_snapshot(double ratio)
    {
        await using var raft = await RaftCluster.StartAsync(3, configure: o =>
        {
            o.SnapshotEveryEntries = 10;
            o.SnapshotLogRatio = ratio;
        });
        const string group = "cadence";
        var members = await raft.CreateGroupAsync(group, 3);
        var leader = await raft.WaitForLeaderAsync(group, members, Bound);
        await raft.ProposeRangeAsync(group, members, 0, 60, concurrency: 1, Bound, leader.MemberId);

        // The first snapshot weighs against an empty one, so every member takes it within its first 20 entries (its
        // phase shifts the boundary by up to two thirds of the interval). Counting alone, the members keep snapshotting
        // every 10 entries; a thousand times their last snapshot is far more than 60 entries of log.
        RaftMemberStatus[] statuses = [];
        await RaftCluster.WaitUntilAsync(async () =>
        {
            statuses = [.. (await raft.StatusesAsync(group, members)).OfType<RaftMemberStatus>()];
            return statuses.Length == 3 && statuses.All(s => s.Applied >= 60 && s.SnapshotIndex > 0 && (ratio > 0 || s.SnapshotIndex >= 50));
        }, Bound, "every member to apply the commands and snapshot");

        if (ratio > 0)
        {
            Assert.All(statuses, s => Assert.InRange(s.SnapshotIndex, 1UL, 20UL));
        }
    }
}
