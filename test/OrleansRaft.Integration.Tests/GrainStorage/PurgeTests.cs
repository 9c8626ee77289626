using Npgsql;
using OrleansRaft.Core;
using OrleansRaft.Hosting.Storage;
using OrleansRaft.Integration.Tests.Conformance;
using OrleansRaft.Integration.Tests.Infrastructure;
using static OrleansRaft.Integration.Tests.Infrastructure.Log;

namespace OrleansRaft.Integration.Tests.GrainStorage;

/// <summary>
/// Purging a member's log (<see cref="GrainStorageRaftLogStore.PurgeAsync"/>, for a deleted group's incarnation): on
/// PostgreSQL no row of the member is left, fences below the first live batch and the manifest included.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class PostgresPurgeTests(StorageCluster cluster)
{
    private GrainStorageRaftLogStore Open(string member) => new(cluster.Postgres, member, MemoryProviderStoreConformance.SmallChunks);

    [Fact]
    public async Task Purging_leaves_no_row_of_the_member_where_deleting_leaves_its_fences_and_manifest()
    {
        var purged = NewMember();
        var deleted = NewMember();
        foreach (var member in new[] { purged, deleted })
        {
            // Three claims leave three fences; the snapshot moves the first live batch past the first of them.
            var first = Open(member);
            await first.LoadAsync();
            await first.AppendAsync(Entries(1, 1, 4), new HardState(1, 1, 3));
            var second = Open(member);
            await second.LoadAsync();
            await second.AppendAsync(Entries(5, 2, 4), new HardState(2, 1, 6));
            await second.InstallSnapshotAsync(new Snapshot(new SnapshotMetadata(6, 2, new MembershipConfiguration([1, 2, 3])), new byte[200]));
            await second.AppendAsync(Entries(9, 2, 2), new HardState(2, 1, 8));
        }

        Assert.True(await RowsAsync(purged) >= 5, "expected batches, fences, chunks, a manifest and a hard state");
        var purger = Open(purged);
        await purger.LoadAsync();
        var deleter = Open(deleted);
        await deleter.LoadAsync();

        await purger.PurgeAsync();
        await deleter.DeleteAllAsync();

        Assert.Equal(0, await RowsAsync(purged));
        Assert.True(await RowsAsync(deleted) >= 4, "deleting keeps three fences and the manifest");
        await Assert.ThrowsAsync<InvalidOperationException>(() => purger.AppendAsync(Entries(11, 2, 1)).AsTask());
    }

    private async Task<long> RowsAsync(string member)
    {
        await using var connection = new NpgsqlConnection(cluster.PostgresConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM orleansstorage WHERE grainidextensionstring = $1 OR starts_with(grainidextensionstring, $1 || '/')", connection);
        count.Parameters.Add(new NpgsqlParameter { Value = member });
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
