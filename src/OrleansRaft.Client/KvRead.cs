using OrleansRaft.KeyValue;

namespace OrleansRaft.Client;

/// <summary>
/// A read's answer and where it came from. <see cref="Index"/> is the log index the answering member had applied
/// at least: for a linearizable read the leader's commit index when it confirmed its leadership, for a serializable
/// one the member's applied index (compare it, or <c>Result.Revision</c>, with a write's to tell whether the read
/// saw it).
/// </summary>
public sealed record KvRead<T>(T Result, ReadConsistency Consistency, ulong MemberId, ulong Index)
    where T : KvResult;
