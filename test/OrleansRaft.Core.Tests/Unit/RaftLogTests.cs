using OrleansRaft.Core.Log;

namespace OrleansRaft.Core.Tests.Unit;

public sealed class RaftLogTests
{
    private static readonly MembershipConfiguration Three = new([1, 2, 3]);

    private static Entry E(ulong term, ulong index, int bytes = 0) => new(term, index, EntryType.Normal, new byte[bytes]);

    private static string Indexes(IEnumerable<Entry> entries) => string.Join(",", entries.Select(e => $"{e.Term}/{e.Index}"));

    /// <summary>
    /// A log whose storage holds a snapshot at 2 (term 1) and entries 3, 4 (term 1), and whose unstable part
    /// holds 5, 6 (term 2).
    /// </summary>
    private static (RaftLog Log, MemoryLogStore Storage) Split(ulong maxApplyingBytes = ulong.MaxValue, int bytes = 0)
    {
        var storage = new MemoryLogStore(Three);
        storage.Append([E(1, 1, bytes), E(1, 2, bytes), E(1, 3, bytes), E(1, 4, bytes)]);
        storage.CreateSnapshot(2, Three, default);
        var log = new RaftLog(storage, maxApplyingBytes);
        log.Append([E(2, 5, bytes), E(2, 6, bytes)]);
        return (log, storage);
    }

    [Fact]
    public void ALogStartsCommittedAndAppliedAtItsSnapshot()
    {
        var (log, _) = Split();

        Assert.Equal(2UL, log.Committed);
        Assert.Equal(2UL, log.Applied);
        Assert.Equal(3UL, log.FirstIndex);
        Assert.Equal(6UL, log.LastIndex);
        Assert.Equal(2UL, log.LastTerm);
    }

    [Theory]
    [InlineData(1UL, LogReadStatus.Compacted, 0UL)]
    [InlineData(2UL, LogReadStatus.Ok, 1UL)] // the snapshot's own term
    [InlineData(4UL, LogReadStatus.Ok, 1UL)] // from storage
    [InlineData(6UL, LogReadStatus.Ok, 2UL)] // from the unstable part
    [InlineData(7UL, LogReadStatus.Unavailable, 0UL)]
    public void TermsAreReadFromTheSnapshotStorageOrUnstablePart(ulong index, LogReadStatus status, ulong term)
    {
        var (log, _) = Split();

        Assert.Equal(status, log.TryTerm(index, out var read));
        Assert.Equal(term, read);
        Assert.Equal(term, log.TermOrZero(index));
    }

    [Fact]
    public void ASliceSpansStorageAndTheUnstablePart()
    {
        var (log, _) = Split();
        var entries = new List<Entry>();

        Assert.Equal(LogReadStatus.Ok, log.Slice(3, 7, ulong.MaxValue, entries));

        Assert.Equal("1/3,1/4,2/5,2/6", Indexes(entries));
    }

    [Theory]
    [InlineData(24UL, "1/3")] // the bound stops the read inside storage
    [InlineData(0UL, "1/3")] // at least one entry, however small the bound
    [InlineData(48UL, "1/3,1/4")] // storage filled the bound: nothing from the unstable part
    [InlineData(72UL, "1/3,1/4,2/5")] // the bound carries over into the unstable part
    public void ASliceHonoursTheByteBoundAcrossTheBoundary(ulong maxBytes, string expected)
    {
        var (log, _) = Split();
        var entries = new List<Entry>();

        log.Slice(3, 7, maxBytes, entries);

        Assert.Equal(expected, Indexes(entries));
    }

    [Fact]
    public void ASliceOfOnlyTheUnstablePartStillTakesOneEntry()
    {
        var (log, _) = Split();
        var entries = new List<Entry>();

        log.Slice(5, 7, 0, entries);

        Assert.Equal("2/5", Indexes(entries));
    }

    [Fact]
    public void ASliceBelowTheFirstIndexIsCompactedAndPastTheEndThrows()
    {
        var (log, _) = Split();

        Assert.Equal(LogReadStatus.Compacted, log.Slice(2, 5, ulong.MaxValue, []));
        Assert.Equal(LogReadStatus.Ok, log.Slice(5, 5, ulong.MaxValue, []));
        var error = Assert.Throws<InvalidOperationException>(() => log.Slice(5, 8, ulong.MaxValue, []));
        Assert.Equal("Slice [5, 8) is past the last index 6.", error.Message);
    }

    [Theory]
    [InlineData(6UL, 2UL, true)]
    [InlineData(9UL, 2UL, true)]
    [InlineData(5UL, 2UL, false)]
    [InlineData(1UL, 3UL, true)]
    [InlineData(9UL, 1UL, false)]
    public void UpToDateComparesLastTermThenLength(ulong lastIndex, ulong lastTerm, bool upToDate)
    {
        var (log, _) = Split();

        Assert.Equal(upToDate, log.IsUpToDate(lastIndex, lastTerm));
    }

