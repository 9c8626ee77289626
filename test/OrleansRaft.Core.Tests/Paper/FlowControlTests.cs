using System.Text;
using OrleansRaft.Core.Tracking;

namespace OrleansRaft.Core.Tests.Paper;

/// <summary>Flow control: per-follower probe and replicate states, and a bound on appends in flight.</summary>
public sealed class FlowControlTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    private static void Propose(TestNode leader, string data) =>
        Assert.True(leader.Node.Propose(Encoding.UTF8.GetBytes(data)).IsAccepted);

    /// <summary>The last index of each append with entries sent to <paramref name="to"/>.</summary>
    private static ulong[] AppendsTo(IEnumerable<Message> messages, ulong to) =>
        messages.Where(m => m.Type == MessageType.Append && m.To == to && m.Entries.Length > 0).Select(m => m.Entries[^1].Index).ToArray();

    // Flow control: a follower whose match point is unknown is probed with one append at a time.
    [Fact]
    public void AProbedFollowerGetsOneAppendAtATime()
    {
        var leader = TestNode.Leader(1, Three);
        Assert.Equal(ReplicationState.Probe, leader.Node.GetStatus().Progress[2].State);

        // The election's append to member 2 is unanswered: nothing more goes to it.
        Propose(leader, "a");
        Propose(leader, "b");
        Assert.Empty(leader.Drain());

        leader.Step(Msg.AppendAck(2, 1, 1, 1));
        Assert.Equal(ReplicationState.Replicate, leader.Node.GetStatus().Progress[2].State);
        Assert.Equal(
            [
                "1->2 Append term=1 prev=1/1 commit=1 entries=[1/2[1] 1/3[1]]",
                // The commit index moved to 1 with this acknowledgement, and is broadcast.
                "1->2 Append term=1 prev=1/3 commit=1 entries=[]",
            ],
            Msg.Describe(leader.Drain()));
        Assert.Equal(ReplicationState.Probe, leader.Node.GetStatus().Progress[3].State);
    }

    // Flow control: a heartbeat answer from a probed follower lets the leader probe it again (the probe may have been lost).
    [Fact]
    public void AHeartbeatAnswerResumesProbing()
    {
        var leader = TestNode.Leader(1, Three);

        leader.Step(Msg.HeartbeatAck(2, 1, 1));

        Assert.Equal(["1->2 Append term=1 prev=0/0 commit=0 entries=[1/1[0]]"], Msg.Describe(leader.Drain()));
    }

    // Flow control: in the replicate state, no more than MaxInflightMessages appends are unacknowledged at any time.
    [Fact]
    public void AReplicatingFollowerNeverHasMoreAppendsInFlightThanTheBound()
    {
        var leader = TestNode.Leader(1, Three, configure: o =>
        {
            o.MaxInflightMessages = 2;
            // One entry per append, so that every proposal needs its own message.
            o.MaxSizePerMessage = 1;
        });
        leader.Step(Msg.AppendAck(2, 1, 1, 1));
        leader.Drain();

        var sent = new List<ulong>();
        foreach (var data in new[] { "a", "b", "c", "d", "e" })
        {
            Propose(leader, data);
            sent.AddRange(AppendsTo(leader.Drain(), 2));
        }

        Assert.Equal([2UL, 3UL], sent);

        // Each acknowledgement frees the window up to the index it acknowledges.
        leader.Step(Msg.AppendAck(2, 1, 1, 2));
        Assert.Equal([4UL], AppendsTo(leader.Drain(), 2));
        leader.Step(Msg.AppendAck(2, 1, 1, 4));
        Assert.Equal([5UL, 6UL], AppendsTo(leader.Drain(), 2));
        leader.Step(Msg.AppendAck(2, 1, 1, 6));
        Assert.Empty(AppendsTo(leader.Drain(), 2));
        Assert.Equal(new ReplicationProgress(6, 7, ReplicationState.Replicate), leader.Node.GetStatus().Progress[2]);
    }

    // Flow control: a rejection in the replicate state sends the follower back to probing from its match point.
    [Fact]
    public void ARejectionReturnsAReplicatingFollowerToProbing()
    {
        var leader = TestNode.Leader(1, Three);
        leader.Step(Msg.AppendAck(2, 1, 1, 1));
        Propose(leader, "a");
        Propose(leader, "b");
        leader.Drain();

        leader.Step(Msg.AppendReject(2, 1, 1, rejectedIndex: 1, hintIndex: 1, hintTerm: 1));
        Assert.Equal(ReplicationState.Replicate, leader.Node.GetStatus().Progress[2].State);

        leader.Step(Msg.AppendReject(2, 1, 1, rejectedIndex: 3, hintIndex: 1, hintTerm: 1));
        Assert.Equal(new ReplicationProgress(1, 2, ReplicationState.Probe), leader.Node.GetStatus().Progress[2]);
        Assert.Equal(["1->2 Append term=1 prev=1/1 commit=1 entries=[1/2[1] 1/3[1]]"], Msg.Describe(leader.Drain()));
    }

    // Flow control: a transport that reports a member unreachable makes the leader stop streaming to it and probe instead.
    [Fact]
    public void AnUnreachableFollowerIsProbed()
    {
        var leader = TestNode.Leader(1, Three);
        leader.Step(Msg.AppendAck(2, 1, 1, 1));
        leader.Drain();

        leader.Node.ReportUnreachable(2);

        Assert.Equal(ReplicationState.Probe, leader.Node.GetStatus().Progress[2].State);
    }
}
