using static OrleansRaft.Core.Tests.Paper.Logs;

namespace OrleansRaft.Core.Tests.Paper;

/// <summary>Figure 2, "Rules for Servers", candidates.</summary>
public sealed class CandidateRulesTests
{
    private static readonly ulong[] Three = [1, 2, 3];
    private static readonly ulong[] Five = [1, 2, 3, 4, 5];

    // Rule: on becoming a candidate a member increments its term, votes for itself, restarts its timer and asks every other member for its vote.
    [Fact]
    public void StartingAnElectionIncrementsTheTermVotesForSelfAndRequestsVotes()
    {
        var node = TestNode.Follower(1, Three, term: 4, log: [E(2, 1), E(4, 2)]);
        node.Tick(node.Node.RandomizedElectionTimeout);

        Assert.Equal(RaftRole.Candidate, node.Node.Role);
        Assert.Equal(5UL, node.Node.Term);
        Assert.Equal(1UL, node.Node.Vote);
        var ready = node.DrainReadies().Single();
        Assert.Equal(new HardState(5, 1, 0), ready.HardState);
        // The vote for itself must be durable before any vote request leaves.
        Assert.True(ready.MustSync);
        Assert.Equal(
            [
                "1->2 Vote term=5 last=4/2",
                "1->3 Vote term=5 last=4/2",
            ],
            Msg.Describe(ready.Messages));
    }

    // Rule: the candidate's timer restarts with the election: a full timeout passes before it tries again.
    [Fact]
    public void StartingAnElectionRestartsTheElectionTimer()
    {
        var node = TestNode.Candidate(1, Three);
        var timeout = node.Node.RandomizedElectionTimeout;

        node.Tick(timeout - 1);
        Assert.Equal(1UL, node.Node.Term);

        node.Tick();
        Assert.Equal(2UL, node.Node.Term);
    }

    // Rule: a candidate that receives votes from a majority becomes leader.
    [Fact]
    public void ACandidateWithVotesFromAMajorityBecomesLeader()
    {
        var node = TestNode.Candidate(1, Five);

        node.Step(Msg.VoteGrant(2, 1, 1));
        Assert.Equal(RaftRole.Candidate, node.Node.Role);

        // A repeated grant from the same member is not a second vote.
        node.Step(Msg.VoteGrant(2, 1, 1));
        Assert.Equal(RaftRole.Candidate, node.Node.Role);

        node.Step(Msg.VoteGrant(3, 1, 1));
        Assert.Equal(RaftRole.Leader, node.Node.Role);
        Assert.Equal(1UL, node.Node.Leader);
        Assert.Equal(1UL, node.Node.Term);
    }

    // Rule: a candidate that a majority refuses goes back to being a follower in its term.
    [Fact]
    public void ACandidateRefusedByAMajorityBecomesAFollower()
    {
        var node = TestNode.Candidate(1, Five);

        node.Step(Msg.VoteReject(2, 1, 1));
        node.Step(Msg.VoteReject(3, 1, 1));
        Assert.Equal(RaftRole.Candidate, node.Node.Role);

        node.Step(Msg.VoteReject(4, 1, 1));
        Assert.Equal(RaftRole.Follower, node.Node.Role);
        Assert.Equal(1UL, node.Node.Term);
        Assert.Equal(1UL, node.Node.Vote);
    }

    // Rule: a candidate that receives an append from a leader of its term or later becomes that leader's follower.
    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    public void ACandidateHearingFromANewLeaderBecomesItsFollower(ulong leaderTerm)
    {
        var node = TestNode.Candidate(1, Three);

        node.Step(Msg.Append(2, 1, leaderTerm, prevIndex: 0, prevTerm: 0, entries: [E(leaderTerm, 1)]));

        Assert.Equal(RaftRole.Follower, node.Node.Role);
        Assert.Equal(leaderTerm, node.Node.Term);
        Assert.Equal(2UL, node.Node.Leader);
        Assert.Equal([$"1->2 AppendResponse term={leaderTerm} index=1"], Msg.Describe(node.Drain()));
    }

    // Rule: an append from a leader of an older term does not stop the election.
    [Fact]
    public void ACandidateIgnoresAnAppendFromAnOlderTerm()
    {
        var node = TestNode.Candidate(1, Three, term: 3);

        node.Step(Msg.Append(2, 1, 3, prevIndex: 0, prevTerm: 0));

        Assert.Equal(RaftRole.Candidate, node.Node.Role);
        Assert.Equal(4UL, node.Node.Term);
    }

    // Rule: a candidate whose election timeout passes without a winner starts a new election in the next term.
    [Fact]
    public void ACandidateWhoseTimeoutPassesStartsANewElection()
    {
        var node = TestNode.Candidate(1, Three);
        node.Step(Msg.VoteReject(2, 1, 1));

        node.Tick(node.Node.RandomizedElectionTimeout);

        Assert.Equal(RaftRole.Candidate, node.Node.Role);
        Assert.Equal(2UL, node.Node.Term);
        Assert.Equal(1UL, node.Node.Vote);
        Assert.Equal(["1->2 Vote term=2 last=0/0", "1->3 Vote term=2 last=0/0"], Msg.Describe(node.Drain()));
    }
}
