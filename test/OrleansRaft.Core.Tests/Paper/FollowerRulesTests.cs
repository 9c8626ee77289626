using static OrleansRaft.Core.Tests.Paper.Logs;

namespace OrleansRaft.Core.Tests.Paper;

/// <summary>Figure 2, "Rules for Servers", followers.</summary>
public sealed class FollowerRulesTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    // Rule: a follower answers the requests of candidates and leaders.
    [Fact]
    public void AFollowerAnswersAppendsAndVoteRequests()
    {
        var follower = TestNode.Follower(1, Three, term: 1);

        follower.Step(Msg.Append(2, 1, 1, prevIndex: 0, prevTerm: 0, entries: [E(1, 1, "x")]));
        follower.Step(Msg.Heartbeat(2, 1, 1, commit: 1, round: 4));
        follower.Step(Msg.Vote(3, 1, 2, lastIndex: 1, lastTerm: 1));

        Assert.Equal(
            [
                "1->2 AppendResponse term=1 index=1",
                "1->2 HeartbeatResponse term=1 round=4",
                "1->3 VoteResponse term=2 grant",
            ],
            Msg.Describe(follower.Drain()));
    }

    // Rule: a follower that hears from no leader and grants no vote for an election timeout becomes a candidate.
    [Fact]
    public void AFollowerThatHearsNothingForAnElectionTimeoutBecomesACandidate()
    {
        var follower = TestNode.Follower(1, Three, term: 1);
        var timeout = follower.Node.RandomizedElectionTimeout;

        follower.Tick(timeout - 1);
        Assert.Equal(RaftRole.Follower, follower.Node.Role);

        follower.Tick();
        Assert.Equal(RaftRole.Candidate, follower.Node.Role);
        Assert.Equal(2UL, follower.Node.Term);
    }

    // Rule: hearing from the current leader restarts the election timer.
    [Fact]
    public void AppendsFromTheLeaderKeepAFollowerFromCampaigning()
    {
        var follower = TestNode.Follower(1, Three, term: 1);
        var timeout = follower.Node.RandomizedElectionTimeout;

        for (var round = 0; round < 5; round++)
        {
            follower.Tick(timeout - 1);
            follower.Step(Msg.Heartbeat(2, 1, 1));
        }

        Assert.Equal(RaftRole.Follower, follower.Node.Role);
        Assert.Equal(1UL, follower.Node.Term);
        Assert.Equal(2UL, follower.Node.Leader);
    }

    // Rule: granting a vote also restarts the election timer.
    [Fact]
    public void GrantingAVoteRestartsTheElectionTimer()
    {
        // The vote request is of our own term, so nothing but the grant can restart the timer.
        var follower = TestNode.Follower(1, Three, term: 2);
        var timeout = follower.Node.RandomizedElectionTimeout;
        follower.Tick(timeout - 1);

        follower.Step(Msg.Vote(2, 1, 2, lastIndex: 0, lastTerm: 0));
        Assert.Equal(2UL, follower.Node.Vote);
        Assert.Equal(timeout, follower.Node.RandomizedElectionTimeout);
        follower.Tick(timeout - 1);
        Assert.Equal(RaftRole.Follower, follower.Node.Role);

        follower.Tick();
        Assert.Equal(RaftRole.Candidate, follower.Node.Role);
        Assert.Equal(3UL, follower.Node.Term);
    }

    // Rule: a member that is not a voter never starts an election, however long it waits.
    [Fact]
    public void ALearnerNeverCampaigns()
    {
        var storage = new MemoryLogStore(new MembershipConfiguration([1, 2, 3], [4]));
        var learner = new RaftNode(TestNode.BasicOptions(4), storage);

        for (var i = 0; i < 100; i++)
        {
            learner.Tick();
        }

        learner.Campaign();
        Assert.Equal(RaftRole.Follower, learner.Role);
        Assert.Equal(0UL, learner.Term);
    }
}
