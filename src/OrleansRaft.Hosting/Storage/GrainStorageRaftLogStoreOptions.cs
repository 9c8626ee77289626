namespace OrleansRaft.Hosting.Storage;

/// <summary>Settings of <see cref="GrainStorageRaftLogStore"/>.</summary>
public sealed class GrainStorageRaftLogStoreOptions
{
    /// <summary>The grain type under which the log's records are keyed in the storage provider.</summary>
    public string GrainType { get; set; } = "raftlog";

    /// <summary>The largest snapshot chunk, in bytes: a snapshot is stored as this many bytes per record.</summary>
    public int SnapshotChunkSize { get; set; } = 256 * 1024;

    /// <summary>
    /// How many batch records a load reads at once, at most; also how often its scan goes on after an older
    /// instance appended under it, before it leaves the rest to the fence.
    /// </summary>
    public int LoadWindow { get; set; } = 64;

    /// <summary>How many snapshot chunks, or deletions of compacted records, are in flight at once.</summary>
    public int MaxParallelWrites { get; set; } = 8;

    /// <summary>How often a load retries its claim when another instance keeps writing the same member.</summary>
    public int MaxClaimAttempts { get; set; } = 8;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(GrainType))
        {
            throw new ArgumentException("A grain type is required.", nameof(GrainType));
        }

        if (SnapshotChunkSize < 1 || LoadWindow < 1 || MaxParallelWrites < 1 || MaxClaimAttempts < 1)
        {
            throw new ArgumentException(
                $"Sizes and counts must be positive: {nameof(SnapshotChunkSize)}={SnapshotChunkSize}, {nameof(LoadWindow)}={LoadWindow}, " +
                $"{nameof(MaxParallelWrites)}={MaxParallelWrites}, {nameof(MaxClaimAttempts)}={MaxClaimAttempts}.");
        }
    }
}
