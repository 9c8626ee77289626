using OrleansRaft.Core.Log;

namespace OrleansRaft.Core.Tests.Unit;

public sealed class UnstableLogTests
{
    private static Entry E(ulong term, ulong index) => new(term, index, EntryType.Normal, default);

    private static string Indexes(IEnumerable<Entry> entries) => string.Join(",", entries.Select(e => $"{e.Term}/{e.Index}"));

    /// <summary>An unstable log starting at 5 with entries 5, 6, 7 of term 1.</summary>
    private static UnstableLog ThreeFromFive()
    {
        var log = new UnstableLog(5);
        log.TruncateAndAppend([E(1, 5), E(1, 6), E(1, 7)]);
        return log;
    }

    [Fact]
    public void AnEmptyUnstableLogKnowsNoIndexAndNoTerm()
    {
        var log = new UnstableLog(5);

        Assert.Null(log.MaybeFirstIndex);
        Assert.Null(log.MaybeLastIndex);
        Assert.False(log.TryTerm(4, out _));
        Assert.False(log.TryTerm(5, out _));
        Assert.False(log.HasNextEntries);
        Assert.Empty(log.NextEntries());
    }

    [Fact]
    public void EntriesThatFollowAreAppended()
    {
        var log = ThreeFromFive();

        log.TruncateAndAppend([E(1, 8)]);

        Assert.Equal(8UL, log.MaybeLastIndex);
        Assert.Equal("1/5,1/6,1/7,1/8", Indexes(log.NextEntries()));
    }

    [Fact]
    public void EntriesFromTheMiddleReplaceTheSuffix()
    {
        var log = ThreeFromFive();

        log.TruncateAndAppend([E(2, 6)]);

        Assert.Equal(5UL, log.Offset);
        Assert.Equal("1/5,2/6", Indexes(log.NextEntries()));
    }

    [Fact]
    public void EntriesFromBeforeTheOffsetReplaceEverythingAndMoveTheOffset()
    {
        var log = ThreeFromFive();

        log.TruncateAndAppend([E(2, 3), E(2, 4)]);

        Assert.Equal(3UL, log.Offset);
        Assert.Equal(4UL, log.MaybeLastIndex);
        Assert.Equal("2/3,2/4", Indexes(log.NextEntries()));
    }

    [Fact]
    public void EntriesThatWouldLeaveAGapAreRefused()
    {
        var log = ThreeFromFive();

        var error = Assert.Throws<InvalidOperationException>(() => log.TruncateAndAppend([E(1, 9)]));

        Assert.Equal("Appending at 9 would leave a gap after the unstable end 8.", error.Message);
    }

    [Fact]
    public void EntriesHandedOutAreNotHandedOutAgainUnlessTheyAreReplaced()
    {
        var log = ThreeFromFive();
        log.AcceptInProgress();
        Assert.False(log.HasNextEntries);

        log.TruncateAndAppend([E(1, 8)]);
        Assert.Equal("1/8", Indexes(log.NextEntries()));
        log.AcceptInProgress();

        // Replacing entries being written hands out the new ones from the replacement on.
        log.TruncateAndAppend([E(2, 7)]);
        Assert.Equal("2/7", Indexes(log.NextEntries()));
    }

    [Fact]
    public void PersistedEntriesLeaveTheUnstableLog()
    {
        var log = ThreeFromFive();
        log.AcceptInProgress();

        log.StableTo(6, 1);

        Assert.Equal(7UL, log.Offset);
        Assert.Equal(1, log.Count);
        Assert.False(log.TryTerm(6, out _));
        Assert.True(log.TryTerm(7, out var term));
        Assert.Equal(1UL, term);
    }

    [Fact]
    public void AStaleAcknowledgementOfPersistedEntriesIsIgnored()
    {
        var log = ThreeFromFive();
        log.AcceptInProgress();
        log.TruncateAndAppend([E(2, 6)]);

        // The write of 1/6 finished, but 6 has been replaced by 2/6 meanwhile.
        log.StableTo(6, 1);
        Assert.Equal(5UL, log.Offset);
        Assert.Equal(2, log.Count);

        // Below the offset: nothing to drop.
        log.StableTo(4, 1);
        Assert.Equal(5UL, log.Offset);
    }

    [Fact]
    public void ARestoredSnapshotReplacesTheEntries()
    {
        var log = ThreeFromFive();
        var snapshot = new Snapshot(new SnapshotMetadata(10, 3, MembershipConfiguration.Empty), default);

        log.Restore(snapshot);

        Assert.Equal(11UL, log.Offset);
        Assert.Equal(11UL, log.MaybeFirstIndex);
        Assert.Equal(10UL, log.MaybeLastIndex);
        Assert.True(log.TryTerm(10, out var term));
        Assert.Equal(3UL, term);
        Assert.False(log.TryTerm(7, out _));
        Assert.True(log.HasNextSnapshot);
        Assert.Empty(log.NextEntries());

        log.AcceptInProgress();
        Assert.False(log.HasNextSnapshot);
        log.StableSnapshotTo(9);
        Assert.Same(snapshot, log.Snapshot);
        log.StableSnapshotTo(10);
        Assert.Null(log.Snapshot);
    }

    [Fact]
    public void SlicingStopsAtTheByteBoundButTakesOneWhenItMust()
    {
        var log = ThreeFromFive();
        var destination = new List<Entry>();

        // Empty entries count 24 bytes each.
        log.Slice(5, 8, maxBytes: 48, size: 0, mustTakeOne: false, destination);
        Assert.Equal("1/5,1/6", Indexes(destination));

        destination.Clear();
        log.Slice(5, 8, maxBytes: 10, size: 0, mustTakeOne: false, destination);
        Assert.Empty(destination);

        log.Slice(5, 8, maxBytes: 10, size: 0, mustTakeOne: true, destination);
        Assert.Equal("1/5", Indexes(destination));

        destination.Clear();
        log.Slice(6, 8, maxBytes: 48, size: 24, mustTakeOne: false, destination);
        Assert.Equal("1/6", Indexes(destination));
    }
}
