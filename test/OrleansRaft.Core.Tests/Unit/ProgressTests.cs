using OrleansRaft.Core.Tracking;

namespace OrleansRaft.Core.Tests.Unit;

public sealed class ProgressTests
{
    private static Progress Replicating(ulong match, int maxInflight = 4)
    {
        var progress = new Progress(match + 1, maxInflight, isLearner: false) { Match = match };
        progress.BecomeReplicate();
        return progress;
    }

    [Fact]
    public void ANewProgressProbes()
    {
        var progress = new Progress(5, 4, isLearner: false);

        Assert.Equal(ReplicationState.Probe, progress.State);
        Assert.Equal(0UL, progress.Match);
        Assert.Equal(5UL, progress.Next);
        Assert.False(progress.IsPaused);
    }

    [Fact]
    public void AProbePausesUntilAnAnswer()
    {
        var progress = new Progress(5, 4, isLearner: false);

        progress.SentEntries(3, 7);
        Assert.True(progress.IsPaused);
        Assert.Equal(5UL, progress.Next);

        Assert.True(progress.MaybeUpdate(7));
        Assert.False(progress.IsPaused);
        Assert.Equal(7UL, progress.Match);
        Assert.Equal(8UL, progress.Next);
    }

    [Fact]
    public void AnAcknowledgementBelowTheMatchIsStale()
    {
        var progress = Replicating(6);

        Assert.False(progress.MaybeUpdate(4));
        Assert.Equal(6UL, progress.Match);
        Assert.Equal(7UL, progress.Next);
    }

    [Fact]
    public void ReplicatingSendsOptimisticallyUntilTheWindowIsFull()
    {
        var progress = Replicating(4, maxInflight: 2);

        progress.SentEntries(2, 6);
        Assert.Equal(7UL, progress.Next);
        Assert.False(progress.IsPaused);
        // An empty append (a commit update) takes no room in the window.
        progress.SentEntries(0, 6);
        Assert.Equal(1, progress.Inflights.Count);

        progress.SentEntries(1, 7);
        Assert.True(progress.IsPaused);
        Assert.Equal(8UL, progress.Next);
    }

    [Fact]
    public void NothingIsSentInTheSnapshotState()
    {
        var progress = Replicating(4);
        progress.BecomeSnapshot(10);

        Assert.True(progress.IsPaused);
        Assert.Equal(10UL, progress.PendingSnapshot);
        var error = Assert.Throws<InvalidOperationException>(() => progress.SentEntries(1, 11));
        Assert.Equal("Cannot send entries in state Snapshot.", error.Message);
    }

    [Fact]
    public void LeavingTheSnapshotStateProbesAfterTheSnapshot()
    {
        var progress = Replicating(4);
        progress.BecomeSnapshot(10);

        progress.BecomeProbe();

        Assert.Equal(ReplicationState.Probe, progress.State);
        Assert.Equal(11UL, progress.Next);
        Assert.Equal(0UL, progress.PendingSnapshot);
    }

    [Fact]
    public void ARejectionInReplicateRewindsToTheMatchUnlessItIsStale()
    {
        var progress = Replicating(4);
        progress.SentEntries(3, 7);

        Assert.False(progress.MaybeDecreaseTo(4, 2));
        Assert.Equal(8UL, progress.Next);

        Assert.True(progress.MaybeDecreaseTo(6, 2));
        Assert.Equal(5UL, progress.Next);
    }

    [Theory]
    [InlineData(9UL, 9UL, 9UL)] // the hint says nothing new: step back one
    [InlineData(9UL, 3UL, 4UL)] // the hint skips to just after where the logs may agree
    [InlineData(9UL, 0UL, 3UL)] // never below the match point
    public void ARejectedProbeMovesNextToTheHint(ulong rejected, ulong hint, ulong next)
    {
        var progress = new Progress(10, 4, isLearner: false) { Match = 2 };
        progress.SentEntries(1, 10);

        Assert.True(progress.MaybeDecreaseTo(rejected, hint));

        Assert.Equal(next, progress.Next);
        Assert.False(progress.ProbeSent);
    }

    [Fact]
    public void ARejectionOfAnyOtherThanTheLastProbeIsStale()
    {
        var progress = new Progress(10, 4, isLearner: false);
        progress.SentEntries(1, 10);

        Assert.False(progress.MaybeDecreaseTo(8, 3));

        Assert.Equal(10UL, progress.Next);
        Assert.True(progress.ProbeSent);
    }

    [Fact]
    public void ReinitializingForgetsEverything()
    {
        var progress = Replicating(4);
        progress.SentEntries(1, 5);
        progress.RecentActive = true;
        progress.AckedReadRound = 3;

        progress.Reinitialize(20);

        Assert.Equal("Probe match=0 next=20", progress.ToString());
        Assert.False(progress.RecentActive);
        Assert.Equal(0UL, progress.AckedReadRound);
        Assert.Equal(0, progress.Inflights.Count);
    }
}
