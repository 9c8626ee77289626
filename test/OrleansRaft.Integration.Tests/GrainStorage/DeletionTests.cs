using Orleans.Storage;
using OrleansRaft.Core;
using OrleansRaft.Hosting.Storage;
using OrleansRaft.Integration.Tests.Conformance;
using OrleansRaft.Integration.Tests.Infrastructure;
using static OrleansRaft.Integration.Tests.Infrastructure.Log;

namespace OrleansRaft.Integration.Tests.GrainStorage;

/// <summary>
/// Deleting a member's log (<see cref="GrainStorageRaftLogStore.DeleteAllAsync"/>): the member comes back empty,
/// and an instance fenced before the deletion stays fenced after it.
/// </summary>
public abstract class DeletionTests
{
    protected abstract IGrainStorage Storage { get; }

    private GrainStorageRaftLogStore Open(string member) => new(Storage, member, MemoryProviderStoreConformance.SmallChunks);

    private async Task<GrainStorageRaftLogStore> Load(string member)
    {
        var store = Open(member);
        await store.LoadAsync();
        return store;
    }

    private static async Task<GrainStorageRaftLogStore> WithLogAndSnapshot(GrainStorageRaftLogStore store)
    {
        await store.AppendAsync(Entries(1, 1, 4), new HardState(1, 1, 3));
        await store.InstallSnapshotAsync(new Snapshot(new SnapshotMetadata(2, 1, new MembershipConfiguration([1, 2, 3])), new byte[200]));
        await store.AppendAsync(Entries(5, 2, 2), new HardState(2, 1, 4));
        return store;
    }

    [Fact]
    public async Task A_writer_fenced_before_the_deletion_stays_fenced_after_it()
    {
        var member = NewMember();
        var stale = await WithLogAndSnapshot(await Load(member));
        var deleter = await Load(member);

        await deleter.DeleteAllAsync();

        await Assert.ThrowsAsync<RaftLogConflictException>(() => stale.AppendAsync(Entries(7, 2, 1)).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => stale.AppendAsync(Entries(7, 2, 1)).AsTask());
        var recreated = await Load(member);
        Assert.Equal(0UL, recreated.LastIndex);
        Assert.Equal(HardState.Empty, recreated.HardState);
        Assert.Equal(SnapshotMetadata.Empty, recreated.SnapshotMetadata);
    }

    [Fact]
    public async Task A_member_re_created_after_the_deletion_starts_empty_and_keeps_what_it_writes()
    {
        var member = NewMember();
        var deleter = await WithLogAndSnapshot(await Load(member));

        await deleter.DeleteAllAsync();

        Assert.Equal(0UL, deleter.LastIndex);
        Assert.Equal(HardState.Empty, deleter.HardState);
        var recreated = await Load(member);
        Assert.Equal(new LogView(HardState.Empty, "0/0 voters=()", "", ""), await LogView.Of(recreated));
        await recreated.InstallSnapshotAsync(new Snapshot(new SnapshotMetadata(0, 0, new MembershipConfiguration([1])), ReadOnlyMemory<byte>.Empty));
        await recreated.AppendAsync(Entries(1, 1, 2), new HardState(1, 1, 1));
        var reloaded = await LogView.Of(await Load(member));
        Assert.Equal(new LogView(new HardState(1, 1, 1), "0/0 voters=(1)", "", Describe(Entries(1, 1, 2))), reloaded);
    }

    [Fact]
    public async Task The_deleting_instance_writes_its_hard_state_again_after_the_deletion()
    {
        var member = NewMember();
        var deleter = await WithLogAndSnapshot(await Load(member));
        await deleter.AppendAsync([], new HardState(2, 2, 4));

        await deleter.DeleteAllAsync();
        await deleter.AppendAsync([], new HardState(3, 1, 0));

        var reloaded = await Load(member);
        Assert.Equal(new HardState(3, 1, 0), reloaded.HardState);
        Assert.Equal(0UL, reloaded.LastIndex);
    }
}

[Collection(StorageCollection.Name)]
public sealed class MemoryProviderDeletionTests(StorageCluster cluster) : DeletionTests
{
    protected override IGrainStorage Storage => cluster.Memory;
}

[Collection(StorageCollection.Name)]
public sealed class PostgresDeletionTests(StorageCluster cluster) : DeletionTests
{
    protected override IGrainStorage Storage => cluster.Postgres;
}

[Collection(StorageCollection.Name)]
public sealed class PostgresKeepingRowsDeletionTests(StorageCluster cluster) : DeletionTests
{
    protected override IGrainStorage Storage => cluster.PostgresKeepingRows;
}

[Collection(StorageCollection.Name)]
public sealed class PostgresBatchingDeletionTests(StorageCluster cluster) : DeletionTests
{
    protected override IGrainStorage Storage => cluster.PostgresBatching;
}
