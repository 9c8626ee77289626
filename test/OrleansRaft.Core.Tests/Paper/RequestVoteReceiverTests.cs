using static OrleansRaft.Core.Tests.Paper.Logs;

namespace OrleansRaft.Core.Tests.Paper;

/// <summary>Figure 2, "RequestVote RPC", receiver implementation, rules 1 and 2.</summary>
public sealed class RequestVoteReceiverTests
{
    private static readonly ulong[] Three = [1, 2, 3];

    // Rule 1: a vote request from an older term is not granted, and changes nothing.
    [Fact]
    public void Rule1AVoteRequestFromAnOlderTermIsNotGranted()
    {
        var voter = TestNode.Follower(1, Three, term: 3);

        voter.Step(Msg.Vote(2, 1, 2, lastIndex: 5, lastTerm: 2));

        Assert.DoesNotContain(voter.Drain(), m => m.Type == MessageType.VoteResponse && !m.Reject);
        Assert.Equal(0UL, voter.Node.Vote);
        Assert.Equal(3UL, voter.Node.Term);
    }

    // Rule 2: a member that has not voted in this term grants its vote to a candidate whose log is up to date.
    [Fact]
    public void Rule2AMemberThatHasNotVotedGrantsItsVote()
    {
        var voter = TestNode.Follower(1, Three, term: 1, log: [E(1, 1)]);

        voter.Step(Msg.Vote(2, 1, 2, lastIndex: 1, lastTerm: 1));

        var ready = voter.DrainReadies().Single();
        Assert.Equal(["1->2 VoteResponse term=2 grant"], Msg.Describe(ready.Messages));
        // The vote is durable before the grant leaves.
        Assert.Equal(new HardState(2, 2, 0), ready.HardState);
        Assert.True(ready.MustSync);
    }

    // Rule 2: a member votes at most once per term, for the first candidate it grants.
    [Fact]
    public void Rule2AMemberVotesForAtMostOneCandidatePerTerm()
    {
        var voter = TestNode.Follower(1, Three, term: 1);

        voter.Step(Msg.Vote(2, 1, 2, lastIndex: 0, lastTerm: 0));
        voter.Step(Msg.Vote(3, 1, 2, lastIndex: 0, lastTerm: 0));

        Assert.Equal(["1->2 VoteResponse term=2 grant", "1->3 VoteResponse term=2 reject"], Msg.Describe(voter.Drain()));
        Assert.Equal(2UL, voter.Node.Vote);
    }

    // Rule 2: the vote of a term survives a restart, so a restarted member cannot vote a second time.
    [Fact]
    public void Rule2TheVoteSurvivesARestart()
    {
        var voter = TestNode.Follower(1, Three, term: 1);
        voter.Step(Msg.Vote(2, 1, 2, lastIndex: 0, lastTerm: 0));
        voter.Drain();

        var restarted = new RaftNode(TestNode.BasicOptions(1), voter.Storage);
        restarted.Step(Msg.Vote(3, 1, 2, lastIndex: 0, lastTerm: 0));

        Assert.Equal(2UL, restarted.Vote);
        Assert.Equal(["1->3 VoteResponse term=2 reject"], Msg.Describe(restarted.GetReady().Messages));
    }

    // Rule 2: a repeated request from the candidate already voted for is granted again (the request is idempotent).
    [Fact]
    public void Rule2ARepeatedRequestFromTheSameCandidateIsGrantedAgain()
    {
        var voter = TestNode.Follower(1, Three, term: 1);

        voter.Step(Msg.Vote(2, 1, 2, lastIndex: 0, lastTerm: 0));
        voter.Step(Msg.Vote(2, 1, 2, lastIndex: 0, lastTerm: 0));

        Assert.Equal(["1->2 VoteResponse term=2 grant", "1->2 VoteResponse term=2 grant"], Msg.Describe(voter.Drain()));
    }

    // Rule 2 (§5.4.1): the vote is refused to a candidate whose log is less up to date than the voter's.
    [Theory]
    [InlineData(2UL, 1UL, false)] // last term lower, log longer
    [InlineData(2UL, 2UL, false)] // same last term, log shorter
    [InlineData(3UL, 2UL, true)] // same last term, same length
    [InlineData(4UL, 2UL, true)] // same last term, log longer
    [InlineData(1UL, 3UL, true)] // last term higher, log shorter
    public void Rule2TheVoteGoesOnlyToACandidateWhoseLogIsAtLeastAsUpToDate(ulong lastIndex, ulong lastTerm, bool granted)
    {
        var voter = TestNode.Follower(1, Three, term: 2, log: [E(1, 1), E(2, 2), E(2, 3)]);

        voter.Step(Msg.Vote(2, 1, 3, lastIndex, lastTerm));

        var reply = voter.Drain().Single();
        Assert.Equal(!granted, reply.Reject);
        Assert.Equal(granted ? 2UL : 0UL, voter.Node.Vote);
        // A refused candidate's term is still adopted.
        Assert.Equal(3UL, voter.Node.Term);
    }
}
