using OrleansRaft.Core.Tracking;

namespace OrleansRaft.Core.Tests.Unit;

public sealed class ProgressTrackerTests
{
    private static ProgressTracker Tracker(ulong[] voters, ulong[]? learners = null)
    {
        var tracker = new ProgressTracker(4);
        tracker.SetConfiguration(new MembershipConfiguration(voters, learners), 1);
        return tracker;
    }

    [Theory]
    [InlineData(new ulong[] { 5 }, 5UL)]
    [InlineData(new ulong[] { 5, 3 }, 3UL)]
    [InlineData(new ulong[] { 5, 3, 1 }, 3UL)]
    [InlineData(new ulong[] { 5, 3, 1, 9 }, 3UL)]
    [InlineData(new ulong[] { 5, 3, 1, 9, 7 }, 5UL)]
    public void TheQuorumMatchIndexIsHeldByAMajorityOfVoters(ulong[] matches, ulong expected)
    {
        var voters = Enumerable.Range(1, matches.Length).Select(i => (ulong)i).ToArray();
        var tracker = Tracker(voters);
        for (var i = 0; i < matches.Length; i++)
        {
            tracker.Progress[voters[i]].Match = matches[i];
        }

        Assert.Equal(expected, tracker.QuorumMatchIndex());
    }

    [Fact]
    public void LearnersDoNotCountTowardsTheQuorum()
    {
        var tracker = Tracker([1, 2, 3], [4, 5]);
        tracker.Progress[1].Match = 8;
        tracker.Progress[4].Match = 8;
        tracker.Progress[5].Match = 8;

        Assert.Equal(0UL, tracker.QuorumMatchIndex());
        Assert.True(tracker.Progress[4].IsLearner);
        Assert.Equal(2, tracker.QuorumSize);
    }

    [Fact]
    public void AnEmptyConfigurationHasNoQuorumIndex()
    {
        Assert.Equal(0UL, Tracker([]).QuorumMatchIndex());
    }

    [Fact]
    public void VotesAreWonByAMajorityAndLostWhenAMajorityIsOutOfReach()
    {
        var tracker = Tracker([1, 2, 3, 4, 5]);
        tracker.RecordVote(1, true);
        tracker.RecordVote(2, false);
        tracker.RecordVote(3, false);
        Assert.Equal(VoteResult.Pending, tracker.TallyVotes());

        tracker.RecordVote(4, true);
        Assert.Equal(VoteResult.Pending, tracker.TallyVotes());

        tracker.RecordVote(5, true);
        Assert.Equal(VoteResult.Won, tracker.TallyVotes());

        tracker.ResetVotes();
        tracker.RecordVote(1, false);
        tracker.RecordVote(2, false);
        tracker.RecordVote(3, false);
        Assert.Equal(VoteResult.Lost, tracker.TallyVotes());
    }

    [Fact]
    public void AMembersFirstVoteCountsAndLearnersDoNotVote()
    {
        var tracker = Tracker([1, 2, 3], [4]);
        tracker.RecordVote(1, true);
        tracker.RecordVote(2, false);
        tracker.RecordVote(2, true);
        tracker.RecordVote(4, true);

        Assert.Equal(VoteResult.Pending, tracker.TallyVotes());
    }

    [Fact]
    public void TheQuorumIsActiveWhenAMajorityIncludingSelfWasHeardFrom()
    {
        var tracker = Tracker([1, 2, 3, 4, 5]);
        tracker.Progress[2].RecentActive = true;
        Assert.False(tracker.QuorumActive(1));

        tracker.Progress[3].RecentActive = true;
        Assert.True(tracker.QuorumActive(1));
    }

    [Fact]
    public void TheQuorumReadRoundIsTheRoundAMajorityAcknowledged()
    {
        var tracker = Tracker([1, 2, 3]);
        tracker.Progress[1].AckedReadRound = 4;
        tracker.Progress[2].AckedReadRound = 3;
        tracker.Progress[3].AckedReadRound = 1;

        Assert.Equal(3UL, tracker.QuorumReadRound());
    }
}
