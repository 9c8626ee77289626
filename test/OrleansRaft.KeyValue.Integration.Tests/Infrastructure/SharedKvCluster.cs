namespace OrleansRaft.KeyValue.Integration.Tests.Infrastructure;

/// <summary>
/// One 3-silo cluster for the suites that kill no silo. Each test creates groups of its own ids. Members snapshot
/// every <see cref="SnapshotEveryEntries"/> entries, so the store's snapshots are taken and restored as tests run.
/// </summary>
public sealed class SharedKvCluster : IAsyncLifetime
{
    public const int SnapshotEveryEntries = 100;

    private KvCluster? _cluster;

    public KvCluster Cluster => _cluster ?? throw new InvalidOperationException("The shared cluster has not started.");

    public async Task InitializeAsync() => _cluster = await KvCluster.StartAsync(3, SnapshotEveryEntries);

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SharedKvClusterCollection : ICollectionFixture<SharedKvCluster>
{
    public const string Name = "shared key-value cluster";
}
