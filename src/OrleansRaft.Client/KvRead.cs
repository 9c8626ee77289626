using OrleansRaft.KeyValue;

namespace OrleansRaft.Client;

/// <summary>
/// A read's answer and where it came from. <see cref="Index"/> is the log index the answering member had applied
/// at least: for a linearizable read the leader's commit index when it confirmed its leadership, for a serializable
/// one the member's applied index (compare it, or <c>Result.Revision</c>, with a write's to tell whether the read
/// saw it).
/// </summary>
/// <remarks>
/// A serializable read also says how stale it may be: <see cref="Commit"/> is the commit index the member knew (the
/// entries after <see cref="Index"/> through it committed but were not yet applied), and <see cref="LeaderSilence"/>
/// the time since the member last heard from a leader (zero when it leads, <see cref="TimeSpan.MaxValue"/> when it
/// heard from none since it started). A linearizable read is as fresh as can be: both are left at zero.
/// </remarks>
public sealed record KvRead<T>(T Result, ReadConsistency Consistency, ulong MemberId, ulong Index)
    where T : KvResult
{
    public ulong Commit { get; init; }

    public TimeSpan LeaderSilence { get; init; }
}
