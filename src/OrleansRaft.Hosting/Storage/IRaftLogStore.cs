using OrleansRaft.Core;

namespace OrleansRaft.Hosting.Storage;

/// <summary>
/// The durable log of one Raft member: its hard state, its latest snapshot and the entries after it.
/// </summary>
/// <remarks>
/// <para><b>Lifecycle.</b> An instance serves one member. Call <see cref="LoadAsync"/> once, before anything
/// else. Loading claims the log for this instance: every instance that loaded the same member earlier is
/// fenced, and its next write fails with <see cref="RaftLogConflictException"/>, so two activations of one
/// member never interleave their writes. Calls must not overlap: await each one before making the next.</para>
///
/// <para><b>Durability.</b> A write (<see cref="AppendAsync"/>, <see cref="TruncateSuffixAsync"/>,
/// <see cref="InstallSnapshotAsync"/>) returns once its effect is durable; only then may the member send a
/// message that depends on it. A write that throws may or may not have taken effect, and it leaves the
/// instance faulted: every later call throws <see cref="InvalidOperationException"/>. Discard the instance
/// and load a new one. What it loads is the log either as it was before the failed write or as the write
/// would have left it, never a mix, and always everything that earlier writes acknowledged.</para>
///
/// <para><b>Index ranges.</b> As in <see cref="IRaftLogReader"/>: the log is the snapshot at index <c>S</c>
/// (the empty snapshot at 0 for a new member) followed by the entries <c>S+1 .. LastIndex</c>;
/// <see cref="FirstIndex"/> is <c>S+1</c>. The term of <c>S</c> is readable, the entries at or before it
/// are not.</para>
///
/// <para><b>Errors.</b> <see cref="RaftLogCompactedException"/>: a read below what the snapshot left.
/// <see cref="RaftLogCorruptedException"/>: stored data that does not form a valid log.
/// <see cref="RaftLogConflictException"/>: another instance claimed the log. A call that breaks a
/// precondition below throws <see cref="ArgumentException"/> before writing anything; the instance stays
/// usable.</para>
///
/// <para><b>Reads</b> are served from memory: an instance keeps the entries since the snapshot, which Raft
/// keeps bounded by compaction. Entries handed out share their payload with the store; do not mutate it.</para>
/// </remarks>
public interface IRaftLogStore
{
    /// <summary>The persisted hard state. Valid after <see cref="LoadAsync"/>.</summary>
    HardState HardState { get; }

    /// <summary>Where the latest snapshot sits, and the membership in force there.</summary>
    SnapshotMetadata SnapshotMetadata { get; }

    /// <summary>The index of the first entry after the snapshot: snapshot index + 1.</summary>
    ulong FirstIndex { get; }

    /// <summary>The index of the last entry, or the snapshot index when no entry follows it.</summary>
    ulong LastIndex { get; }

    /// <summary>
    /// Reads what was persisted: the hard state, the snapshot metadata and the entries after the snapshot.
    /// A member that never wrote anything loads an empty log. Claims the log for this instance (see remarks).
    /// </summary>
    Task<RaftLogState> LoadAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Persists <paramref name="entries"/> together with <paramref name="hardState"/> as one durable step:
    /// after a crash either both are there or neither.
    /// </summary>
    /// <remarks>
    /// The entries have consecutive indexes, and the first one is at most <c>LastIndex + 1</c>. Entries that
    /// overlap the log replace it from the first one's index on: the conflicting suffix is dropped in the same
    /// step. Entries at or before the snapshot index are ignored. An entry at or below the commit index may be
    /// rewritten only with the same term: committed entries never change. With no entries only the hard state
    /// is written, and with neither (or an unchanged hard state) nothing is. A hard state's term and commit
    /// never decrease, and its commit index is at most <see cref="LastIndex"/> once the entries are appended.
    /// </remarks>
    ValueTask AppendAsync(IReadOnlyList<Entry> entries, HardState? hardState = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Drops the entries from <paramref name="fromIndex"/> on. Requires
    /// <c>HardState.Commit &lt; fromIndex &lt;= LastIndex + 1</c>; at <c>LastIndex + 1</c> nothing is written.
    /// </summary>
    ValueTask TruncateSuffixAsync(ulong fromIndex, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes <paramref name="snapshot"/> the member's snapshot and drops the log before it, together with
    /// <paramref name="hardState"/> when given. When the log holds the snapshot's index with the snapshot's
    /// term, the entries after it are kept (compaction); otherwise every entry is dropped.
    /// </summary>
    /// <remarks>
    /// The snapshot must be newer than the current one. A new member may install a snapshot at index 0 to
    /// record its initial membership, while its log is still empty. A crash part-way leaves the previous
    /// snapshot in force: the new one is written in full before it replaces the old.
    /// </remarks>
    ValueTask InstallSnapshotAsync(Snapshot snapshot, HardState? hardState = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts writing the data of <paramref name="snapshot"/>, a snapshot of the member's own applied state, ahead of
    /// its <see cref="InstallSnapshotAsync"/>, so that a large snapshot does not hold up the appends meanwhile. The
    /// task completes once the data is durable; the install of the same instance then only makes it the one in force.
    /// </summary>
    /// <remarks>
    /// Unlike the other calls it may overlap the calls that follow it, until the install. One snapshot is prepared at
    /// a time. Its index must lie past the current snapshot and within the log. A store may do all the work in the
    /// install instead.
    /// </remarks>
    Task PrepareSnapshotAsync(Snapshot snapshot, CancellationToken cancellationToken = default);

    /// <summary>
    /// Throws <see cref="RaftLogConflictException"/> when another instance has claimed the log since this one loaded
    /// it, and leaves this instance faulted as a failed write does. An instance that only reads never meets the fence
    /// its writes would meet; this is how it learns it was fenced. It writes nothing, so unlike the other calls it may
    /// overlap them. A storage failure propagates and leaves the instance as it was.
    /// </summary>
    Task CheckClaimAsync(CancellationToken cancellationToken = default);

    /// <summary>The latest snapshot with its data. Throws <see cref="RaftLogCorruptedException"/> when its data does not check out.</summary>
    ValueTask<Snapshot> ReadSnapshotAsync(CancellationToken cancellationToken = default);

    /// <summary>The term of the entry at <paramref name="index"/>, for <c>FirstIndex - 1 &lt;= index &lt;= LastIndex</c>.</summary>
    ValueTask<ulong> ReadTermAsync(ulong index, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends the entries in <c>[low, high)</c> to <paramref name="destination"/>, stopping once their total
    /// <see cref="Entry.Size"/> would pass <paramref name="maxBytes"/>; at least one entry when the range is
    /// not empty. Requires <c>FirstIndex &lt;= low &lt;= high &lt;= LastIndex + 1</c>.
    /// </summary>
    ValueTask ReadEntriesAsync(ulong low, ulong high, ulong maxBytes, List<Entry> destination, CancellationToken cancellationToken = default);
}

/// <summary>What a member finds in its log store when it starts.</summary>
/// <param name="HardState">The hard state last persisted.</param>
/// <param name="Snapshot">Where the latest snapshot sits; read its data with <see cref="IRaftLogStore.ReadSnapshotAsync"/>.</param>
/// <param name="Entries">The entries after the snapshot, in index order.</param>
public sealed record RaftLogState(HardState HardState, SnapshotMetadata Snapshot, IReadOnlyList<Entry> Entries);
