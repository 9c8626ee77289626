using Npgsql;
using Orleans.Storage;
using OrleansRaft.Core;
using OrleansRaft.Hosting.Storage;
using OrleansRaft.Integration.Tests.Infrastructure;
using static OrleansRaft.Integration.Tests.Infrastructure.Log;

namespace OrleansRaft.Integration.Tests.GrainStorage;

/// <summary>
/// Crashes the process at every storage write of an operation, before the write lands and just after, then
/// loads the member again. The reloaded log must be valid, equal to the log before the operation or after it
/// (never a mix, and after it once the operation returned), keep working, and hold no leftovers.
/// </summary>
public abstract class CrashInjectionTests
{
    private static readonly MembershipConfiguration Voters = new([1, 2, 3]);

    protected abstract IGrainStorage Storage { get; }

    /// <summary>Checks that no snapshot chunk is left but those of the snapshot in force, where the storage can be listed.</summary>
    protected virtual Task AssertNoLeftoverChunks(string member, int expected) => Task.CompletedTask;

    /// <summary>One write at a time, and small chunks, so every crash point is distinct and snapshots take several writes.</summary>
    private static GrainStorageRaftLogStoreOptions Options => new() { SnapshotChunkSize = 16, MaxParallelWrites = 1, LoadWindow = 4 };

    private static byte[] Data(int length, byte seed) => Enumerable.Range(0, length).Select(i => (byte)(seed + i)).ToArray();

    private static async Task TwoBatches(IRaftLogStore store)
    {
        await store.AppendAsync(Entries(1, 1, 4), new HardState(1, 1, 0));
        await store.AppendAsync(Entries(5, 2, 4), new HardState(2, 2, 6));
    }

    private static async Task TwoBatchesAndASnapshot(IRaftLogStore store)
    {
        await TwoBatches(store);
        await store.InstallSnapshotAsync(new Snapshot(new SnapshotMetadata(4, 1, Voters), Data(40, 1)));
    }

    [Fact]
    public Task An_append() =>
        CrashEverywhere(TwoBatches, store => store.AppendAsync(Entries(9, 2, 3), new HardState(2, 2, 8)).AsTask(), minimumWrites: 1);

    [Fact]
    public Task An_append_that_replaces_a_conflicting_suffix() =>
        CrashEverywhere(TwoBatches, store => store.AppendAsync(Entries(7, 3, 2), new HardState(3, 3, 6)).AsTask(), minimumWrites: 1);

    [Fact]
    public Task A_hard_state_change() =>
        CrashEverywhere(TwoBatches, store => store.AppendAsync([], new HardState(3, 2, 8)).AsTask(), minimumWrites: 1);

    [Fact]
    public Task A_truncation() =>
        CrashEverywhere(TwoBatches, store => store.TruncateSuffixAsync(7).AsTask(), minimumWrites: 1);

    [Fact]
    public Task A_snapshot_that_compacts_the_log() =>
        CrashEverywhere(TwoBatches, store => store.InstallSnapshotAsync(new Snapshot(new SnapshotMetadata(6, 2, Voters), Data(50, 7))).AsTask(), minimumWrites: 7);

    [Fact]
    public Task A_snapshot_that_replaces_the_whole_log() =>
        CrashEverywhere(TwoBatches, store => store.InstallSnapshotAsync(
            new Snapshot(new SnapshotMetadata(12, 4, Voters), Data(33, 9)), new HardState(4, 0, 12)).AsTask(), minimumWrites: 7);

    [Fact]
    public Task A_snapshot_that_replaces_an_earlier_snapshot() =>
        CrashEverywhere(TwoBatchesAndASnapshot, store => store.InstallSnapshotAsync(new Snapshot(new SnapshotMetadata(7, 2, Voters), Data(20, 3))).AsTask(), minimumWrites: 7);

