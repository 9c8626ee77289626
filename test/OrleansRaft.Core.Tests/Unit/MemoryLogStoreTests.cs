using System.Text;

namespace OrleansRaft.Core.Tests.Unit;

public sealed class MemoryLogStoreTests
{
    private static readonly MembershipConfiguration Three = new([1, 2, 3]);

    private static Entry E(ulong term, ulong index, string data = "") => new(term, index, EntryType.Normal, Encoding.UTF8.GetBytes(data));

    /// <summary>A store holding entries 1..5 of term 1, with data "1".."5".</summary>
    private static MemoryLogStore FiveEntries()
    {
        var store = new MemoryLogStore(Three);
        store.Append([E(1, 1, "1"), E(1, 2, "2"), E(1, 3, "3"), E(1, 4, "4"), E(1, 5, "5")]);
        return store;
    }

    private static string Read(MemoryLogStore store, ulong low, ulong high, ulong maxBytes = ulong.MaxValue)
    {
        var entries = new List<Entry>();
        Assert.Equal(LogReadStatus.Ok, store.TryGetEntries(low, high, maxBytes, entries));
        return string.Join(",", entries.Select(e => $"{e.Term}/{e.Index}"));
    }

    [Fact]
    public void ANewStoreIsEmptyAfterTheEmptySnapshot()
    {
        var store = new MemoryLogStore(Three);

        Assert.Equal(1UL, store.FirstIndex);
        Assert.Equal(0UL, store.LastIndex);
        Assert.Equal(LogReadStatus.Ok, store.TryGetTerm(0, out var term));
        Assert.Equal(0UL, term);
        Assert.Equal(LogReadStatus.Unavailable, store.TryGetTerm(1, out _));
        Assert.Equal(new RaftInitialState(HardState.Empty, Three), store.InitialState());
    }

    [Fact]
    public void EntriesAreReadByHalfOpenRange()
    {
        var store = FiveEntries();

        Assert.Equal("1/2,1/3,1/4", Read(store, 2, 5));
        Assert.Equal("1/1,1/2,1/3,1/4,1/5", Read(store, 1, 6));
        Assert.Equal("", Read(store, 3, 3));
    }

    [Fact]
    public void AByteBoundStopsTheReadButAlwaysReturnsOneEntry()
    {
        var store = FiveEntries();
        // Each entry counts 1 + 24 = 25 bytes.
        Assert.Equal("1/1,1/2", Read(store, 1, 6, maxBytes: 50));
        Assert.Equal("1/1,1/2", Read(store, 1, 6, maxBytes: 74));
        Assert.Equal("1/1", Read(store, 1, 6, maxBytes: 0));
    }

    [Fact]
    public void ReadsPastTheLastIndexAreUnavailable()
    {
        var store = FiveEntries();
        var entries = new List<Entry>();

        Assert.Equal(LogReadStatus.Unavailable, store.TryGetEntries(4, 7, ulong.MaxValue, entries));
        Assert.Equal(LogReadStatus.Unavailable, store.TryGetEntries(4, 3, ulong.MaxValue, entries));
        Assert.Equal(LogReadStatus.Unavailable, store.TryGetTerm(6, out _));
        Assert.Empty(entries);
    }

    [Fact]
    public void ReadsAtOrBeforeTheSnapshotAreCompactedExceptTheSnapshotsTerm()
    {
        var store = FiveEntries();
        store.CreateSnapshot(3, Three, Encoding.UTF8.GetBytes("state"));

        Assert.Equal(4UL, store.FirstIndex);
        Assert.Equal(5UL, store.LastIndex);
        Assert.Equal(LogReadStatus.Ok, store.TryGetTerm(3, out var term));
        Assert.Equal(1UL, term);
        Assert.Equal(LogReadStatus.Compacted, store.TryGetTerm(2, out _));
        Assert.Equal(LogReadStatus.Compacted, store.TryGetEntries(3, 5, ulong.MaxValue, []));
        Assert.Equal("1/4,1/5", Read(store, 4, 6));
    }

    [Fact]
    public void AppendingOverAConflictingSuffixReplacesIt()
    {
        var store = FiveEntries();

        store.Append([E(2, 3), E(2, 4)]);

        Assert.Equal(4UL, store.LastIndex);
        Assert.Equal("1/1,1/2,2/3,2/4", Read(store, 1, 5));
    }

    [Fact]
    public void AppendingPastTheEndWouldLeaveAGapAndThrows()
    {
        var store = FiveEntries();

        var error = Assert.Throws<InvalidOperationException>(() => store.Append([E(1, 7)]));
        Assert.Equal("Appending at 7 would leave a gap after the last index 5.", error.Message);
        Assert.Equal(5UL, store.LastIndex);
    }

