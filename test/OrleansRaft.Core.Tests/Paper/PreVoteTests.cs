using OrleansRaft.Core.Tests.Harness;
using static OrleansRaft.Core.Tests.Paper.Logs;

namespace OrleansRaft.Core.Tests.Paper;

/// <summary>Pre-vote (Raft thesis §9.6): a member first asks whether it could win before it raises its term.</summary>
public sealed class PreVoteTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    // Pre-vote: a pre-candidate asks for votes in the next term without changing its own term or vote.
    [Fact]
    public void APreCandidateAsksForTheNextTermWithoutChangingItsOwn()
    {
        var node = TestNode.Follower(1, Three, term: 3, log: [E(2, 1)], configure: o => o.PreVote = true);

        node.Node.Campaign();

        Assert.Equal(RaftRole.PreCandidate, node.Node.Role);
        Assert.Equal(3UL, node.Node.Term);
        Assert.Equal(0UL, node.Node.Vote);
        var ready = node.DrainReadies().Single();
        Assert.Null(ready.HardState);
        Assert.Equal(["1->2 PreVote term=4 last=2/1", "1->3 PreVote term=4 last=2/1"], Msg.Describe(ready.Messages));
    }

    // Pre-vote: a pre-candidate that wins the pre-vote starts the real election in the next term.
    [Fact]
    public void AWonPreVoteStartsTheRealElection()
    {
        var node = TestNode.Follower(1, Three, term: 3, configure: o => o.PreVote = true);
        node.Node.Campaign();
        node.Drain();

        node.Step(Msg.VoteGrant(2, 1, 4, MessageType.PreVoteResponse));

        Assert.Equal(RaftRole.Candidate, node.Node.Role);
        Assert.Equal(4UL, node.Node.Term);
        Assert.Equal(["1->2 Vote term=4 last=0/0", "1->3 Vote term=4 last=0/0"], Msg.Describe(node.Drain()));
    }

    // Pre-vote: a pre-candidate that hears from a leader of its own term gives up and follows it.
    [Fact]
    public void APreCandidateHearingFromALeaderOfItsTermFollowsIt()
    {
        var node = TestNode.Follower(1, Three, term: 3, configure: o => o.PreVote = true);
        node.Node.Campaign();
        node.Drain();

        node.Step(Msg.Heartbeat(2, 1, 3));

        Assert.Equal(RaftRole.Follower, node.Node.Role);
        Assert.Equal(3UL, node.Node.Term);
        Assert.Equal(2UL, node.Node.Leader);
    }

    // Pre-vote: a pre-candidate refused by a majority returns to being a follower, its term unchanged.
    [Fact]
    public void ALostPreVoteLeavesTheTermUnchanged()
    {
        var node = TestNode.Follower(1, Three, term: 3, configure: o => o.PreVote = true);
        node.Node.Campaign();
        node.Drain();

        node.Step(Msg.VoteReject(2, 1, 3, MessageType.PreVoteResponse));
        node.Step(Msg.VoteReject(3, 1, 3, MessageType.PreVoteResponse));

        Assert.Equal(RaftRole.Follower, node.Node.Role);
        Assert.Equal(3UL, node.Node.Term);
        Assert.Null(node.DrainReadies().SingleOrDefault()?.HardState);
    }

    // Pre-vote: granting a pre-vote changes neither the voter's term nor its vote.
    [Fact]
    public void GrantingAPreVoteChangesNothingOnTheVoter()
    {
        var voter = TestNode.Follower(2, Three, term: 3, configure: o => o.PreVote = true);

        voter.Step(Msg.Vote(1, 2, 4, lastIndex: 0, lastTerm: 0, MessageType.PreVote));

        var ready = voter.DrainReadies().Single();
        Assert.Equal(["2->1 PreVoteResponse term=4 grant"], Msg.Describe(ready.Messages));
        Assert.Null(ready.HardState);
        Assert.Equal(3UL, voter.Node.Term);
        Assert.Equal(0UL, voter.Node.Vote);
    }

    // Pre-vote: a member cut off from the others keeps failing its pre-votes; back, it neither raises the term nor deposes the leader.
    [Fact]
    public void APartitionedMemberRejoiningDoesNotRaiseTheTermNorDeposeTheLeader()
    {
        var cluster = new RaftHarness(3);
        cluster.Elect(1);
        Assert.Equal(1UL, cluster.Node(1).Term);

        cluster.Isolate(3);
        for (var i = 0; i < 100; i++)
        {
            cluster.TickAll();
            cluster.Deliver();
        }

        Assert.Equal(1UL, cluster.Node(3).Term);
        Assert.Equal(RaftRole.PreCandidate, cluster.Node(3).Role);

        cluster.Heal();
        for (var i = 0; i < 30; i++)
        {
            cluster.TickAll();
            cluster.Deliver();
        }

        Assert.Equal(1UL, cluster.Leader);
        Assert.All(cluster.Ids, id => Assert.Equal(1UL, cluster.Node(id).Term));
        Assert.Equal(1UL, cluster.Node(3).Leader);
        Assert.Equal(RaftRole.Follower, cluster.Node(3).Role);
    }

    // Pre-vote, even without check-quorum: a rejoining member whose log fell behind is refused and changes no term.
    [Fact]
    public void APreVoteFromAMemberWhoseLogFellBehindIsRefused()
    {
        var cluster = new RaftHarness(3, o => o.CheckQuorum = false);
        cluster.Elect(1);
        cluster.Isolate(3);
        cluster.Propose(1, "a");
        cluster.Deliver();

        cluster.Heal();
        cluster.Node(3).Campaign();
        cluster.Deliver();

        Assert.Equal(1UL, cluster.Leader);
        Assert.All(cluster.Ids, id => Assert.Equal(1UL, cluster.Node(id).Term));
        Assert.Equal(RaftRole.Follower, cluster.Node(3).Role);
    }

    // For contrast, without pre-vote: the rejoining member's higher term deposes the leader.
    [Fact]
    public void WithoutPreVoteARejoiningMemberDeposesTheLeader()
    {
        var cluster = new RaftHarness(3, o =>
        {
            o.PreVote = false;
            o.CheckQuorum = false;
        });
        cluster.Elect(1);
        cluster.Isolate(3);
        TickUntil(cluster, 3, () => cluster.Node(3).Term == 2);

        cluster.Heal();
        // Member 3 ignores the old term's heartbeats, times out again, and its vote requests raise everyone's term.
        TickUntil(cluster, 3, () => cluster.Node(3).Term == 3);

        Assert.Equal(3UL, cluster.Leader);
        Assert.Equal(RaftRole.Follower, cluster.Node(1).Role);
        Assert.All(cluster.Ids, id => Assert.Equal(3UL, cluster.Node(id).Term));
    }

    /// <summary>Ticks one member and delivers, until the condition holds (within three election timeouts).</summary>
    private static void TickUntil(RaftHarness cluster, ulong id, Func<bool> condition)
    {
        for (var i = 0; i < 60 && !condition(); i++)
        {
            cluster.Tick(id);
            cluster.Deliver();
        }

        Assert.True(condition(), "The condition did not hold within 60 ticks.");
    }
}
