using Npgsql;
using Orleans.Storage;
using OrleansRaft.Core;
using OrleansRaft.Hosting.Storage;
using OrleansRaft.Integration.Tests.Infrastructure;
using static OrleansRaft.Integration.Tests.Infrastructure.Log;

namespace OrleansRaft.Integration.Tests.GrainStorage;

/// <summary>How the log lies in grain storage: one record per write, the cost of a write, and what a load rejects.</summary>
[Collection(StorageCollection.Name)]
public sealed class GrainStorageLayoutTests(StorageCluster cluster)
{
    [Fact]
    public async Task Every_write_is_one_storage_write_however_long_the_log()
    {
        var counter = new FaultInjectingGrainStorage(cluster.Memory);
        var store = new GrainStorageRaftLogStore(counter, NewMember());
        await store.LoadAsync();

        var writesPerAppend = new List<int>();
        for (ulong batch = 0; batch < 300; batch++)
        {
            counter.Arm(crashAt: 0, crashAfterWrite: false);
            await store.AppendAsync(Entries(batch * 16 + 1, 1, 16), new HardState(1, 1, batch * 8));
            writesPerAppend.Add(counter.Writes);
        }

        counter.Arm(crashAt: 0, crashAfterWrite: false);
        await store.AppendAsync([], new HardState(2, 1, 2400));
        var hardStateWrites = counter.Writes;
        counter.Arm(crashAt: 0, crashAfterWrite: false);
        await store.TruncateSuffixAsync(4801);
        await store.TruncateSuffixAsync(4790);
        var truncateWrites = counter.Writes;

        Assert.All(writesPerAppend, writes => Assert.Equal(1, writes));
        Assert.Equal(1, hardStateWrites);
        Assert.Equal(1, truncateWrites);
        Assert.Equal(4789UL, store.LastIndex);
    }

    [Fact]
    public async Task Each_batch_is_its_own_row_serialized_with_the_binary_serializer()
    {
        var member = NewMember();
        var store = new GrainStorageRaftLogStore(cluster.Postgres, member);
        await store.LoadAsync();
        for (ulong i = 0; i < 5; i++)
        {
            await store.AppendAsync(Entries(i * 3 + 1, 1, 3), new HardState(1, 0, 0));
        }

        var rows = await Query(
            "SELECT grainidextensionstring, payloadbinary FROM orleansstorage WHERE graintypestring = $1 AND starts_with(grainidextensionstring, $2) ORDER BY 1",
            GrainStorageRaftLogStore.BatchStateName, member + "/");

        // Five batches after the fence the load wrote at sequence number 0.
        Assert.Equal(Enumerable.Range(0, 6).Select(seq => $"{member}/{seq}"), rows.Select(r => (string)r[0]));
        var batches = rows.Select(r => cluster.Serializer.Deserialize<LogBatchRecord>((byte[])r[1])!).ToList();
        Assert.True(batches[0].IsFence);
        Assert.Equal([1UL, 4UL, 7UL, 10UL, 13UL], batches.Skip(1).Select(b => b.FirstIndex));
        Assert.All(rows, r => Assert.NotEqual((byte)'{', ((byte[])r[1])[0]));
    }

    [Fact]
    public async Task A_gap_between_batches_is_reported_as_corruption()
    {
        var member = NewMember();
        var store = new GrainStorageRaftLogStore(cluster.Memory, member);
        await store.LoadAsync();
        await store.AppendAsync(Entries(1, 1, 3));
        var gap = new LogBatchRecord { Seq = 2, Epoch = 1, Lsn = 9, FirstIndex = 5, Entries = [new StoredEntry(1, 0, new byte[] { 1 })] };
        await cluster.Memory.WriteStateAsync(GrainStorageRaftLogStore.BatchStateName, BatchId(member, 2), new GrainState<LogBatchRecord>(gap));

        var error = await Assert.ThrowsAsync<RaftLogCorruptedException>(() => new GrainStorageRaftLogStore(cluster.Memory, member).LoadAsync());
        Assert.Contains("batch 2", error.Message);
    }

    [Fact]
    public async Task A_missing_batch_followed_by_others_is_reported_as_corruption()
    {
        var member = NewMember();
        var store = new GrainStorageRaftLogStore(cluster.Memory, member);
        await store.LoadAsync();
        for (ulong i = 0; i < 4; i++)
        {
            await store.AppendAsync(Entries(i + 1, 1, 1));
        }

        var doomed = new GrainState<LogBatchRecord>();
        await cluster.Memory.ReadStateAsync(GrainStorageRaftLogStore.BatchStateName, BatchId(member, 2), doomed);
        await cluster.Memory.ClearStateAsync(GrainStorageRaftLogStore.BatchStateName, BatchId(member, 2), doomed);

        var error = await Assert.ThrowsAsync<RaftLogCorruptedException>(() => new GrainStorageRaftLogStore(cluster.Memory, member).LoadAsync());
        Assert.Contains("batch 2 is missing but 3 exists", error.Message);
    }

    [Fact]
    public async Task Undecodable_bytes_are_reported_as_corruption()
    {
        var member = NewMember();
        var store = new GrainStorageRaftLogStore(cluster.Postgres, member);
        await store.LoadAsync();
        await store.AppendAsync(Entries(1, 1, 2));
        await Query(
            "UPDATE orleansstorage SET payloadbinary = '\\x0102030405'::bytea WHERE graintypestring = $1 AND grainidextensionstring = $2 RETURNING 1",
            GrainStorageRaftLogStore.BatchStateName, member + "/1");

        await Assert.ThrowsAsync<RaftLogCorruptedException>(() => new GrainStorageRaftLogStore(cluster.Postgres, member).LoadAsync());
    }

    [Fact]
    public async Task A_damaged_snapshot_chunk_is_reported_as_corruption()
    {
        var member = NewMember();
        var options = new GrainStorageRaftLogStoreOptions { SnapshotChunkSize = 8 };
        var store = new GrainStorageRaftLogStore(cluster.Postgres, member, options);
        await store.LoadAsync();
        await store.AppendAsync(Entries(1, 1, 2), new HardState(1, 0, 2));
        await store.InstallSnapshotAsync(new Snapshot(new SnapshotMetadata(2, 1, new MembershipConfiguration([1])), new byte[20]));
        var chunk = await Query(
            "SELECT grainidextensionstring, payloadbinary FROM orleansstorage WHERE graintypestring = $1 AND starts_with(grainidextensionstring, $2) ORDER BY 1 LIMIT 1",
            GrainStorageRaftLogStore.SnapshotStateName, member + "/");
        var record = cluster.Serializer.Deserialize<SnapshotChunkRecord>((byte[])chunk[0][1])!;
        var damaged = record with { Data = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 } };
        await Query(
            "UPDATE orleansstorage SET payloadbinary = $3 WHERE graintypestring = $1 AND grainidextensionstring = $2 RETURNING 1",
            GrainStorageRaftLogStore.SnapshotStateName, (string)chunk[0][0], cluster.Serializer.SerializeToArray(damaged));

        var reloaded = new GrainStorageRaftLogStore(cluster.Postgres, member, options);
        await reloaded.LoadAsync();
        var error = await Assert.ThrowsAsync<RaftLogCorruptedException>(() => reloaded.ReadSnapshotAsync().AsTask());
        Assert.Contains("checksum", error.Message);
    }

    private static GrainId BatchId(string member, long seq) => GrainId.Create("raftlog", $"{member}/{seq}");

    private async Task<List<object[]>> Query(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(cluster.PostgresConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        var rows = new List<object[]>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }

        Assert.NotEmpty(rows);
        return rows;
    }
}
