namespace OrleansRaft.Abstractions;

/// <summary>A log entry on the wire. <see cref="Data"/> is the payload as proposed; it is never copied but to serialize it.</summary>
[GenerateSerializer, Immutable, Alias("orleansraft.entry")]
public readonly record struct RaftEntryData(
    [property: Id(0)] ulong Term,
    [property: Id(1)] ulong Index,
    [property: Id(2)] byte Type,
    [property: Id(3)] ReadOnlyMemory<byte> Data);

/// <summary>A snapshot on the wire: its position, the membership in force there and the state machine's bytes.</summary>
[GenerateSerializer, Immutable, Alias("orleansraft.snapshot")]
public sealed record RaftSnapshotData(
    [property: Id(0)] ulong Index,
    [property: Id(1)] ulong Term,
    [property: Id(2)] ulong[] Voters,
    [property: Id(3)] ulong[] Learners,
    [property: Id(4)] ReadOnlyMemory<byte> Data);

/// <summary>One Raft message between two members of a group, field for field as the core builds it.</summary>
[GenerateSerializer, Immutable, Alias("orleansraft.message")]
public sealed record RaftMessageData
{
    [Id(0)] public byte Type { get; init; }

    [Id(1)] public ulong From { get; init; }

    [Id(2)] public ulong To { get; init; }

    [Id(3)] public ulong Term { get; init; }

    [Id(4)] public ulong Index { get; init; }

    [Id(5)] public ulong LogTerm { get; init; }

    [Id(6)] public RaftEntryData[]? Entries { get; init; }

    [Id(7)] public ulong Commit { get; init; }

    [Id(8)] public bool Reject { get; init; }

    [Id(9)] public ulong RejectHint { get; init; }

    [Id(10)] public RaftSnapshotData? Snapshot { get; init; }

    [Id(11)] public ulong Context { get; init; }
}
