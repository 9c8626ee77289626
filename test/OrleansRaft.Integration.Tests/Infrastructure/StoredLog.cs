using Orleans.Storage;
using OrleansRaft.Hosting.Storage;

namespace OrleansRaft.Integration.Tests.Infrastructure;

/// <summary>The records of one member's log as grain storage holds them, read back through the provider.</summary>
internal static class StoredLog
{
    /// <summary>Whether the record exists, read as the type its state name holds.</summary>
    public static async Task<bool> Exists(IGrainStorage storage, string stateName, string key) => stateName switch
    {
        GrainStorageRaftLogStore.ManifestStateName => await Read<LogManifest>(storage, stateName, key) is not null,
        GrainStorageRaftLogStore.HardStateStateName => await Read<HardStateRecord>(storage, stateName, key) is not null,
        GrainStorageRaftLogStore.BatchStateName => await Read<LogBatchRecord>(storage, stateName, key) is not null,
        GrainStorageRaftLogStore.SnapshotStateName => await Read<SnapshotChunkRecord>(storage, stateName, key) is not null,
        _ => throw new ArgumentException($"Not a state name of the log: {stateName}.", nameof(stateName)),
    };

    public static async Task<T?> Read<T>(IGrainStorage storage, string stateName, string key)
        where T : class
    {
        var state = new GrainState<T>();
        await storage.ReadStateAsync(stateName, GrainId.Create(new GrainStorageRaftLogStoreOptions().GrainType, key), state);
        return state.RecordExists ? state.State : null;
    }

    /// <summary>
    /// Asserts that <paramref name="stored"/>, every record of <paramref name="member"/> that exists, holds nothing
    /// a finished load leaves to collect: the manifest lists no garbage, every batch record before the first live
    /// one is a fence (fences stay for good), and the only snapshot chunks are those of the snapshot in force.
    /// </summary>
    public static async Task AssertNoLeftovers(IGrainStorage storage, string member, IReadOnlyCollection<(string StateName, string Key)> stored)
    {
        var manifest = await Read<LogManifest>(storage, GrainStorageRaftLogStore.ManifestStateName, member);
        Assert.NotNull(manifest);
        Assert.Null(manifest.Pending);
        Assert.Null(manifest.GarbageSnapshot);
        Assert.Equal(manifest.FirstSeq, manifest.GarbageFromSeq);

        var chunkPrefix = manifest.Snapshot is { } snapshot ? $"{member}/{snapshot.Epoch}.{snapshot.Number}/" : null;
        var leftovers = new List<string>();
        var chunks = 0;
        foreach (var (stateName, key) in stored)
        {
            switch (stateName)
            {
                case GrainStorageRaftLogStore.ManifestStateName or GrainStorageRaftLogStore.HardStateStateName when key == member:
                    break;
                case GrainStorageRaftLogStore.BatchStateName when long.TryParse(key.AsSpan(member.Length + 1), out var seq):
                    if (seq < manifest.FirstSeq && (await Read<LogBatchRecord>(storage, stateName, key)) is { IsFence: false })
                    {
                        leftovers.Add($"batch {seq}, before the first live batch {manifest.FirstSeq}");
                    }

                    break;
                case GrainStorageRaftLogStore.SnapshotStateName
                    when chunkPrefix is not null && key.StartsWith(chunkPrefix, StringComparison.Ordinal) &&
                         int.TryParse(key.AsSpan(chunkPrefix.Length), out var index) && index < manifest.Snapshot!.ChunkCount:
                    chunks++;
                    break;
                default:
                    leftovers.Add($"{stateName}/{key}");
                    break;
            }
        }

        Assert.Empty(leftovers);
        Assert.Equal(manifest.Snapshot?.ChunkCount ?? 0, chunks);
    }
}
