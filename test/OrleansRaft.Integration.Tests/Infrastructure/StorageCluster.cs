using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansRaft.TestSupport;

namespace OrleansRaft.Integration.Tests.Infrastructure;

/// <summary>
/// One silo with the grain storage providers the log store is tested on, all with Orleans' binary serializer:
/// Orleans' memory provider; ADO.NET on PostgreSQL as <see cref="RaftLogStorageSiloBuilderExtensions.AddRaftPostgresStorage"/>
/// sets it up (rows deleted on clear); ADO.NET on PostgreSQL keeping cleared rows, the provider's default; and
/// OrleansRaft's batching provider on PostgreSQL.
/// Shared by the tests of the "storage" collection.
/// </summary>
public sealed class StorageCluster : IAsyncLifetime
{
    public const string MemoryProvider = "raft-memory";
    public const string PostgresProvider = "raft-postgres";
    public const string PostgresKeepingRowsProvider = "raft-postgres-keeping-rows";
    public const string PostgresBatchingProvider = "raft-postgres-batching";

    private InProcessTestCluster? _cluster;

    /// <summary>The process's <see cref="TestPostgres"/> server, which outlives this cluster.</summary>
    public string PostgresConnectionString => TestPostgres.ConnectionString;

    public IServiceProvider Services => _cluster?.Silos[0].ServiceProvider ?? throw new InvalidOperationException("Not started.");

    public IGrainStorage Memory => Services.GetRequiredKeyedService<IGrainStorage>(MemoryProvider);

    public IGrainStorage Postgres => Services.GetRequiredKeyedService<IGrainStorage>(PostgresProvider);

    /// <summary>ADO.NET on PostgreSQL where a clear keeps the row, with no payload and the next version as its ETag.</summary>
    public IGrainStorage PostgresKeepingRows => Services.GetRequiredKeyedService<IGrainStorage>(PostgresKeepingRowsProvider);

    /// <summary>OrleansRaft's batching provider on PostgreSQL, with small batches so that tests fill several.</summary>
    public IGrainStorage PostgresBatching => Services.GetRequiredKeyedService<IGrainStorage>(PostgresBatchingProvider);

    public Serializer Serializer => Services.GetRequiredService<Serializer>();

    public async Task InitializeAsync()
    {
        var connectionString = PostgresConnectionString;
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(MemoryProvider);
            silo.Services.AddBinaryGrainStorageSerializer(MemoryProvider);
            silo.AddRaftPostgresStorage(PostgresProvider, connectionString);
            silo.AddAdoNetGrainStorage(PostgresKeepingRowsProvider, options =>
            {
                options.Invariant = "Npgsql";
                options.ConnectionString = connectionString;
                options.DeleteStateOnClear = false;
            });
            silo.Services.AddBinaryGrainStorageSerializer(PostgresKeepingRowsProvider);
            silo.AddRaftPostgresBatchingStorage(PostgresBatchingProvider, connectionString, applySchema: false, o => o.MaxBatchOperations = 16);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class StorageCollection : ICollectionFixture<StorageCluster>
{
    public const string Name = "storage";
}
