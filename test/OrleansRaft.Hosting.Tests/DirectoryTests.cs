using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Groups;
using OrleansRaft.Hosting.Tests.Infrastructure;

namespace OrleansRaft.Hosting.Tests;

/// <summary>The group directory's records: buckets that concurrent changes share, and the move from the single record of before.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class DirectoryTests(SharedRaftClusters shared)
{
    private RaftCluster Raft => shared[3];

    private IRaftDirectoryGrain Directory => Raft.Client.GetGrain<IRaftDirectoryGrain>(IRaftDirectoryGrain.Key);

    [Fact]
    public void A_groups_bucket_depends_on_its_id_alone()
    {
        // Pinned: records written by one version are found by the next only if the bucket of an id never changes.
        Assert.Equal(20, RaftDirectoryGrain.BucketOf("kv"));
        Assert.Equal(34, RaftDirectoryGrain.BucketOf("tenant-00042"));
        Assert.Equal(44, RaftDirectoryGrain.BucketOf("a"));
    }

    [Fact]
    public async Task Concurrent_listings_and_unlistings_all_land_and_the_listing_stays_sorted()
    {
        var ids = Enumerable.Range(0, 300).Select(i => $"dir-concurrent-{i:D3}").ToArray();
        await Task.WhenAll(ids.Select(Directory.AddAsync));
        Assert.Equal(ids, Listed("dir-concurrent-", await Directory.ListGroupsAsync()));

        // Removals and repeated additions of the same ids in one burst: each bucket applies them in arrival order.
        var removed = ids.Where((_, i) => i % 3 == 0).ToArray();
        await Task.WhenAll(removed.Select(Directory.RemoveAsync).Concat(ids.Where((_, i) => i % 3 == 1).Select(Directory.AddAsync)));
        var expected = ids.Except(removed).ToArray();
        var all = await Directory.ListGroupsAsync();
        Assert.Equal(expected, Listed("dir-concurrent-", all));
        Assert.Equal(all.Order(StringComparer.Ordinal), all);

        var page = await Directory.ListGroupsAsync(expected[9], 5);
        Assert.Equal(expected[10..15], page.Groups);

        await Task.WhenAll(expected.Select(Directory.RemoveAsync));
        Assert.Empty(Listed("dir-concurrent-", await Directory.ListGroupsAsync()));
    }

    [Fact]
    public async Task A_directory_kept_in_one_record_moves_into_buckets_when_read()
    {
        var storage = Raft.Cluster.Silos[0].SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(RaftCluster.StorageName);
        var legacyId = GrainId.Create(GrainType.Create("raftdirectory"), "groups");
        string[] legacyGroups = ["dir-legacy-a", "dir-legacy-b", "dir-legacy-c"];
        var legacy = new GrainState<RaftDirectoryRecord>();
        await storage.ReadStateAsync("raft-directory", legacyId, legacy);
        Assert.False(legacy.RecordExists);
        legacy.State = new RaftDirectoryRecord(legacyGroups);
        await storage.WriteStateAsync("raft-directory", legacyId, legacy);

        // The active directory read its records already; a new activation finds the old record.
        await Directory.AddAsync("dir-legacy-b");
        await Raft.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await RaftCluster.WaitUntilAsync(
            async () => Listed("dir-legacy-", await Directory.ListGroupsAsync()).SequenceEqual(legacyGroups),
            TimeSpan.FromSeconds(30), "a new directory activation to list the old record's groups");

        var after = new GrainState<RaftDirectoryRecord>();
        await storage.ReadStateAsync("raft-directory", legacyId, after);
        Assert.False(after.RecordExists);

        await Task.WhenAll(legacyGroups.Select(Directory.RemoveAsync));
        Assert.Empty(Listed("dir-legacy-", await Directory.ListGroupsAsync()));
    }

    // The shared cluster holds other tests' groups too.
    private static string[] Listed(string prefix, string[] all) => all.Where(g => g.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
}
