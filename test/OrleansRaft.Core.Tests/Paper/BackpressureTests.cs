namespace OrleansRaft.Core.Tests.Paper;

/// <summary>Backpressure: a bound on the bytes proposed but not yet committed.</summary>
public sealed class BackpressureTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    // Backpressure: proposals that would take the uncommitted bytes past the bound are refused, and accepted again once entries commit.
    [Fact]
    public void ProposalsPastTheUncommittedBoundAreRefusedUntilEntriesCommit()
    {
        var leader = TestNode.Leader(1, Three, configure: o => o.MaxUncommittedEntriesSize = 10);

        Assert.Equal(new ProposeResult(ProposeStatus.Accepted, 2, 1, 1), leader.Node.Propose(new byte[6]));
        Assert.Equal(new ProposeResult(ProposeStatus.UncommittedLimitExceeded, 0, 0, 1), leader.Node.Propose(new byte[5]));
        // Exactly at the bound is still within it.
        Assert.Equal(new ProposeResult(ProposeStatus.Accepted, 3, 1, 1), leader.Node.Propose(new byte[4]));
        Assert.Equal(new ProposeResult(ProposeStatus.UncommittedLimitExceeded, 0, 0, 1), leader.Node.Propose(new byte[1]));

        leader.Drain();
        leader.Step(Msg.AppendAck(2, 1, 1, 3));
        leader.Drain();

        Assert.Equal(3UL, leader.Node.CommitIndex);
        Assert.Equal(new ProposeResult(ProposeStatus.Accepted, 4, 1, 1), leader.Node.Propose(new byte[10]));
    }

    // Backpressure: a single proposal larger than the bound could never be accepted, and says so.
    [Fact]
    public void AProposalLargerThanTheBoundIsTooLarge()
    {
        var leader = TestNode.Leader(1, Three, configure: o => o.MaxUncommittedEntriesSize = 10);

        Assert.Equal(new ProposeResult(ProposeStatus.TooLarge, 0, 0, 1), leader.Node.Propose(new byte[11]));
        // Even with nothing else uncommitted.
        Assert.Equal(new ProposeResult(ProposeStatus.Accepted, 2, 1, 1), leader.Node.Propose(new byte[10]));
    }

    // Backpressure: a bound of 0 means no bound.
    [Fact]
    public void ABoundOfZeroMeansNoBound()
    {
        var leader = TestNode.Leader(1, Three, configure: o => o.MaxUncommittedEntriesSize = 0);

        for (var i = 0; i < 10; i++)
        {
            Assert.True(leader.Node.Propose(new byte[1 << 20]).IsAccepted);
        }
    }

    // Backpressure: refused proposals leave the log untouched.
    [Fact]
    public void RefusedProposalsLeaveTheLogUntouched()
    {
        var leader = TestNode.Leader(1, Three, configure: o => o.MaxUncommittedEntriesSize = 10);
        leader.Node.Propose(new byte[10]);
        leader.Node.Propose(new byte[1]);
        leader.Node.Propose(new byte[11]);

        Assert.Equal(2UL, leader.Node.LastIndex);
    }
}
