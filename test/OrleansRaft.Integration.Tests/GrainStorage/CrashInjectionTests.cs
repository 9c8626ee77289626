using Npgsql;
using Orleans.Storage;
using OrleansRaft.Core;
using OrleansRaft.Hosting.Storage;
using OrleansRaft.Integration.Tests.Infrastructure;
using static OrleansRaft.Integration.Tests.Infrastructure.Log;

namespace OrleansRaft.Integration.Tests.GrainStorage;

/// <summary>
/// Crashes the process at every storage write of an instance's load and of the operation that follows it,
/// before the write lands and just after, then loads the member again. The reloaded log must be valid, equal
/// to the log before the operation or after it (never a mix, and after it once the operation returned), keep
/// working, and hold no leftovers.
/// </summary>
public abstract class CrashInjectionTests
{
    private static readonly MembershipConfiguration Voters = new([1, 2, 3]);

    private RecordingGrainStorage? _storage;

    /// <summary>The provider under test.</summary>
    protected abstract IGrainStorage Provider { get; }

    /// <summary>The provider, remembering which records the test touched.</summary>
    protected RecordingGrainStorage Storage => _storage ??= new RecordingGrainStorage(Provider);

    /// <summary>Every record of <paramref name="member"/> that exists, as state name and key.</summary>
    protected virtual async Task<IReadOnlyCollection<(string StateName, string Key)>> StoredRecords(string member)
    {
        var stored = new List<(string, string)>();
        foreach (var (stateName, grainId) in Storage.Touched)
        {
            var key = grainId.Key.ToString()!;
            if ((key == member || key.StartsWith(member + "/", StringComparison.Ordinal)) && await StoredLog.Exists(Provider, stateName, key))
            {
                stored.Add((stateName, key));
            }
        }

        return stored;
    }

    private async Task AssertNoLeftovers(string member) => await StoredLog.AssertNoLeftovers(Provider, member, await StoredRecords(member));

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

    [Fact]
    public Task A_snapshot_prepared_then_installed() =>
        CrashEverywhere(TwoBatches, async store =>
        {
            var snapshot = new Snapshot(new SnapshotMetadata(6, 2, Voters), Data(50, 7));
            await store.PrepareSnapshotAsync(snapshot);
            await store.InstallSnapshotAsync(snapshot);
        }, minimumWrites: 7);

    [Fact]
    public async Task Appends_go_on_while_a_prepared_snapshot_is_written_and_its_install_keeps_them()
    {
        var snapshot = new Snapshot(new SnapshotMetadata(6, 2, Voters), Data(50, 7));
        var model = new InMemoryRaftLogStore(new InMemoryRaftLogMedium(), "model");
        await model.LoadAsync();
        await TwoBatches(model);
        await model.AppendAsync(Entries(9, 2, 2), new HardState(2, 2, 8));
        await model.AppendAsync(Entries(11, 3, 1), new HardState(3, 3, 9));
        await model.InstallSnapshotAsync(snapshot);
        var expected = await LogView.Of(model);

        var member = NewMember();
        var store = new GrainStorageRaftLogStore(Storage, member, Options);
        await store.LoadAsync();
        await TwoBatches(store);
        var written = store.PrepareSnapshotAsync(snapshot);
        await store.AppendAsync(Entries(9, 2, 2), new HardState(2, 2, 8));
        await store.AppendAsync(Entries(11, 3, 1), new HardState(3, 3, 9));
        await written;
        Assert.Equal(0UL, store.SnapshotMetadata.Index); // written, not yet in force
        await store.InstallSnapshotAsync(snapshot);
        await store.Collection;
        Assert.Equal(expected, await LogView.Of(store));

        var reloaded = new GrainStorageRaftLogStore(Storage, member, Options);
        await reloaded.LoadAsync();
        Assert.Equal(expected, await LogView.Of(reloaded));
        await AssertNoLeftovers(member);
    }

    [Fact]
    public async Task A_snapshot_installed_over_a_prepared_one_replaces_it_and_leaves_nothing_of_it()
    {
        var prepared = new Snapshot(new SnapshotMetadata(6, 2, Voters), Data(50, 7));
        var leaders = new Snapshot(new SnapshotMetadata(12, 4, Voters), Data(33, 9));
        var model = new InMemoryRaftLogStore(new InMemoryRaftLogMedium(), "model");
        await model.LoadAsync();
        await TwoBatches(model);
        await model.InstallSnapshotAsync(leaders, new HardState(4, 0, 12));
        var expected = await LogView.Of(model);

        var member = NewMember();
        var store = new GrainStorageRaftLogStore(Storage, member, Options);
        await store.LoadAsync();
        await TwoBatches(store);
        _ = store.PrepareSnapshotAsync(prepared);
        await store.InstallSnapshotAsync(leaders, new HardState(4, 0, 12));
        await store.Collection;
        await Assert.ThrowsAsync<ArgumentException>(() => store.InstallSnapshotAsync(prepared).AsTask());

        var reloaded = new GrainStorageRaftLogStore(Storage, member, Options);
        await reloaded.LoadAsync();
        Assert.Equal(expected, await LogView.Of(reloaded));
        Assert.Equal(33, (await reloaded.ReadSnapshotAsync()).Data.Length);
        await AssertNoLeftovers(member);
    }

