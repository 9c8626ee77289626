using OrleansRaft.Core.Tracking;

namespace OrleansRaft.Core;

/// <summary>The leader's view of one member's replication.</summary>
public readonly record struct ReplicationProgress(ulong Match, ulong Next, ReplicationState State);

/// <summary>A picture of a member at one moment. <see cref="Progress"/> is empty unless the member leads.</summary>
public sealed record RaftStatus(
    ulong Id,
    ulong Term,
    ulong Vote,
    ulong Leader,
    RaftRole Role,
    ulong Commit,
    ulong Applied,
    ulong FirstIndex,
    ulong LastIndex,
    MembershipConfiguration Configuration,
    IReadOnlyDictionary<ulong, ReplicationProgress> Progress);
