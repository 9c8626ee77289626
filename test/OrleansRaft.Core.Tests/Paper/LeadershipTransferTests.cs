using OrleansRaft.Core.Tests.Harness;

namespace OrleansRaft.Core.Tests.Paper;

/// <summary>Leadership transfer (Raft thesis §3.10): catch the target up, then tell it to campaign at once.</summary>
public sealed class LeadershipTransferTests
{
    // Transfer: an up-to-date target is told to time out now, and wins the next term despite the followers' leader stickiness.
    [Fact]
    public void LeadershipPassesToAnUpToDateTarget()
    {
        var cluster = new RaftHarness(3);
        cluster.Elect(1);

        Assert.Equal(TransferStatus.Started, cluster.Node(1).TransferLeadership(3));
        var delivered = cluster.Deliver();

        Assert.Equal(3UL, cluster.Leader);
        Assert.All(cluster.Ids, id => Assert.Equal(2UL, cluster.Node(id).Term));
        Assert.Equal(3UL, cluster.Node(1).Leader);
        Assert.Single(delivered, m => m.Type == MessageType.TimeoutNow && m.From == 1 && m.To == 3);
    }

    // Transfer: a lagging target is first brought up to date, and only then told to time out.
    [Fact]
    public void ALaggingTargetIsCaughtUpBeforeItIsToldToCampaign()
    {
        var cluster = new RaftHarness(3);
        cluster.Elect(1);
        cluster.Isolate(3);
        cluster.Propose(1, "a");
        cluster.Propose(1, "b");
        cluster.Deliver();
        cluster.Heal();

        Assert.Equal(TransferStatus.Started, cluster.Node(1).TransferLeadership(3));
        var delivered = cluster.Deliver();

        Assert.Equal(3UL, cluster.Leader);
        var timeoutNow = delivered.FindIndex(m => m.Type == MessageType.TimeoutNow);
        var caughtUp = delivered.FindIndex(m => m is { Type: MessageType.AppendResponse, From: 3, Reject: false, Index: 3 });
        Assert.True(caughtUp >= 0 && caughtUp < timeoutNow, "TimeoutNow must follow the target's acknowledgement of the last entry.");
        Assert.Equal(["a", "b"], cluster.Applied(3));
    }

    // Transfer: while a transfer is under way the leader refuses proposals.
    [Fact]
    public void TheLeaderRefusesProposalsDuringATransfer()
    {
        var cluster = new RaftHarness(3);
        cluster.Elect(1);
        cluster.Isolate(3);
        cluster.Node(1).TransferLeadership(3);

        Assert.Equal(new ProposeResult(ProposeStatus.LeadershipTransferInProgress, 0, 0, 1), cluster.Propose(1, "x"));
        Assert.Equal(3UL, cluster.Node(1).LeadTransferee);
    }

    // Transfer: a transfer that does not finish within an election timeout is abandoned and the leader takes proposals again.
    [Fact]
    public void ATransferThatDoesNotFinishWithinAnElectionTimeoutIsAbandoned()
    {
        var cluster = new RaftHarness(3);
        cluster.Elect(1);
        cluster.Isolate(3);
        cluster.Node(1).TransferLeadership(3);

        for (var i = 0; i < 9; i++)
        {
            cluster.Tick(1);
            cluster.Deliver();
        }

        Assert.Equal(3UL, cluster.Node(1).LeadTransferee);
        cluster.Tick(1);
        cluster.Deliver();

        Assert.Equal(0UL, cluster.Node(1).LeadTransferee);
        Assert.Equal(1UL, cluster.Leader);
        Assert.True(cluster.Propose(1, "x").IsAccepted);
    }

    // Transfer: requests that make no sense are refused with a reason.
    [Fact]
    public void TransferRequestsThatMakeNoSenseAreRefused()
    {
        var cluster = new RaftHarness([1, 2, 3], [4]);
        cluster.Elect(1);

        Assert.Equal(TransferStatus.NotLeader, cluster.Node(2).TransferLeadership(3));
        Assert.Equal(TransferStatus.NotAVoter, cluster.Node(1).TransferLeadership(4));
        Assert.Equal(TransferStatus.NotAVoter, cluster.Node(1).TransferLeadership(9));
        Assert.Equal(TransferStatus.AlreadyInProgress, cluster.Node(1).TransferLeadership(1));
        cluster.Isolate(3);
        Assert.Equal(TransferStatus.Started, cluster.Node(1).TransferLeadership(3));
        Assert.Equal(TransferStatus.AlreadyInProgress, cluster.Node(1).TransferLeadership(3));
    }
}