    [Fact]
    public async Task A_deletion_waits_for_a_prepared_snapshot_and_leaves_nothing_of_it()
    {
        var member = NewMember();
        var store = new GrainStorageRaftLogStore(Storage, member, Options);
        await store.LoadAsync();
        await TwoBatchesAndASnapshot(store);
        await store.Collection;
        _ = store.PrepareSnapshotAsync(new Snapshot(new SnapshotMetadata(7, 2, Voters), Data(20, 3)));
        await store.DeleteAllAsync();

        var reloaded = new GrainStorageRaftLogStore(Storage, member, Options);
        await reloaded.LoadAsync();
        Assert.Equal(0UL, reloaded.LastIndex);
        await AssertNoLeftovers(member);
    }

    [Fact]
    public async Task A_load_collects_a_snapshot_prepared_but_never_installed()
    {
        var member = NewMember();
        var store = new GrainStorageRaftLogStore(Storage, member, Options);
        await store.LoadAsync();
        await TwoBatchesAndASnapshot(store);
        await store.Collection;
        var before = await LogView.Of(store);
        // The process ends once the data is written, before the install.
        await store.PrepareSnapshotAsync(new Snapshot(new SnapshotMetadata(7, 2, Voters), Data(20, 3)));

        var reloaded = new GrainStorageRaftLogStore(Storage, member, Options);
        await reloaded.LoadAsync();
        Assert.Equal(before, await LogView.Of(reloaded));
        await reloaded.Collection;
        await AssertNoLeftovers(member);
    }

    [Fact]
    public async Task A_second_prepare_before_the_install_is_refused()
    {
        var store = new GrainStorageRaftLogStore(Storage, NewMember(), Options);
        await store.LoadAsync();
        await TwoBatches(store);
        var first = new Snapshot(new SnapshotMetadata(6, 2, Voters), Data(50, 7));
        var written = store.PrepareSnapshotAsync(first);
        // Refused at the call, before anything is written.
        var error = Assert.Throws<InvalidOperationException>(() => { _ = store.PrepareSnapshotAsync(new Snapshot(new SnapshotMetadata(7, 2, Voters), Data(5, 1))); });
        Assert.Contains("prepared already", error.Message);
        await written;
        await store.InstallSnapshotAsync(first);
        Assert.Equal(6UL, store.SnapshotMetadata.Index);
    }

    [Fact]
    public Task A_deletion_of_the_whole_log() =>
        CrashEverywhere(
            TwoBatchesAndASnapshot,
            store => ((GrainStorageRaftLogStore)store).DeleteAllAsync().AsTask(),
            minimumWrites: 7,
            after: new LogView(HardState.Empty, LogView.Describe(SnapshotMetadata.Empty), "", ""));

    [Fact]
    public async Task A_load_that_collects_what_an_interrupted_snapshot_install_left()
    {
        // The second snapshot's install crashes once its manifest flip has landed: writes 1 (announce), 2 and 3
        // (its two chunks of 16 and 4 bytes) and 4 (the flip). It covers the whole log, so the next load collects
        // the first snapshot's three chunks and the one data batch before the new first batch.
        var second = new Snapshot(new SnapshotMetadata(8, 2, Voters), Data(20, 3));
        var secondHardState = new HardState(2, 2, 8);
        var model = new InMemoryRaftLogStore(new InMemoryRaftLogMedium(), "model");
        await model.LoadAsync();
        await TwoBatchesAndASnapshot(model);
        await model.InstallSnapshotAsync(second, secondHardState);
        var expected = await LogView.Of(model);

        await CrashWhileLoading(
            async member =>
            {
                var builder = new GrainStorageRaftLogStore(Storage, member, Options);
                await builder.LoadAsync();
                await TwoBatchesAndASnapshot(builder);
                await builder.Collection;
                var faulty = new FaultInjectingGrainStorage(Storage);
                var interrupted = new GrainStorageRaftLogStore(faulty, member, Options);
                await interrupted.LoadAsync();
                faulty.Arm(crashAt: 4, crashAfterWrite: true);
                await Assert.ThrowsAsync<SimulatedCrashException>(() => interrupted.InstallSnapshotAsync(second, secondHardState).AsTask());
                var manifest = await StoredLog.Read<LogManifest>(Storage, GrainStorageRaftLogStore.ManifestStateName, member);
                Assert.True(manifest is { HasGarbage: true, Snapshot.Length: 20 }, "The interrupted install left no garbage to collect.");
            },
            expected,
            minimumWrites: 3 + 3 + 1 + 1);
    }

