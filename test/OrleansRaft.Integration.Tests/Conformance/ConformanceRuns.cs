using OrleansRaft.Hosting.Storage;
using OrleansRaft.Integration.Tests.Infrastructure;

namespace OrleansRaft.Integration.Tests.Conformance;

/// <summary>The contract on the reference in-memory store.</summary>
public sealed class InMemoryStoreConformance : RaftLogStoreConformance
{
    private readonly Dictionary<string, InMemoryRaftLogMedium> _media = [];

    protected override IRaftLogStore Open(string member)
    {
        lock (_media)
        {
            if (!_media.TryGetValue(member, out var medium))
            {
                _media[member] = medium = new InMemoryRaftLogMedium();
            }

            return new InMemoryRaftLogStore(medium, member);
        }
    }
}

/// <summary>The contract on IGrainStorage with Orleans' memory provider.</summary>
[Collection(StorageCollection.Name)]
public sealed class MemoryProviderStoreConformance(StorageCluster cluster) : RaftLogStoreConformance
{
    protected override IRaftLogStore Open(string member) => new GrainStorageRaftLogStore(cluster.Memory, member, SmallChunks);

    /// <summary>Small chunks and windows, so that snapshots span several chunks and loads several windows.</summary>
    internal static GrainStorageRaftLogStoreOptions SmallChunks => new() { SnapshotChunkSize = 64, LoadWindow = 8 };
}

/// <summary>The contract on IGrainStorage with the ADO.NET provider on PostgreSQL.</summary>
[Collection(StorageCollection.Name)]
public sealed class PostgresStoreConformance(StorageCluster cluster) : RaftLogStoreConformance
{
    protected override IRaftLogStore Open(string member) =>
        new GrainStorageRaftLogStore(cluster.Postgres, member, MemoryProviderStoreConformance.SmallChunks);
}

/// <summary>The contract on IGrainStorage with the ADO.NET provider on PostgreSQL keeping cleared rows, as it does by default.</summary>
[Collection(StorageCollection.Name)]
public sealed class PostgresKeepingRowsStoreConformance(StorageCluster cluster) : RaftLogStoreConformance
{
    protected override IRaftLogStore Open(string member) =>
        new GrainStorageRaftLogStore(cluster.PostgresKeepingRows, member, MemoryProviderStoreConformance.SmallChunks);
}

/// <summary>The contract on IGrainStorage with OrleansRaft's batching provider on PostgreSQL.</summary>
[Collection(StorageCollection.Name)]
public sealed class PostgresBatchingStoreConformance(StorageCluster cluster) : RaftLogStoreConformance
{
    protected override IRaftLogStore Open(string member) =>
        new GrainStorageRaftLogStore(cluster.PostgresBatching, member, MemoryProviderStoreConformance.SmallChunks);
}
