using Orleans.Storage;
using OrleansRaft.Core;
using OrleansRaft.Hosting.Storage;
using OrleansRaft.Integration.Tests.Conformance;
using OrleansRaft.Integration.Tests.Infrastructure;
using static OrleansRaft.Integration.Tests.Infrastructure.Log;

namespace OrleansRaft.Integration.Tests.GrainStorage;

/// <summary>
/// A load that another instance's load or writes overtake half-way. Each test places the other instance's
/// storage calls at one exact point between the load's reads, so that the race happens on every run.
/// </summary>
public abstract class ConcurrentLoadTests
{
    protected abstract IGrainStorage Storage { get; }

    private GrainStorageRaftLogStore Open(IGrainStorage storage, string member) => new(storage, member, MemoryProviderStoreConformance.SmallChunks);

    private async Task<GrainStorageRaftLogStore> Load(string member)
    {
        var store = Open(Storage, member);
        await store.LoadAsync();
        return store;
    }

    [Fact]
    public async Task A_load_overtaken_by_a_newer_load_claims_the_log_again()
    {
        var member = NewMember();
        var seed = await Load(member);
        await seed.AppendAsync(Entries(1, 1, 2), new HardState(1, 1, 0));
        var interleaved = new InterleavingGrainStorage(Storage);
        var overtaken = Open(interleaved, member);
        GrainStorageRaftLogStore? newer = null;

        // Between the first load's claim and its scan, a second instance loads in full and writes its fence.
        interleaved.BeforeRead(GrainStorageRaftLogStore.HardStateStateName, member, async () => newer = await Load(member));
        var state = await overtaken.LoadAsync();

        Assert.NotNull(newer);
        Assert.Equal(Describe(Entries(1, 1, 2)), Describe(state.Entries));
        await Assert.ThrowsAsync<RaftLogConflictException>(() => newer.AppendAsync(Entries(3, 2, 1), new HardState(2, 2, 0)).AsTask());
        await overtaken.AppendAsync(Entries(3, 3, 1), new HardState(3, 3, 0));
        var reloaded = await LogView.Of(await Load(member));
        Assert.Equal(Describe([.. Entries(1, 1, 2), .. Entries(3, 3, 1)]), reloaded.Entries);
        Assert.Equal(new HardState(3, 3, 0), reloaded.HardState);
    }

    [Fact]
    public async Task A_load_that_an_older_instance_keeps_appending_to_takes_in_its_batches_and_then_fences_it()
    {
        var member = NewMember();
        var older = await Load(member);
        await older.AppendAsync(Entries(1, 1, 2), new HardState(1, 1, 0));
        var interleaved = new InterleavingGrainStorage(Storage);
        var loader = Open(interleaved, member);

        // Batch records: 0 is the older instance's fence, 1 its first append. The load reads 0..3 at once: the
        // read of 2 finds nothing, then the older instance appends batches 2 and 3, then the read of 3 finds one.
        var missed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        interleaved.AfterRead(GrainStorageRaftLogStore.BatchStateName, $"{member}/2", () =>
        {
            missed.SetResult();
            return Task.CompletedTask;
        });
        interleaved.BeforeRead(GrainStorageRaftLogStore.BatchStateName, $"{member}/3", async () =>
        {
            await missed.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await older.AppendAsync(Entries(3, 1, 1), new HardState(1, 1, 1));
            await older.AppendAsync(Entries(4, 1, 1), new HardState(1, 1, 2));
        });
        var state = await loader.LoadAsync();

        Assert.Equal(Describe(Entries(1, 1, 4)), Describe(state.Entries));
        Assert.Equal(new HardState(1, 1, 2), state.HardState);
        await Assert.ThrowsAsync<RaftLogConflictException>(() => older.AppendAsync(Entries(5, 1, 1)).AsTask());
        await loader.AppendAsync(Entries(5, 2, 1), new HardState(2, 2, 2));
        Assert.Equal(Describe([.. Entries(1, 1, 4), .. Entries(5, 2, 1)]), (await LogView.Of(await Load(member))).Entries);
    }

    [Fact]
    public async Task A_fence_that_an_older_instance_beats_to_its_place_moves_on_and_takes_in_what_it_stepped_over()
    {
        var member = NewMember();
        var older = await Load(member);
        await older.AppendAsync(Entries(1, 1, 2), new HardState(1, 1, 0));
        var interleaved = new InterleavingGrainStorage(Storage);
        var loader = Open(interleaved, member);

        // Batch records: 0 is the older instance's fence, 1 its first append. The load's scan ends at 2, and just
        // before its fence goes there, and again before it goes to 3, the older instance appends one batch more.
        interleaved.BeforeWrite(GrainStorageRaftLogStore.BatchStateName, $"{member}/2", () => older.AppendAsync(Entries(3, 1, 1), new HardState(1, 1, 1)).AsTask());
        interleaved.BeforeWrite(GrainStorageRaftLogStore.BatchStateName, $"{member}/3", () => older.AppendAsync(Entries(4, 1, 1), new HardState(1, 1, 2)).AsTask());
        var state = await loader.LoadAsync();

        Assert.Equal(Describe(Entries(1, 1, 4)), Describe(state.Entries));
        Assert.Equal(new HardState(1, 1, 2), state.HardState);
        await Assert.ThrowsAsync<RaftLogConflictException>(() => older.AppendAsync(Entries(5, 1, 1)).AsTask());
        await loader.AppendAsync(Entries(5, 2, 1), new HardState(2, 2, 2));
        Assert.Equal(Describe([.. Entries(1, 1, 4), .. Entries(5, 2, 1)]), (await LogView.Of(await Load(member))).Entries);
    }

    [Fact]
    public async Task A_batch_still_missing_once_a_later_one_was_seen_is_reported_as_corruption()
    {
        var member = NewMember();
        var older = await Load(member);
        for (ulong i = 1; i <= 3; i++)
        {
            await older.AppendAsync(Entries(i, 1, 1));
        }

        // The scan reads 0..3 at once, and batch 2 disappears just before its read: 2 missing, 3 present, as when
        // an older instance appends during the read. Read again, 2 is still missing: a hole, not a race, and the
        // load must not paper over it with its fence.
        var interleaved = new InterleavingGrainStorage(Storage);
        interleaved.BeforeRead(GrainStorageRaftLogStore.BatchStateName, $"{member}/2", async () =>
        {
            var doomed = new GrainState<LogBatchRecord>();
            var id = GrainId.Create(new GrainStorageRaftLogStoreOptions().GrainType, $"{member}/2");
            await Storage.ReadStateAsync(GrainStorageRaftLogStore.BatchStateName, id, doomed);
            await Storage.ClearStateAsync(GrainStorageRaftLogStore.BatchStateName, id, doomed);
        });

        var error = await Assert.ThrowsAsync<RaftLogCorruptedException>(() => Open(interleaved, member).LoadAsync());
        Assert.Contains("batch 2 is missing but 3 exists", error.Message);
    }
}

[Collection(StorageCollection.Name)]
public sealed class MemoryProviderConcurrentLoadTests(StorageCluster cluster) : ConcurrentLoadTests
{
    protected override IGrainStorage Storage => cluster.Memory;
}

[Collection(StorageCollection.Name)]
public sealed class PostgresConcurrentLoadTests(StorageCluster cluster) : ConcurrentLoadTests
{
    protected override IGrainStorage Storage => cluster.Postgres;
}

[Collection(StorageCollection.Name)]
public sealed class PostgresBatchingConcurrentLoadTests(StorageCluster cluster) : ConcurrentLoadTests
{
    protected override IGrainStorage Storage => cluster.PostgresBatching;
}
