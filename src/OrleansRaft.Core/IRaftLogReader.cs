namespace OrleansRaft.Core;

/// <summary>The outcome of a read from a <see cref="IRaftLogReader"/>.</summary>
public enum LogReadStatus
{
    Ok,

    /// <summary>The index lies before the first available entry: it was folded into the snapshot.</summary>
    Compacted,

    /// <summary>The index lies after the last entry, or the store cannot serve it right now.</summary>
    Unavailable,
}

/// <summary>
/// What a member loads when it starts: its hard state, and the membership in force at its snapshot (the snapshot
/// metadata's). The core reads the configuration entries of the log after the snapshot itself, so the membership
/// in force after a restart is the last one in the persisted log.
/// </summary>
public sealed record RaftInitialState(HardState HardState, MembershipConfiguration Configuration);

/// <summary>
/// The durable log as the core sees it. The host implements it over its storage; <see cref="MemoryLogStore"/>
/// is the reference implementation. Every call is synchronous and must not block on I/O: the host keeps
/// the log since the last snapshot in memory and writes it through to durable storage.
/// </summary>
/// <remarks>
/// Index ranges. The log holds the snapshot at index <c>S</c> (possibly the empty snapshot at 0) followed by
/// entries <c>S+1 .. LastIndex</c>. <see cref="FirstIndex"/> is <c>S+1</c>, so <c>LastIndex = FirstIndex - 1</c>
/// means the log has no entries after the snapshot. The term of index <c>S</c> is readable (it is the
/// snapshot's term); the entries at or before <c>S</c> are not.
///
/// Errors. A read below the snapshot index returns <see cref="LogReadStatus.Compacted"/>; a read above
/// <see cref="LastIndex"/> returns <see cref="LogReadStatus.Unavailable"/>. The core treats Compacted as a
/// reason to send a snapshot, and Unavailable as "try again later".
///
/// Ownership. Entries handed out share their payload memory with the store; the core never mutates them.
/// The core reads only what the host has written after the host has finished the corresponding
/// <see cref="Ready"/>, so reads never race with writes when the host drives both from one thread.
/// </remarks>
public interface IRaftLogReader
{
    /// <summary>The hard state persisted when the member last stopped, and the membership of its snapshot.</summary>
    RaftInitialState InitialState();

    /// <summary>The index of the first entry after the snapshot (snapshot index + 1).</summary>
    ulong FirstIndex { get; }

    /// <summary>The index of the last entry, or the snapshot index when no entry follows it.</summary>
    ulong LastIndex { get; }

    /// <summary>The term of the entry at <paramref name="index"/>, for <c>FirstIndex - 1 &lt;= index &lt;= LastIndex</c>.</summary>
    LogReadStatus TryGetTerm(ulong index, out ulong term);

    /// <summary>
    /// Appends the entries in <c>[low, high)</c> to <paramref name="destination"/>, stopping once their total
    /// <see cref="Entry.Size"/> would pass <paramref name="maxBytes"/>. At least one entry is returned when the
    /// range is not empty, however large it is. Requires <c>FirstIndex &lt;= low &lt;= high &lt;= LastIndex + 1</c>.
    /// </summary>
    LogReadStatus TryGetEntries(ulong low, ulong high, ulong maxBytes, List<Entry> destination);

    /// <summary>The most recent snapshot; <see cref="LogReadStatus.Unavailable"/> while one is still being produced.</summary>
    LogReadStatus TryGetSnapshot(out Snapshot snapshot);
}
