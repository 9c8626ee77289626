namespace OrleansRaft.Abstractions;

/// <summary>
/// The application replicated by a Raft group. Each member holds one instance, created per activation by the
/// factory registered for the group's state machine type, and drives it from one logical thread.
/// </summary>
/// <remarks>
/// The member calls <see cref="Restore"/> (when a snapshot exists) before any <see cref="Apply"/>, then applies
/// every committed command exactly once, in index order, with no gaps. Commands must be deterministic: every member
/// applies the same sequence and must reach the same state. The applied index is kept by the member with the
/// snapshot, so the state machine need not persist anything itself.
/// </remarks>
public interface IRaftStateMachine
{
    /// <summary>
    /// Applies <paramref name="commands"/> in order and writes one result per command into <paramref name="results"/>
    /// (same length). Results are returned to the proposer; they are not replicated.
    /// </summary>
    void Apply(IReadOnlyList<RaftCommittedEntry> commands, Span<ReadOnlyMemory<byte>> results);

    /// <summary>Answers a read against the current state; must not change it.</summary>
    ReadOnlyMemory<byte> Query(ReadOnlyMemory<byte> query);

    /// <summary>The whole state as bytes, such that <see cref="Restore"/> rebuilds it.</summary>
    ReadOnlyMemory<byte> Snapshot();

    /// <summary>Replaces the whole state with the one <paramref name="snapshot"/> holds.</summary>
    void Restore(ReadOnlyMemory<byte> snapshot);
}