    /// <summary>
    /// Crashes a load at every write: its claim, its fence, its hard-state rewrite and its collection of what
    /// <paramref name="setup"/> left. Every reload must find <paramref name="expected"/>, and nothing left over.
    /// </summary>
    private async Task CrashWhileLoading(Func<string, Task> setup, LogView expected, int minimumWrites)
    {
        for (var crashAt = 1; ; crashAt++)
        {
            var completed = 0;
            foreach (var crashAfterWrite in new[] { false, true })
            {
                var member = NewMember();
                await setup(member);
                var faulty = new FaultInjectingGrainStorage(Storage);
                faulty.Arm(crashAt, crashAfterWrite);
                try
                {
                    await new GrainStorageRaftLogStore(faulty, member, Options).LoadAsync();
                    completed++;
                    Assert.False(faulty.Crashed);
                }
                catch (SimulatedCrashException)
                {
                }

                var reloaded = new GrainStorageRaftLogStore(Storage, member, Options);
                await reloaded.LoadAsync();
                Assert.Equal(expected, await LogView.Of(reloaded));
                await AssertNoLeftovers(member);
                await AssertKeepsWorking(reloaded, member, expected);
            }

            if (completed == 2)
            {
                Assert.True(crashAt - 1 >= minimumWrites, $"The load took only {crashAt - 1} writes.");
                return;
            }

            Assert.Equal(0, completed);
        }
    }

    /// <summary>
    /// Crashes at every write of a load followed by <paramref name="operation"/>. The log after the operation is
    /// <paramref name="after"/> when given, else what the operation makes of the in-memory model's log.
    /// </summary>
    private async Task CrashEverywhere(Func<IRaftLogStore, Task> setup, Func<IRaftLogStore, Task> operation, int minimumWrites, LogView? after = null)
    {
        // The load before the operation claims, fences and rewrites the hard state: three writes.
        minimumWrites += 3;
        var model = new InMemoryRaftLogStore(new InMemoryRaftLogMedium(), "model");
        await model.LoadAsync();
        await setup(model);
        var before = await LogView.Of(model);
        if (after is null)
        {
            await operation(model);
            after = await LogView.Of(model);
        }

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
                await builder.Collection;

                var faulty = new FaultInjectingGrainStorage(Storage);
                faulty.Arm(crashAt, crashAfterWrite);
                var store = new GrainStorageRaftLogStore(faulty, member, Options);
                try
                {
                    await store.LoadAsync();
                    await operation(store);

                    // A snapshot install collects what it replaced in the background: its writes are swept too, and a
                    // crash among them is a crash of the operation.
                    await store.Collection;
                    if (!faulty.Crashed)
                    {
                        completed++;
                    }
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

                await AssertNoLeftovers(member);
                await AssertKeepsWorking(reloaded, member, view);
            }

            if (completed == 2)
            {
                Assert.True(crashAt - 1 >= minimumWrites, $"The load and the operation took only {crashAt - 1} writes.");
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
        var term = Math.Max(1, Math.Max(store.HardState.Term, await store.ReadTermAsync(store.LastIndex)));
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
    protected override IGrainStorage Provider => cluster.Memory;
}

/// <summary>On PostgreSQL the leftover check lists the member's rows in the table, whoever wrote them.</summary>
[Collection(StorageCollection.Name)]
public sealed class PostgresCrashInjectionTests(StorageCluster cluster) : CrashInjectionTests
{
    protected override IGrainStorage Provider => cluster.Postgres;

    protected override Task<IReadOnlyCollection<(string StateName, string Key)>> StoredRecords(string member) =>
        PostgresRows.ListAsync(
            cluster.PostgresConnectionString,
            "SELECT graintypestring, grainidextensionstring FROM orleansstorage " +
            "WHERE (grainidextensionstring = $1 OR starts_with(grainidextensionstring, $1 || '/')) AND payloadbinary IS NOT NULL",
            member);
}

[Collection(StorageCollection.Name)]
public sealed class PostgresBatchingCrashInjectionTests(StorageCluster cluster) : CrashInjectionTests
{
    protected override IGrainStorage Provider => cluster.PostgresBatching;

    /// <summary>The member's rows in the batching provider's table; a grain id is "type/key".</summary>
    protected override Task<IReadOnlyCollection<(string StateName, string Key)>> StoredRecords(string member) =>
        PostgresRows.ListAsync(
            cluster.PostgresConnectionString,
            "SELECT state_name, key FROM (SELECT state_name, substr(grain_id, strpos(grain_id, '/') + 1) AS key FROM raft_grain_state) AS rows " +
            "WHERE key = $1 OR starts_with(key, $1 || '/')",
            member);
}

/// <summary>The (state name, key) pairs a query over a provider's table lists for a member.</summary>
internal static class PostgresRows
{
    public static async Task<IReadOnlyCollection<(string StateName, string Key)>> ListAsync(string connectionString, string sql, string member)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand(sql, connection);
        select.Parameters.Add(new NpgsqlParameter { Value = member });
        var rows = new List<(string, string)>();
        await using var reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1)));
        }

        return rows;
    }
}
