using OrleansRaft.Core.Tests.Harness;
using static OrleansRaft.Core.Tests.Paper.Logs;

namespace OrleansRaft.Core.Tests.Paper;

/// <summary>ReadIndex (Raft thesis §6.4): linearizable reads without writing to the log.</summary>
public sealed class ReadIndexTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    /// <summary>A leader of term 1 whose empty entry is committed.</summary>
    private static TestNode LeaderWithCommittedTerm()
    {
        var leader = TestNode.Leader(1, Three);
        leader.Step(Msg.AppendAck(2, 1, 1, 1));
        leader.Drain();
        Assert.Equal(1UL, leader.Node.CommitIndex);
        return leader;
    }

    // ReadIndex: the leader releases a read only after a quorum answers a heartbeat round sent after the read arrived.
    [Fact]
    public void TheLeaderConfirmsLeadershipWithAHeartbeatRoundBeforeReleasingARead()
    {
        var leader = LeaderWithCommittedTerm();

        Assert.Equal(ReadIndexStatus.Pending, leader.Node.ReadIndex(7));
        var ready = leader.DrainReadies().Single();
        Assert.Empty(ready.ReadStates);
        Assert.Equal(["1->2 Heartbeat term=1 commit=1 round=1", "1->3 Heartbeat term=1 commit=0 round=1"], Msg.Describe(ready.Messages));

        // An answer to an earlier round confirms nothing about this read.
        leader.Step(Msg.HeartbeatAck(2, 1, 1, round: 0));
        leader.Drain();
        Assert.Empty(leader.ReadStates);

        leader.Step(Msg.HeartbeatAck(2, 1, 1, round: 1));
        leader.Drain();
        Assert.Equal([new ReadState(7, 1)], leader.ReadStates);
    }

    // ReadIndex: reads that arrive before the same Ready share one heartbeat round.
    [Fact]
    public void ReadsBeforeOneReadyShareOneHeartbeatRound()
    {
        var leader = LeaderWithCommittedTerm();

        leader.Node.ReadIndex(7);
        leader.Node.ReadIndex(8);
        var heartbeats = leader.Drain();
        Assert.Equal(2, heartbeats.Count);
        leader.Step(Msg.HeartbeatAck(3, 1, 1, round: 1));
        leader.Drain();

        Assert.Equal([new ReadState(7, 1), new ReadState(8, 1)], leader.ReadStates);
    }

    // ReadIndex: a new leader waits until an entry of its own term commits, so that its commit index is the latest.
    [Fact]
    public void ANewLeaderWaitsForAnEntryOfItsOwnTermBeforeServingReads()
    {
        var leader = TestNode.Leader(1, Three, term: 1, log: [E(1, 1), E(1, 2)]);

        Assert.Equal(ReadIndexStatus.Pending, leader.Node.ReadIndex(7));
        Assert.DoesNotContain(leader.Drain(), m => m.Type == MessageType.Heartbeat);

        leader.Step(Msg.AppendAck(2, 1, 2, 3));
        Assert.Equal(3UL, leader.Node.CommitIndex);
        var messages = leader.Drain();
        Assert.Equal(["1->2 Heartbeat term=2 commit=3 round=1", "1->3 Heartbeat term=2 commit=0 round=1"], Msg.Describe(messages, MessageType.Heartbeat));
        Assert.Empty(leader.ReadStates);

        leader.Step(Msg.HeartbeatAck(2, 1, 2, round: 1));
        leader.Drain();
        Assert.Equal([new ReadState(7, 3)], leader.ReadStates);
    }

    // ReadIndex: a leader deposed while a read waits never releases it, whatever answers arrive later.
    [Fact]
    public void ADeposedLeaderNeverReleasesARead()
    {
        var leader = LeaderWithCommittedTerm();
        leader.Node.ReadIndex(7);
        leader.Drain();

        leader.Step(Msg.Append(3, 1, 2, prevIndex: 1, prevTerm: 1));
        leader.Step(Msg.HeartbeatAck(2, 1, 1, round: 1));
        leader.Step(Msg.HeartbeatAck(2, 1, 2, round: 1));
        leader.Drain();

        Assert.Equal(RaftRole.Follower, leader.Node.Role);
        Assert.Empty(leader.ReadStates);
        Assert.Equal(ReadIndexStatus.NotLeader, leader.Node.ReadIndex(8));
    }

    // ReadIndex: only the leader serves linearizable reads.
    [Fact]
    public void AFollowerRefusesAReadIndexRequest()
    {
        var follower = TestNode.Follower(2, Three, term: 1);

        Assert.Equal(ReadIndexStatus.NotLeader, follower.Node.ReadIndex(7));
        Assert.False(follower.Node.HasReady);
    }

    // ReadIndex: the read index is the commit index when the read arrived, not a later one.
    [Fact]
    public void TheReadIndexIsTheCommitIndexWhenTheReadArrived()
    {
        var cluster = new RaftHarness(3);
        cluster.Elect(1);
        cluster.Propose(1, "a");
        cluster.Deliver();

        cluster.Node(1).ReadIndex(7);
        cluster.Propose(1, "b");
        cluster.Deliver();

        Assert.Equal([new ReadState(7, 2)], cluster.ReadStates(1));
        Assert.Equal(3UL, cluster.Node(1).CommitIndex);
    }

    // ReadIndex: in a group of one, the read is released as soon as the leader's term has a committed entry.
    [Fact]
    public void ASingleMemberReleasesReadsWithoutARound()
    {
        var node = TestNode.Leader(1, [1]);
        Assert.Equal(RaftRole.Leader, node.Node.Role);
        Assert.Equal(1UL, node.Node.CommitIndex);

        node.Node.ReadIndex(7);
        var ready = node.DrainReadies().Single();

        Assert.Empty(ready.Messages);
        Assert.Equal([new ReadState(7, 1)], ready.ReadStates);
    }
}
