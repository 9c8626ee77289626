using OrleansRaft.KeyValue;

namespace OrleansRaft.Client;

/// <summary>
/// A write's result and where it was applied: <see cref="MemberId"/> is the leader that answered, <see cref="Index"/>
/// the command's log index.
/// </summary>
public sealed record KvWrite<T>(T Result, ulong MemberId, ulong Index)
    where T : KvResult;
