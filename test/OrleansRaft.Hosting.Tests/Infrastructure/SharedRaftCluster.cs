namespace OrleansRaft.Hosting.Tests.Infrastructure;

/// <summary>One 3-silo cluster for the suites that do not kill silos; each test uses its own group id.</summary>
public sealed class SharedRaftCluster : IAsyncLifetime
{
    private RaftCluster? _cluster;

    public RaftCluster Raft => _cluster ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _cluster = await RaftCluster.StartAsync(3, configure: o => o.SnapshotEveryEntries = 200);

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SharedClusterCollection : ICollectionFixture<SharedRaftCluster>
{
    public const string Name = "shared raft cluster";
}
