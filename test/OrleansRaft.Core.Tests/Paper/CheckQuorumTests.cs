using OrleansRaft.Core.Tests.Harness;

namespace OrleansRaft.Core.Tests.Paper;

/// <summary>
/// Check-quorum (Raft thesis §6.2): a leader that no quorum answers steps down, and followers that hear from a
/// leader ignore candidates (leader stickiness).
/// </summary>
public sealed class CheckQuorumTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    // Check-quorum: a leader cut off from the quorum steps down at the end of the first election timeout in which no quorum answered.
    [Fact]
    public void ALeaderCutOffFromTheQuorumStepsDown()
    {
        var cluster = new RaftHarness(3);
        cluster.Elect(1);
        cluster.Isolate(1);

        // The followers answered the election's appends, so the first window (ticks 1 to 10) still counts them;
        // the second window (ticks 11 to 20) hears nobody.
        var ticks = 0;
        while (cluster.Node(1).Role == RaftRole.Leader && ticks < 100)
        {
            cluster.Tick(1);
            cluster.Deliver();
            ticks++;
        }

        Assert.Equal(20, ticks);
        Assert.Equal(RaftRole.Follower, cluster.Node(1).Role);
        Assert.Equal(1UL, cluster.Node(1).Term);
        Assert.Equal(0UL, cluster.Node(1).Leader);
    }

    // Check-quorum: a leader that a quorum keeps answering stays leader, even with one member gone.
    [Fact]
    public void ALeaderThatAQuorumAnswersStaysLeader()
    {
        var cluster = new RaftHarness(3);
        cluster.Elect(1);
        cluster.Isolate(3);

        for (var i = 0; i < 100; i++)
        {
            cluster.Tick(1);
            cluster.Tick(2);
            cluster.Deliver();
        }

        Assert.Equal(1UL, cluster.Leader);
        Assert.Equal(1UL, cluster.Node(1).Term);
    }

    // Check-quorum: once the cut-off leader steps down, it takes no more proposals, so no client waits on a leader that cannot commit.
    [Fact]
    public void ALeaderThatSteppedDownRefusesProposals()
    {
        var cluster = new RaftHarness(3);
        cluster.Elect(1);
        cluster.Isolate(1);
        cluster.Tick(1, 20);

        Assert.Equal(new ProposeResult(ProposeStatus.NotLeader, 0, 0, 0), cluster.Propose(1, "x"));
    }

    // Check-quorum: a follower that heard from its leader within the election timeout ignores a vote request, even of a higher term.
    [Fact]
    public void AFollowerThatHearsFromItsLeaderIgnoresVoteRequests()
    {
        var follower = TestNode.Follower(1, Three, term: 1, configure: o => o.CheckQuorum = true);
        follower.Step(Msg.Heartbeat(2, 1, 1));
        follower.Drain();
        follower.Tick(9);

        follower.Step(Msg.Vote(3, 1, 2, lastIndex: 0, lastTerm: 0));

        Assert.Empty(follower.Drain());
        Assert.Equal(1UL, follower.Node.Term);
        Assert.Equal(0UL, follower.Node.Vote);
        Assert.Equal(2UL, follower.Node.Leader);
    }

    // Check-quorum: once a full election timeout passes without the leader, the follower answers vote requests again.
    [Fact]
    public void AFollowerThatStoppedHearingFromItsLeaderVotesAgain()
    {
        var follower = TestNode.Follower(1, Three, term: 1, configure: o => o.CheckQuorum = true);
        follower.Step(Msg.Heartbeat(2, 1, 1));
        follower.Drain();
        // The lease ends after ElectionTicks; this member's own timeout comes later, so it has not campaigned yet.
        Assert.True(follower.Node.RandomizedElectionTimeout > 10);
        follower.Tick(10);
        Assert.Equal(RaftRole.Follower, follower.Node.Role);

        follower.Step(Msg.Vote(3, 1, 2, lastIndex: 0, lastTerm: 0));

        Assert.Equal(["1->3 VoteResponse term=2 grant"], Msg.Describe(follower.Drain()));
        Assert.Equal(2UL, follower.Node.Term);
    }

    // Check-quorum: a leader ignores a vote request of a higher term while its own lease lasts.
    [Fact]
    public void ALeaderIgnoresVoteRequestsWhileItsLeaseLasts()
    {
        var leader = TestNode.Leader(1, Three, configure: o => o.CheckQuorum = true);

        leader.Step(Msg.Vote(3, 1, 5, lastIndex: 9, lastTerm: 9));

        Assert.Equal(RaftRole.Leader, leader.Node.Role);
        Assert.Equal(1UL, leader.Node.Term);
        Assert.Empty(leader.Drain());
    }
}
