using OrleansRaft.Core.Log;

namespace OrleansRaft.Core.Tests.Unit;

public sealed class ConfigurationHistoryTests
{
    private static readonly MembershipConfiguration Three = new([1, 2, 3]);
    private static readonly MembershipConfiguration WithLearner = new([1, 2, 3], [4]);
    private static readonly MembershipConfiguration Four = new([1, 2, 3, 4]);

    private static Entry Conf(ulong term, ulong index, MembershipConfiguration configuration) =>
        new(term, index, EntryType.Configuration, configuration.Encode());

    private static Entry Normal(ulong term, ulong index) => new(term, index, EntryType.Normal, ReadOnlyMemory<byte>.Empty);

    [Fact]
    public void TheLastConfigurationEntryAppendedIsInForce()
    {
        var history = new ConfigurationHistory(0, Three);

        history.OnAppend([Normal(1, 1), Conf(1, 2, WithLearner), Normal(1, 3)]);

        Assert.Equal(WithLearner, history.Current);
        Assert.Equal(2UL, history.LastChangeIndex);
        Assert.Equal(Three, history.At(1));
        Assert.Equal(WithLearner, history.At(2));
        Assert.Equal(WithLearner, history.At(9));
    }

    [Fact]
    public void ATruncatedConfigurationEntryTakesItsConfigurationWithIt()
    {
        var history = new ConfigurationHistory(0, Three);
        history.OnAppend([Normal(1, 1), Conf(1, 2, WithLearner), Conf(1, 3, Four)]);

        history.OnAppend([Normal(2, 3)]);

        Assert.Equal(WithLearner, history.Current);
        Assert.Equal(2UL, history.LastChangeIndex);

        history.OnAppend([Normal(3, 2)]);

        Assert.Equal(Three, history.Current);
        Assert.Equal(0UL, history.LastChangeIndex);
    }

    [Fact]
    public void AppliedConfigurationsFoldIntoTheBase()
    {
        var history = new ConfigurationHistory(0, Three);
        history.OnAppend([Conf(1, 1, WithLearner), Conf(1, 5, Four)]);

        history.ForgetBefore(3);

        Assert.Equal(WithLearner, history.At(3));
        Assert.Equal(Four, history.At(5));
        Assert.Equal(5UL, history.LastChangeIndex);
        Assert.Throws<ArgumentOutOfRangeException>(() => history.At(0));
    }

    [Fact]
    public void EntriesThatWouldReplaceTheBaseAreRefused()
    {
        var history = new ConfigurationHistory(4, Three);

        Assert.Throws<InvalidOperationException>(() => history.OnAppend([Normal(1, 4)]));
    }

    // Committed entries handed out before the snapshot arrived are still applied, and may be snapshotted.
    [Fact]
    public void ARestoredSnapshotKeepsWhatIsKnownUpToTheOldCommitIndex()
    {
        var history = new ConfigurationHistory(0, Three);
        history.OnAppend([Conf(1, 2, WithLearner), Conf(1, 6, Three)]);

        history.Restore(committed: 4, snapshotIndex: 9, Four);

        Assert.Equal(Four, history.Current);
        Assert.Equal(9UL, history.LastChangeIndex);
        Assert.Equal(Three, history.At(1));
        Assert.Equal(WithLearner, history.At(4));
        Assert.Equal(Four, history.At(9));
    }

    [Fact]
    public void ASnapshotResetsTheHistory()
    {
        var history = new ConfigurationHistory(0, Three);
        history.OnAppend([Conf(1, 1, WithLearner)]);

        history.Reset(7, Four);

        Assert.Equal(Four, history.Current);
        Assert.Equal(7UL, history.LastChangeIndex);
        Assert.Throws<ArgumentOutOfRangeException>(() => history.At(6));
    }
}