    [Fact]
    public void EntriesAtOrBeforeTheSnapshotAreIgnoredWhenAppending()
    {
        var store = FiveEntries();
        store.CreateSnapshot(3, Three, default);

        store.Append([E(1, 1), E(1, 2)]);
        Assert.Equal("1/4,1/5", Read(store, 4, 6));

        store.Append([E(1, 2), E(1, 3), E(2, 4)]);
        Assert.Equal("2/4", Read(store, 4, 5));
        Assert.Equal(4UL, store.LastIndex);
    }

    [Fact]
    public void AnEmptyAppendChangesNothing()
    {
        var store = FiveEntries();

        store.Append([]);

        Assert.Equal(5UL, store.LastIndex);
    }

    [Fact]
    public void CreatingASnapshotCompactsTheLogBeforeIt()
    {
        var store = FiveEntries();
        store.SetHardState(new HardState(1, 1, 5));

        var snapshot = store.CreateSnapshot(4, Three, Encoding.UTF8.GetBytes("state"));

        Assert.Equal(new SnapshotMetadata(4, 1, Three), snapshot.Metadata);
        Assert.Equal("state", Encoding.UTF8.GetString(snapshot.Data.Span));
        Assert.Equal(LogReadStatus.Ok, store.TryGetSnapshot(out var stored));
        Assert.Same(snapshot, stored);
        Assert.Equal(5UL, store.FirstIndex);
        Assert.Equal("1/5", Read(store, 5, 6));
        Assert.Equal(new RaftInitialState(new HardState(1, 1, 5), Three), store.InitialState());
    }

    [Fact]
    public void ASnapshotMustBeNewerAndInsideTheLog()
    {
        var store = FiveEntries();
        store.CreateSnapshot(3, Three, default);

        var older = Assert.Throws<InvalidOperationException>(() => store.CreateSnapshot(3, Three, default));
        Assert.Equal("A snapshot at 3 is not newer than the current one at 3.", older.Message);
        var beyond = Assert.Throws<InvalidOperationException>(() => store.CreateSnapshot(6, Three, default));
        Assert.Equal("Cannot snapshot at 6: the log holds 3..5.", beyond.Message);
    }

    [Fact]
    public void CompactingDropsEntriesBeforeTheIndexAndCompactingBackwardsDoesNothing()
    {
        var store = FiveEntries();

        store.Compact(3);
        Assert.Equal(4UL, store.FirstIndex);
        store.Compact(2);
        Assert.Equal(4UL, store.FirstIndex);

        var error = Assert.Throws<InvalidOperationException>(() => store.Compact(6));
        Assert.Equal("Cannot compact to 6: the last index is 5.", error.Message);
    }

    [Fact]
    public void ApplyingASnapshotReplacesTheWholeLogAndAnOlderOneIsIgnored()
    {
        var store = FiveEntries();
        var snapshot = new Snapshot(new SnapshotMetadata(9, 3, new MembershipConfiguration([1, 2, 3, 4])), default);

        store.ApplySnapshot(snapshot);
        Assert.Equal(10UL, store.FirstIndex);
        Assert.Equal(9UL, store.LastIndex);
        Assert.Equal(LogReadStatus.Ok, store.TryGetTerm(9, out var term));
        Assert.Equal(3UL, term);
        Assert.Equal(snapshot.Metadata.Configuration, store.InitialState().Configuration);

        store.ApplySnapshot(new Snapshot(new SnapshotMetadata(7, 3, Three), default));
        Assert.Same(snapshot, store.Snapshot);
        Assert.Equal(9UL, store.LastIndex);
    }

    [Fact]
    public void EntriesShareTheirPayloadWithTheStore()
    {
        var payload = new byte[] { 1, 2, 3 };
        var store = new MemoryLogStore(Three);
        store.Append([new Entry(1, 1, EntryType.Normal, payload)]);

        var entries = new List<Entry>();
        store.TryGetEntries(1, 2, ulong.MaxValue, entries);

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(entries[0].Data, out var segment));
        Assert.Same(payload, segment.Array);
    }

    [Fact]
    public void ACloneIsIndependentOfTheOriginal()
    {
        var store = FiveEntries();
        store.SetHardState(new HardState(2, 1, 3));
        var clone = store.Clone();

        store.Append([E(3, 6)]);
        store.SetHardState(new HardState(3, 0, 3));
        store.CreateSnapshot(4, Three, default);

        Assert.Equal(1UL, clone.FirstIndex);
        Assert.Equal(5UL, clone.LastIndex);
        Assert.Equal(new HardState(2, 1, 3), clone.HardState);
        Assert.Equal(Three, clone.Snapshot.Metadata.Configuration);
        Assert.Equal("1/1,1/2,1/3,1/4,1/5", Read(clone, 1, 6));
    }
}
