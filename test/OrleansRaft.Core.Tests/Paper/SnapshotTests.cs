using System.Text;
using OrleansRaft.Core.Tests.Harness;
using OrleansRaft.Core.Tracking;
using static OrleansRaft.Core.Tests.Paper.Logs;

namespace OrleansRaft.Core.Tests.Paper;

/// <summary>Snapshots and InstallSnapshot (Raft §7): a follower behind the compaction point catches up from a snapshot.</summary>
public sealed class SnapshotTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    private static Snapshot SnapshotAt(ulong index, ulong term, string data = "state") =>
        new(new SnapshotMetadata(index, term, new MembershipConfiguration(Three)), Encoding.UTF8.GetBytes(data));

    // Snapshots: a follower that lags behind the leader's compaction point is sent the snapshot, installs it and catches up.
    [Fact]
    public void AFollowerBehindTheCompactionPointCatchesUpFromTheSnapshot()
    {
        var cluster = new RaftHarness(3);
        cluster.Elect(1);
        cluster.Isolate(3);
        foreach (var data in new[] { "a", "b", "c" })
        {
            cluster.Propose(1, data);
            cluster.Deliver();
        }

        var snapshot = cluster.Compact(1);
        Assert.Equal(4UL, snapshot.Index);
        Assert.Equal(5UL, cluster.Storage(1).FirstIndex);

        cluster.Heal();
        cluster.Propose(1, "d");
        var delivered = cluster.Deliver();

        var install = Assert.Single(delivered, m => m.Type == MessageType.InstallSnapshot);
        Assert.Equal((1UL, 3UL, 4UL), (install.From, install.To, install.Snapshot!.Index));
        Assert.Equal(4UL, cluster.Storage(3).Snapshot.Index);
        Assert.Equal(["a", "b", "c", "d"], cluster.Applied(3));
        Assert.Equal(5UL, cluster.AppliedIndex(3));
        Assert.Equal(new ReplicationProgress(5, 6, ReplicationState.Replicate), cluster.Node(1).GetStatus().Progress[3]);
    }

    // Snapshots: installing a snapshot appears in the Ready, with no committed entries beside it, and the state machine then stands at its index.
    [Fact]
    public void AnInstalledSnapshotAppearsInTheReady()
    {
        var follower = TestNode.Follower(2, Three, term: 1, log: [E(1, 1)]);
        var snapshot = SnapshotAt(5, 1);

        follower.Step(Msg.InstallSnapshot(1, 2, 1, snapshot));
        var ready = follower.DrainReadies().Single();

        Assert.Same(snapshot, ready.Snapshot);
        Assert.True(ready.MustSync);
        Assert.Empty(ready.Entries);
        Assert.Empty(ready.CommittedEntries);
        Assert.Equal(["2->1 AppendResponse term=1 index=5"], Msg.Describe(ready.Messages));
        Assert.Equal(new HardState(1, 0, 5), ready.HardState);
        Assert.Equal(5UL, follower.Node.AppliedIndex);
        Assert.Equal(5UL, follower.Node.LastIndex);
        Assert.Equal(6UL, follower.Storage.FirstIndex);
    }

    // Snapshots: a snapshot at or below the follower's commit index is stale; it is acknowledged at the commit index and ignored.
    [Fact]
    public void AStaleSnapshotIsIgnored()
    {
        var follower = TestNode.Follower(2, Three, term: 1, log: [E(1, 1), E(1, 2), E(1, 3)]);
        follower.Step(Msg.Append(1, 2, 1, prevIndex: 3, prevTerm: 1, commit: 3));
        follower.Drain();

        follower.Step(Msg.InstallSnapshot(1, 2, 1, SnapshotAt(2, 1)));
        var ready = follower.DrainReadies().Single();

        Assert.Null(ready.Snapshot);
        Assert.Equal(["2->1 AppendResponse term=1 index=3"], Msg.Describe(ready.Messages));
        Assert.Equal(1UL, follower.Storage.FirstIndex);
    }

    // Snapshots: a follower that already holds the snapshot's last entry keeps its log and only learns that the entry is committed;
    // it acknowledges no more than the snapshot's index, since the entries after it may not be the leader's.
    [Fact]
    public void AFollowerHoldingTheSnapshotsLastEntryAcknowledgesOnlyUpToIt()
    {
        var follower = TestNode.Follower(2, Three, term: 3, log: [E(1, 1), E(1, 2), E(1, 3), E(2, 4), E(2, 5)]);

        follower.Step(Msg.InstallSnapshot(1, 2, 3, SnapshotAt(3, 1)));
        var ready = follower.DrainReadies().Single();

        Assert.Null(ready.Snapshot);
        Assert.Equal(["2->1 AppendResponse term=3 index=3"], Msg.Describe(ready.Messages));
        Assert.Equal(3UL, follower.Node.CommitIndex);
        Assert.Equal([1UL, 1UL, 1UL, 2UL, 2UL], follower.PersistedTerms());
    }

    // Snapshots: a snapshot the transport failed to deliver is sent again once the follower answers.
    [Fact]
    public void AFailedSnapshotIsSentAgain()
    {
        var leader = TestNode.Leader(1, Three, term: 1, log: [E(1, 1), E(1, 2), E(1, 3)]);
        leader.Drain();
        leader.Step(Msg.AppendAck(2, 1, 2, 4));
        leader.Drain();
        Assert.Equal(4UL, leader.Node.CommitIndex);
        leader.Storage.CreateSnapshot(4, new MembershipConfiguration(Three), Encoding.UTF8.GetBytes("state"));

        // Member 3 answers the election's append with a rejection: it has nothing, and the log it needs is compacted.
        leader.Step(Msg.AppendReject(3, 1, 2, rejectedIndex: 3, hintIndex: 0, hintTerm: 0));
        Assert.Equal(["1->3 InstallSnapshot term=2 snapshot=2/4"], Msg.Describe(leader.Drain()));
        Assert.Equal(ReplicationState.Snapshot, leader.Node.GetStatus().Progress[3].State);

        leader.Node.ReportSnapshot(3, succeeded: false);
        Assert.Equal(new ReplicationProgress(0, 1, ReplicationState.Probe), leader.Node.GetStatus().Progress[3]);
        Assert.Empty(leader.Drain());

        leader.Step(Msg.HeartbeatAck(3, 1, 2));
        Assert.Equal(["1->3 InstallSnapshot term=2 snapshot=2/4"], Msg.Describe(leader.Drain()));
    }
}
