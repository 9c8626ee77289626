using OrleansRaft.Core;

namespace OrleansRaft.Hosting.Storage;

// The records GrainStorageRaftLogStore keeps in IGrainStorage, one storage record each. They are written with
// Orleans' binary serializer; the aliases and ids are the stored format, so they never change meaning.

/// <summary>A hard state as stored.</summary>
[GenerateSerializer, Immutable, Alias("raft.storage.HardState")]
internal readonly record struct StoredHardState(
    [property: Id(0)] ulong Term,
    [property: Id(1)] ulong Vote,
    [property: Id(2)] ulong Commit)
{
    public static StoredHardState From(HardState hardState) => new(hardState.Term, hardState.Vote, hardState.Commit);

    public HardState ToHardState() => new(Term, Vote, Commit);
}

/// <summary>An entry as stored in a batch; its index follows from the batch's first index.</summary>
[GenerateSerializer, Immutable, Alias("raft.storage.Entry")]
internal readonly record struct StoredEntry(
    [property: Id(0)] ulong Term,
    [property: Id(1)] byte Type,
    [property: Id(2)] ReadOnlyMemory<byte> Data);

/// <summary>
/// Where a snapshot's data lies: <see cref="ChunkCount"/> chunk records of <see cref="ChunkSize"/> bytes (the last
/// one shorter), and what they must add up to.
/// </summary>
[GenerateSerializer, Immutable, Alias("raft.storage.SnapshotRef")]
internal sealed record SnapshotRef(
    [property: Id(0)] ulong Epoch,
    [property: Id(1)] ulong Number,
    [property: Id(2)] int ChunkCount,
    [property: Id(3)] int ChunkSize,
    [property: Id(4)] long Length,
    [property: Id(5)] byte[] Sha256)
{
    public long ChunkOffset(int index) => (long)index * ChunkSize;

    public int ChunkLength(int index) => (int)Math.Min(ChunkSize, Length - ChunkOffset(index));
}

/// <summary>
/// The member's manifest: the snapshot in force and where the live batch records start. Written when a
/// snapshot is installed and when an instance claims the log, never on the append path.
/// </summary>
[GenerateSerializer, Immutable, Alias("raft.storage.Manifest")]
internal sealed record LogManifest
{
    /// <summary>The claim of the instance that wrote this manifest; each load increments it.</summary>
    [Id(0)] public ulong Epoch { get; init; }

    /// <summary>The write sequence number of the write that set <see cref="HardState"/>.</summary>
    [Id(1)] public ulong Lsn { get; init; }

    [Id(2)] public StoredHardState HardState { get; init; }

    [Id(3)] public ulong SnapshotIndex { get; init; }

    [Id(4)] public ulong SnapshotTerm { get; init; }

    /// <summary>The membership at the snapshot, as <see cref="MembershipConfiguration.Encode"/> writes it.</summary>
    [Id(5)] public byte[] SnapshotConfiguration { get; init; } = MembershipConfiguration.Empty.Encode();

    /// <summary>The snapshot's data; null while the member has no snapshot.</summary>
    [Id(6)] public SnapshotRef? Snapshot { get; init; }

    /// <summary>The sequence number of the first batch record that replay starts from.</summary>
    [Id(7)] public long FirstSeq { get; init; }

    [Id(8)] public ulong NextSnapshotNumber { get; init; }

    /// <summary>A snapshot whose chunks are being written; its chunks are garbage if a crash came first.</summary>
    [Id(9)] public SnapshotRef? Pending { get; init; }

    /// <summary>The snapshot this manifest replaced, whose chunks may remain until collected.</summary>
    [Id(10)] public SnapshotRef? GarbageSnapshot { get; init; }

    /// <summary>Batch records in <c>[GarbageFromSeq, FirstSeq)</c> may remain until collected; fences among them stay.</summary>
    [Id(11)] public long GarbageFromSeq { get; init; }

    public bool HasGarbage => Pending is not null || GarbageSnapshot is not null || GarbageFromSeq < FirstSeq;

    public SnapshotMetadata ToSnapshotMetadata() =>
        new(SnapshotIndex, SnapshotTerm, MembershipConfiguration.Decode(SnapshotConfiguration));
}

/// <summary>The hard state written on its own, when it changes without entries.</summary>
[GenerateSerializer, Immutable, Alias("raft.storage.HardStateRecord")]
internal sealed record HardStateRecord(
    [property: Id(0)] ulong Epoch,
    [property: Id(1)] ulong Lsn,
    [property: Id(2)] StoredHardState HardState);

/// <summary>
/// One durable step of the log, under its own key <c>{member}/{Seq}</c>, written once and never updated.
/// Replaying the batches in sequence order rebuilds the log: each keeps the entries before
/// <see cref="FirstIndex"/> and puts its own after them, so a batch that starts inside the log truncates the
/// conflicting suffix in the same write. A fence carries nothing: a loading instance writes one at the next
/// free sequence number, so that an older instance's next append collides with it.
/// </summary>
[GenerateSerializer, Immutable, Alias("raft.storage.Batch")]
internal sealed record LogBatchRecord
{
    [Id(0)] public long Seq { get; init; }

    [Id(1)] public ulong Epoch { get; init; }

    [Id(2)] public bool IsFence { get; init; }

    [Id(3)] public ulong Lsn { get; init; }

    [Id(4)] public ulong FirstIndex { get; init; }

    /// <summary>The hard state as of this write.</summary>
    [Id(5)] public StoredHardState HardState { get; init; }

    [Id(6)] public StoredEntry[] Entries { get; init; } = [];
}

/// <summary>One chunk of a snapshot's data, under <c>{member}/{epoch}.{number}/{index}</c>.</summary>
[GenerateSerializer, Immutable, Alias("raft.storage.SnapshotChunk")]
internal sealed record SnapshotChunkRecord(
    [property: Id(0)] ulong Epoch,
    [property: Id(1)] ulong Number,
    [property: Id(2)] int Index,
    [property: Id(3)] ReadOnlyMemory<byte> Data);