    private async Task CrashEverywhere(Func<IRaftLogStore, Task> setup, Func<IRaftLogStore, Task> operation, int minimumWrites)
    {
        // The model says what the log looks like before and after the operation.
        var model = new InMemoryRaftLogStore(new InMemoryRaftLogMedium(), "model");
        await model.LoadAsync();
        await setup(model);
        var before = await LogView.Of(model);
        await operation(model);
        var after = await LogView.Of(model);
        Assert.NotEqual(before, after);

        var outcomes = new List<string>();
        for (var crashAt = 1; ; crashAt++)
        {
            var completed = 0;
            foreach (var crashAfterWrite in new[] { false, true })
            {
                var member = NewMember();
                var builder = new GrainStorageRaftLogStore(Storage, member, Options);
                await builder.LoadAsync();
                await setup(builder);

                var faulty = new FaultInjectingGrainStorage(Storage);
                var store = new GrainStorageRaftLogStore(faulty, member, Options);
                await store.LoadAsync();
                faulty.Arm(crashAt, crashAfterWrite);
                try
                {
                    await operation(store);
                    completed++;
                    Assert.False(faulty.Crashed);
                }
                catch (SimulatedCrashException)
                {
                }

                var reloaded = new GrainStorageRaftLogStore(Storage, member, Options);
                await reloaded.LoadAsync();
                var view = await LogView.Of(reloaded);
                var point = $"write {crashAt} {(crashAfterWrite ? "landed" : "lost")}";
                if (faulty.Crashed)
                {
                    Assert.True(view == before || view == after, $"After a crash at {point} the log is neither the old nor the new one:\n{view}\nold: {before}\nnew: {after}");
                    outcomes.Add($"{point}: {(view == before ? "old" : "new")}");
                }
                else
                {
                    Assert.Equal(after, view);
                }

                await AssertNoLeftoverChunks(member, (view.SnapshotData.Length / 2 + Options.SnapshotChunkSize - 1) / Options.SnapshotChunkSize);
                await AssertKeepsWorking(reloaded, member, view);
            }

            if (completed == 2)
            {
                Assert.True(crashAt - 1 >= minimumWrites, $"The operation took only {crashAt - 1} writes.");
                break;
            }

            Assert.Equal(0, completed);
        }

        // The first lost write leaves the old log, the last landed write the new one, and the switch happens once.
        Assert.StartsWith("write 1 lost: old", outcomes[0]);
        Assert.EndsWith("new", outcomes[^1]);
        var switches = outcomes.Zip(outcomes.Skip(1)).Count(pair => pair.First.EndsWith("old") && pair.Second.EndsWith("new"));
        Assert.True(switches == 1 && outcomes.SkipWhile(o => o.EndsWith("old")).All(o => o.EndsWith("new")), string.Join("\n", outcomes));
    }

    private async Task AssertKeepsWorking(IRaftLogStore store, string member, LogView view)
    {
        var term = Math.Max(store.HardState.Term, await store.ReadTermAsync(store.LastIndex));
        var next = Entry(store.LastIndex + 1, term);
        await store.AppendAsync([next]);

        var again = new GrainStorageRaftLogStore(Storage, member, Options);
        await again.LoadAsync();
        var expected = view with { Entries = (view.Entries + " " + Describe([next])).Trim() };
        Assert.Equal(expected, await LogView.Of(again));
    }
}

[Collection(StorageCollection.Name)]
public sealed class MemoryProviderCrashInjectionTests(StorageCluster cluster) : CrashInjectionTests
{
    protected override IGrainStorage Storage => cluster.Memory;
}

[Collection(StorageCollection.Name)]
public sealed class PostgresCrashInjectionTests(StorageCluster cluster) : CrashInjectionTests
{
    protected override IGrainStorage Storage => cluster.Postgres;

    protected override async Task AssertNoLeftoverChunks(string member, int expected)
    {
        await using var connection = new NpgsqlConnection(cluster.PostgresConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM orleansstorage WHERE graintypestring = $1 AND starts_with(grainidextensionstring, $2)", connection);
        count.Parameters.Add(new NpgsqlParameter { Value = GrainStorageRaftLogStore.SnapshotStateName });
        count.Parameters.Add(new NpgsqlParameter { Value = member + "/" });
        Assert.Equal((long)expected, (long)(await count.ExecuteScalarAsync())!);
    }
}
