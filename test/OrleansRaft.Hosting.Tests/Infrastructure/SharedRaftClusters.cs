namespace OrleansRaft.Hosting.Tests.Infrastructure;

/// <summary>
/// A 3-silo and a 5-silo cluster for the suites that do not kill silos. Each test uses its own group ids, and the
/// groups a test created are deleted after it, so that the groups of earlier tests do not keep ticking under later ones.
/// </summary>
public sealed class SharedRaftClusters : IAsyncLifetime
{
    /// <summary>The members of the shared clusters compact their logs this often.</summary>
    public const int SnapshotEveryEntries = 200;

    private readonly Dictionary<int, RaftCluster> _clusters = [];

    /// <summary>The cluster of <paramref name="silos"/> silos (3 or 5).</summary>
    public RaftCluster this[int silos] =>
        _clusters.TryGetValue(silos, out var cluster) ? cluster : throw new ArgumentOutOfRangeException(nameof(silos), silos, "Only 3 and 5 silos are shared.");

    public async Task InitializeAsync()
    {
        foreach (var silos in new[] { 3, 5 })
        {
            _clusters[silos] = await RaftCluster.StartAsync(silos, configure: o => o.SnapshotEveryEntries = SnapshotEveryEntries);
        }
    }

    /// <summary>Deletes every group created on the shared clusters so far.</summary>
    public async Task DeleteCreatedGroupsAsync()
    {
        foreach (var cluster in _clusters.Values)
        {
            await cluster.DeleteCreatedGroupsAsync();
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var cluster in _clusters.Values)
        {
            await cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SharedClusterCollection : ICollectionFixture<SharedRaftClusters>
{
    public const string Name = "shared raft clusters";
}