    [Theory]
    [InlineData(6UL, 2UL, 6UL, 2UL)] // the terms agree already
    [InlineData(6UL, 1UL, 4UL, 1UL)] // skip the whole of term 2
    [InlineData(6UL, 0UL, 1UL, 0UL)] // walks below the snapshot: no index is known to match
    [InlineData(9UL, 5UL, 9UL, 0UL)] // past the end: nothing known
    public void FindConflictByTermSkipsEntriesOfLaterTerms(ulong index, ulong term, ulong expectedIndex, ulong expectedTerm)
    {
        var (log, _) = Split();

        Assert.Equal((expectedIndex, expectedTerm), log.FindConflictByTerm(index, term));
    }

    [Fact]
    public void TryAppendRefusesAMismatchedPreviousEntry()
    {
        var (log, _) = Split();

        Assert.False(log.TryAppend(6, 1, 6, [E(3, 7)], out var last));
        Assert.Equal(0UL, last);
        Assert.Equal(6UL, log.LastIndex);
        Assert.Equal(2UL, log.Committed);
    }

    [Fact]
    public void TryAppendCommitsOnlyWhatTheAppendVouchesFor()
    {
        var (log, _) = Split();

        Assert.True(log.TryAppend(3, 1, 9, [E(1, 4)], out var last));

        Assert.Equal(4UL, last);
        Assert.Equal(4UL, log.Committed);
        Assert.Equal(6UL, log.LastIndex);
    }

    [Fact]
    public void TryAppendThatWouldRewriteACommittedEntryThrows()
    {
        var (log, _) = Split();
        log.CommitTo(5);

        var error = Assert.Throws<InvalidOperationException>(() => log.TryAppend(4, 1, 0, [E(3, 5)], out _));
        Assert.Equal("Entry 5 conflicts with the committed prefix up to 5.", error.Message);
    }

    [Fact]
    public void AppendingOverTheCommittedPrefixThrows()
    {
        var (log, _) = Split();
        log.CommitTo(4);

        var error = Assert.Throws<InvalidOperationException>(() => log.Append([E(3, 4)]));
        Assert.Equal("Appending at 4 would overwrite the committed prefix up to 4.", error.Message);
    }

    [Fact]
    public void TheCommitIndexNeverDecreasesAndNeverPassesTheLastIndex()
    {
        var (log, _) = Split();
        log.CommitTo(5);
        log.CommitTo(3);

        Assert.Equal(5UL, log.Committed);
        var error = Assert.Throws<InvalidOperationException>(() => log.CommitTo(7));
        Assert.Equal("Commit index 7 is past the last index 6.", error.Message);
    }

    [Fact]
    public void MaybeCommitRequiresTheEntryToBeOfTheGivenTerm()
    {
        var (log, _) = Split();

        Assert.False(log.MaybeCommit(4, 2));
        Assert.Equal(2UL, log.Committed);
        Assert.True(log.MaybeCommit(5, 2));
        Assert.Equal(5UL, log.Committed);
        Assert.False(log.MaybeCommit(5, 2));
    }

    [Fact]
    public void AppliedMustStayBetweenThePreviousAppliedIndexAndTheCommitIndex()
    {
        var (log, _) = Split();
        log.CommitTo(4);
        log.AppliedTo(3);

        var past = Assert.Throws<InvalidOperationException>(() => log.AppliedTo(5));
        var backwards = Assert.Throws<InvalidOperationException>(() => log.AppliedTo(2));

        Assert.Equal("Applied index 5 is outside [3, 4].", past.Message);
        Assert.Equal("Applied index 2 is outside [3, 4].", backwards.Message);
    }

    [Fact]
    public void CommittedEntriesAreHandedOutOnceAndWithinTheByteBound()
    {
        // Each entry counts 10 + 24 = 34 bytes: two fit in 70.
        var (log, _) = Split(maxApplyingBytes: 70, bytes: 10);
        log.CommitTo(6);

        Assert.Equal("1/3,1/4", Indexes(log.TakeNextCommittedEntries()));
        Assert.Equal(4UL, log.Applying);
        Assert.Equal(2UL, log.Applied);
        Assert.Equal("2/5,2/6", Indexes(log.TakeNextCommittedEntries()));
        Assert.False(log.HasNextCommittedEntries);
        Assert.Empty(log.TakeNextCommittedEntries());
    }

    [Fact]
    public void CommittedEntriesWaitWhileASnapshotIsToBeInstalled()
    {
        var (log, _) = Split();
        log.CommitTo(4);
        log.Restore(new Snapshot(new SnapshotMetadata(10, 3, Three), default));

        Assert.Equal(10UL, log.Committed);
        Assert.False(log.HasNextCommittedEntries);
        Assert.Empty(log.TakeNextCommittedEntries());
        Assert.Equal(11UL, log.FirstIndex);
        Assert.Equal(10UL, log.LastIndex);

        log.StableSnapshotTo(10);
        log.AppliedSnapshot(10);
        Assert.Equal(10UL, log.Applied);
        Assert.Equal(10UL, log.Applying);
    }

    [Fact]
    public void AnAppliedIndexPastTheCommitIndexIsRefusedAtStart()
    {
        var (log, _) = Split();

        var error = Assert.Throws<ArgumentException>(() => log.InitializeApplied(3));

        Assert.Equal("RaftOptions.Applied (3) is past the persisted commit index (2).", error.Message);
    }
}
