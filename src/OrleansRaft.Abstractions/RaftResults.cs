using System.Collections.Immutable;
namespace OrleansRaft.Abstractions;

/// <summary>What became of a proposal or a linearizable read.</summary>
public enum RaftRequestStatus : byte
{
    /// <summary>Proposal: committed and applied. Read: served after the state machine applied the read index.</summary>
    Ok = 0,

    /// <summary>This member does not lead; <c>LeaderHint</c> names the leader when known (0 otherwise).</summary>
    NotLeader = 1,

    /// <summary>
    /// Accepted, but leadership was lost and another entry took its index: the proposal did not commit.
    /// A read lost its leader before it was confirmed. Retrying is safe.
    /// </summary>
    Dropped = 2,

    /// <summary>The leader refused new work for now (a leadership transfer, or too many uncommitted bytes).</summary>
    Busy = 3,
}

/// <summary>
/// The answer to a proposal. On <see cref="RaftRequestStatus.Ok"/>, the command committed at <see cref="Index"/>
/// and the state machine returned <see cref="Result"/> for it.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansraft.propose-result")]
public sealed record RaftProposeResult(
    [property: Id(0)] RaftRequestStatus Status,
    [property: Id(1)] ulong Index,
    [property: Id(2)] ulong LeaderHint,
    [property: Id(3)] ReadOnlyMemory<byte> Result)
{
    public bool IsOk => Status == RaftRequestStatus.Ok;
}

/// <summary>
/// The answer to a read. On <see cref="RaftRequestStatus.Ok"/>, the state machine had applied at least
/// <see cref="Index"/> when the read was served: for a linearizable read the leader's commit index when it confirmed
/// its leadership, for a local read the member's applied index.
/// </summary>
/// <remarks>
/// A local read also tells how stale it may be: <see cref="Commit"/> is the commit index the member knew (at least
/// <see cref="Index"/>; entries between them committed but were not yet applied), and <see cref="LeaderSilence"/> is
/// the time since the member last heard from a leader of its current term, zero when it leads itself and
/// <see cref="TimeSpan.MaxValue"/> when it has heard from none since it started. Writes committed by a leader during
/// that silence may be missing from the answer.
/// </remarks>
[GenerateSerializer, Immutable, Alias("orleansraft.read-result")]
public sealed record RaftReadResult(
    [property: Id(0)] RaftRequestStatus Status,
    [property: Id(1)] ulong Index,
    [property: Id(2)] ulong LeaderHint,
    [property: Id(3)] ReadOnlyMemory<byte> Result)
{
    public bool IsOk => Status == RaftRequestStatus.Ok;

    /// <summary>The commit index the answering member knew; set on local reads, 0 otherwise.</summary>
    [Id(4)]
    public ulong Commit { get; init; }

    /// <summary>How long the answering member had not heard from a leader; set on local reads, zero otherwise.</summary>
    [Id(5)]
    public TimeSpan LeaderSilence { get; init; }
}

/// <summary>A member's role.</summary>
public enum RaftMemberRole : byte
{
    Follower = 0,
    PreCandidate = 1,
    Candidate = 2,
    Leader = 3,
}

/// <summary>A picture of one member, for tests and operators.</summary>
[GenerateSerializer, Immutable, Alias("orleansraft.member-status")]
public sealed record RaftMemberStatus(
    [property: Id(0)] string GroupId,
    [property: Id(1)] ulong MemberId,
    [property: Id(2)] RaftMemberRole Role,
    [property: Id(3)] ulong Term,
    [property: Id(4)] ulong Leader,
    [property: Id(5)] ulong Commit,
    [property: Id(6)] ulong Applied,
    [property: Id(7)] ulong FirstIndex,
    [property: Id(8)] ulong LastIndex,
    [property: Id(9)] ulong SnapshotIndex,
    [property: Id(10)] string Silo)
{
    /// <summary>True while the member's group is quiet: it runs no timer and sends nothing until something wakes it.</summary>
    [Id(11)]
    public bool Quiescent { get; init; }

    /// <summary>
    /// The endpoints the member's silo advertises to clients, by name (for example <c>etcd</c>: the client URLs of the
    /// etcd gateway on that silo); empty when it advertises none.
    /// </summary>
    [Id(12)]
    public ImmutableDictionary<string, ImmutableArray<string>> SiloEndpoints { get; init; } = ImmutableDictionary<string, ImmutableArray<string>>.Empty;
}

/// <summary>A committed command as the state machine saw it.</summary>
[GenerateSerializer, Immutable, Alias("orleansraft.committed-entry")]
public readonly record struct RaftCommittedEntry(
    [property: Id(0)] ulong Index,
    [property: Id(1)] ulong Term,
    [property: Id(2)] ReadOnlyMemory<byte> Data);

/// <summary>
/// Committed commands pulled by index. <see cref="Entries"/> are the applied commands from <c>from</c> through
/// <see cref="Through"/> that the member still holds in its log, in order; indexes without a command (a leader's
/// empty entry, a membership entry) are skipped. A page is bounded in bytes: continue from <c>Through + 1</c>.
/// <see cref="FirstAvailable"/> is the first index the log still holds: entries before it were folded into a
/// snapshot and can no longer be pulled.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansraft.committed-range")]
public sealed record RaftCommittedRange(
    [property: Id(0)] RaftCommittedEntry[] Entries,
    [property: Id(1)] ulong FirstAvailable,
    [property: Id(2)] ulong Through,
    [property: Id(3)] ulong Applied);

/// <summary>A state machine's snapshot (<see cref="IRaftStateMachine.Snapshot"/>) as of log index <see cref="Index"/>.</summary>
[GenerateSerializer, Immutable, Alias("orleansraft.state-snapshot")]
public sealed record RaftStateSnapshot(
    [property: Id(0)] ulong Index,
    [property: Id(1)] ReadOnlyMemory<byte> Data);
