using OrleansRaft.Core;
using OrleansRaft.Hosting.Storage;
using OrleansRaft.Integration.Tests.Infrastructure;
using static OrleansRaft.Integration.Tests.Infrastructure.Log;

namespace OrleansRaft.Integration.Tests.Conformance;

/// <summary>
/// The contract of <see cref="IRaftLogStore"/>, run against every implementation. Each test works on a member
/// of its own, and "reload" means a new instance loading the member from the same durable storage.
/// </summary>
public abstract class RaftLogStoreConformance
{
    /// <summary>A new, unloaded instance over the durable storage of <paramref name="member"/>.</summary>
    protected abstract IRaftLogStore Open(string member);

    private async Task<IRaftLogStore> Load(string member)
    {
        var store = Open(member);
        await store.LoadAsync();
        return store;
    }

    private async Task<LogView> Reload(string member) => await LogView.Of(await Load(member));

    [Fact]
    public async Task A_new_member_loads_an_empty_log()
    {
        var store = Open(NewMember());
        var state = await store.LoadAsync();

        Assert.Equal(HardState.Empty, state.HardState);
        Assert.Equal(SnapshotMetadata.Empty, state.Snapshot);
        Assert.Empty(state.Entries);
        Assert.Equal(1UL, store.FirstIndex);
        Assert.Equal(0UL, store.LastIndex);
        Assert.Equal(0UL, await store.ReadTermAsync(0));
        Assert.Equal(0, (await store.ReadSnapshotAsync()).Data.Length);
    }

    [Fact]
    public async Task Appended_entries_and_hard_state_survive_a_reload()
    {
        var member = NewMember();
        var store = await Load(member);
        await store.AppendAsync(Entries(1, 1, 3), new HardState(1, 2, 0));
        await store.AppendAsync(Entries(4, 2, 2, size: 300), new HardState(2, 0, 3));
        var written = await LogView.Of(store);

        var reloaded = Open(member);
        var state = await reloaded.LoadAsync();

        Assert.Equal(written, await LogView.Of(reloaded));
        Assert.Equal(new HardState(2, 0, 3), state.HardState);
        Assert.Equal(Describe([.. Entries(1, 1, 3), .. Entries(4, 2, 2, size: 300)]), Describe(state.Entries));
        Assert.Equal(5UL, reloaded.LastIndex);
        Assert.Equal(2UL, await reloaded.ReadTermAsync(4));
        Assert.Equal(1UL, await reloaded.ReadTermAsync(3));
    }

    [Fact]
    public async Task Reads_honour_the_byte_limit_but_return_at_least_one_entry()
    {
        var store = await Load(NewMember());
        await store.AppendAsync(Entries(1, 1, 6, size: 100));
        var entrySize = (ulong)Entry(1, 1, 100).Size;

        var two = new List<Entry>();
        await store.ReadEntriesAsync(2, 7, 2 * entrySize + 1, two);
        var one = new List<Entry>();
        await store.ReadEntriesAsync(3, 7, 1, one);
        var none = new List<Entry>();
        await store.ReadEntriesAsync(4, 4, ulong.MaxValue, none);

        Assert.Equal(Describe(Entries(2, 1, 2, size: 100)), Describe(two));
        Assert.Equal(Describe(Entries(3, 1, 1, size: 100)), Describe(one));
        Assert.Empty(none);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ReadEntriesAsync(5, 8, ulong.MaxValue, []).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ReadTermAsync(7).AsTask());
    }

    [Fact]
    public async Task An_append_into_the_log_replaces_the_conflicting_suffix_in_one_step()
    {
        var member = NewMember();
        var store = await Load(member);
        await store.AppendAsync(Entries(1, 1, 5), new HardState(1, 0, 2));

        await store.AppendAsync(Entries(3, 2, 2), new HardState(2, 0, 2));

        var expected = Describe([.. Entries(1, 1, 2), .. Entries(3, 2, 2)]);
        Assert.Equal(expected, (await LogView.Of(store)).Entries);
        Assert.Equal(4UL, store.LastIndex);
        var reloaded = await Reload(member);
        Assert.Equal(expected, reloaded.Entries);
        Assert.Equal(new HardState(2, 0, 2), reloaded.HardState);
    }

    [Fact]
    public async Task Truncating_a_suffix_drops_it_durably_and_the_log_grows_again_from_there()
    {
        var member = NewMember();
        var store = await Load(member);
        await store.AppendAsync(Entries(1, 1, 6), new HardState(1, 0, 2));

        await store.TruncateSuffixAsync(4);
        await store.TruncateSuffixAsync(4);
        Assert.Equal(3UL, store.LastIndex);
        Assert.Equal(Describe(Entries(1, 1, 3)), (await Reload(member)).Entries);

        var again = await Load(member);
        await again.AppendAsync(Entries(4, 3, 2), new HardState(3, 0, 2));
        Assert.Equal(Describe([.. Entries(1, 1, 3), .. Entries(4, 3, 2)]), (await Reload(member)).Entries);
    }

    [Fact]
    public async Task Committed_entries_are_never_truncated_nor_rewritten_and_a_refused_call_changes_nothing()
    {
        var member = NewMember();
        var store = await Load(member);
        await store.AppendAsync(Entries(1, 1, 5), new HardState(1, 0, 3));
        var before = await LogView.Of(store);

        await Assert.ThrowsAsync<ArgumentException>(() => store.TruncateSuffixAsync(3).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(Entries(3, 2, 1)).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync(Entries(7, 1, 1)).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync([Entry(6, 1), Entry(8, 1)]).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync([], new HardState(0, 0, 3)).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync([], new HardState(1, 0, 9)).AsTask());

        Assert.Equal(before, await LogView.Of(store));
        await store.AppendAsync(Entries(4, 1, 3), new HardState(1, 0, 6));
        Assert.Equal(Describe(Entries(1, 1, 6)), (await Reload(member)).Entries);
    }

    [Fact]
    public async Task A_hard_state_changed_without_entries_survives_a_reload()
    {
        var member = NewMember();
        var store = await Load(member);
        await store.AppendAsync(Entries(1, 1, 2), new HardState(1, 1, 0));

        await store.AppendAsync([], new HardState(2, 3, 1));
        await store.AppendAsync([], new HardState(2, 3, 2));
        await store.AppendAsync([]);

        var reloaded = await Reload(member);
        Assert.Equal(new HardState(2, 3, 2), reloaded.HardState);
        Assert.Equal(Describe(Entries(1, 1, 2)), reloaded.Entries);
    }

    [Fact]
    public async Task A_snapshot_inside_the_log_compacts_the_prefix_and_keeps_the_suffix()
    {
        var member = NewMember();
        var store = await Load(member);
        await store.AppendAsync(Entries(1, 1, 4), new HardState(1, 0, 0));
        await store.AppendAsync(Entries(5, 2, 4), new HardState(2, 0, 6));
        var configuration = new MembershipConfiguration([1, 2, 3]);
        var snapshot = new Snapshot(new SnapshotMetadata(6, 2, configuration), new byte[] { 1, 2, 3, 4, 5 });

        await store.InstallSnapshotAsync(snapshot);

        Assert.Equal(7UL, store.FirstIndex);
        Assert.Equal(8UL, store.LastIndex);
        Assert.Equal(2UL, await store.ReadTermAsync(6));
        var compacted = await Assert.ThrowsAsync<RaftLogCompactedException>(() => store.ReadTermAsync(5).AsTask());
        Assert.Equal(5UL, compacted.Index);
        await Assert.ThrowsAsync<RaftLogCompactedException>(() => store.ReadEntriesAsync(6, 8, ulong.MaxValue, []).AsTask());

        var reloadedStore = Open(member);
        var state = await reloadedStore.LoadAsync();
        Assert.Equal(new SnapshotMetadata(6, 2, configuration), state.Snapshot);
        Assert.Equal(Describe(Entries(7, 2, 2)), Describe(state.Entries));
        Assert.Equal(new HardState(2, 0, 6), state.HardState);
        Assert.Equal(Convert.ToHexString(snapshot.Data.Span), Convert.ToHexString((await reloadedStore.ReadSnapshotAsync()).Data.Span));
    }

    [Fact]
    public async Task A_snapshot_inside_a_log_of_many_small_appends_keeps_exactly_the_suffix()
    {
        var member = NewMember();
        var store = await Load(member);
        for (ulong index = 1; index <= 120; index += 2)
        {
            await store.AppendAsync(Entries(index, 1, 2), new HardState(1, 0, index / 2));
        }

        await store.InstallSnapshotAsync(new Snapshot(new SnapshotMetadata(100, 1, new MembershipConfiguration([1])), new byte[] { 1 }));
        await store.AppendAsync(Entries(121, 2, 1), new HardState(2, 0, 100));

        var reloaded = await Reload(member);
        Assert.Equal("100/1 voters=(1)", reloaded.Snapshot);
        Assert.Equal(Describe([.. Entries(101, 1, 20), .. Entries(121, 2, 1)]), reloaded.Entries);
    }

    [Fact]
    public async Task A_snapshot_that_disagrees_with_the_log_replaces_all_of_it()
    {
        var member = NewMember();
        var store = await Load(member);
        await store.AppendAsync(Entries(1, 1, 5), new HardState(1, 0, 1));
        var snapshot = new Snapshot(new SnapshotMetadata(9, 3, new MembershipConfiguration([1, 2, 3], [4])), new byte[] { 9, 9 });

        await store.InstallSnapshotAsync(snapshot, new HardState(3, 0, 9));
        await store.AppendAsync(Entries(10, 3, 1));

        var reloaded = await Reload(member);
        Assert.Equal("9/3 voters=(1 2 3) learners=(4)", reloaded.Snapshot);
        Assert.Equal(Describe(Entries(10, 3, 1)), reloaded.Entries);
        Assert.Equal(new HardState(3, 0, 9), reloaded.HardState);
        Assert.Equal("0909", reloaded.SnapshotData);
    }

    [Fact]
    public async Task Successive_snapshots_and_appends_keep_a_consistent_log()
    {
        var member = NewMember();
        var store = await Load(member);
        var data = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        for (ulong round = 0; round < 4; round++)
        {
            var first = round * 10 + 1;
            await store.AppendAsync(Entries(first, round + 1, 5), new HardState(round + 1, 0, first + 2));
            await store.AppendAsync(Entries(first + 5, round + 1, 5), new HardState(round + 1, 0, first + 7));
            await store.InstallSnapshotAsync(new Snapshot(new SnapshotMetadata(first + 7, round + 1, new MembershipConfiguration([1])), data[..(int)(100 * round + 1)]));
            store = await Load(member);
        }

        var view = await Reload(member);
        Assert.Equal("38/4 voters=(1)", view.Snapshot);
        Assert.Equal(Describe(Entries(39, 4, 2)), view.Entries);
        Assert.Equal(Convert.ToHexString(data[..301]), view.SnapshotData);
        Assert.Equal(new HardState(4, 0, 38), view.HardState);
    }

    [Fact]
    public async Task A_new_member_records_its_initial_membership_as_a_snapshot_at_index_zero()
    {
        var member = NewMember();
        var store = await Load(member);
        var configuration = new MembershipConfiguration([1, 2, 3]);

        await store.InstallSnapshotAsync(new Snapshot(new SnapshotMetadata(0, 0, configuration), ReadOnlyMemory<byte>.Empty));

        var reloaded = Open(member);
        Assert.Equal(configuration, (await reloaded.LoadAsync()).Snapshot.Configuration);
        await reloaded.AppendAsync(Entries(1, 1, 1));
        await Assert.ThrowsAsync<ArgumentException>(() => reloaded.InstallSnapshotAsync(new Snapshot(new SnapshotMetadata(0, 0, configuration), default)).AsTask());
    }

    [Fact]
    public async Task A_snapshot_no_newer_than_the_current_one_is_refused()
    {
        var store = await Load(NewMember());
        await store.AppendAsync(Entries(1, 1, 4), new HardState(1, 0, 4));
        await store.InstallSnapshotAsync(new Snapshot(new SnapshotMetadata(3, 1, new MembershipConfiguration([1])), default));

        await Assert.ThrowsAsync<ArgumentException>(() => store.InstallSnapshotAsync(new Snapshot(new SnapshotMetadata(3, 1, new MembershipConfiguration([1])), default)).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => store.InstallSnapshotAsync(new Snapshot(new SnapshotMetadata(2, 1, new MembershipConfiguration([1])), default)).AsTask());
        Assert.Equal(4UL, store.LastIndex);
    }

    [Fact]
    public async Task Entries_at_or_before_the_snapshot_are_ignored_by_an_append()
    {
        var member = NewMember();
        var store = await Load(member);
        await store.AppendAsync(Entries(1, 1, 5), new HardState(1, 0, 5));
        await store.InstallSnapshotAsync(new Snapshot(new SnapshotMetadata(4, 1, new MembershipConfiguration([1])), default));

        await store.AppendAsync(Entries(3, 1, 5));

        Assert.Equal(Describe(Entries(5, 1, 3)), (await Reload(member)).Entries);
    }

    [Fact]
    public async Task A_store_must_be_loaded_once_before_use()
    {
        var store = Open(NewMember());
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.AppendAsync(Entries(1, 1, 1)).AsTask());
        await store.LoadAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.LoadAsync());
    }

    [Fact]
    public async Task A_stale_writer_fails_loudly_on_append_and_stays_fenced()
    {
        var member = NewMember();
        var stale = await Load(member);
        await stale.AppendAsync(Entries(1, 1, 3), new HardState(1, 1, 0));
        var current = await Load(member);

        await Assert.ThrowsAsync<RaftLogConflictException>(() => stale.AppendAsync(Entries(4, 1, 2)).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => stale.AppendAsync(Entries(4, 1, 2)).AsTask());
        await current.AppendAsync(Entries(4, 2, 1), new HardState(2, 2, 0));

        var reloaded = await Reload(member);
        Assert.Equal(Describe([.. Entries(1, 1, 3), .. Entries(4, 2, 1)]), reloaded.Entries);
        Assert.Equal(new HardState(2, 2, 0), reloaded.HardState);
    }

    [Fact]
    public async Task A_stale_writer_fails_loudly_on_every_kind_of_write()
    {
        var member = NewMember();
        var staleHardState = await Load(member);
        var staleAppend = await Load(member);
        var staleTruncate = await Load(member);
        await staleTruncate.AppendAsync(Entries(1, 1, 4), new HardState(1, 0, 2));
        var current = await Load(member);
        var before = await LogView.Of(current);

        await Assert.ThrowsAsync<RaftLogConflictException>(() => staleHardState.AppendAsync([], new HardState(5, 5, 0)).AsTask());
        await Assert.ThrowsAsync<RaftLogConflictException>(() => staleTruncate.TruncateSuffixAsync(3).AsTask());
        await Assert.ThrowsAsync<RaftLogConflictException>(() => staleAppend.AppendAsync(Entries(1, 1, 1)).AsTask());
        var another = await Load(member);
        await Assert.ThrowsAsync<RaftLogConflictException>(() => current.InstallSnapshotAsync(
            new Snapshot(new SnapshotMetadata(2, 1, new MembershipConfiguration([1])), new byte[] { 7 })).AsTask());

        Assert.Equal(before, await LogView.Of(another));
        Assert.Equal(before, await Reload(member));
    }

    [Fact]
    public async Task A_claim_check_passes_for_the_latest_load_and_fences_an_earlier_one()
    {
        var member = NewMember();
        var stale = await Load(member);
        await stale.AppendAsync(Entries(1, 1, 4), new HardState(1, 1, 0));
        await stale.CheckClaimAsync();
        var current = await Load(member);

        // The current claim's own writes, a snapshot install among them, keep its claim.
        await current.InstallSnapshotAsync(new Snapshot(new SnapshotMetadata(2, 1, new MembershipConfiguration([1])), default));
        await current.CheckClaimAsync();
        await Assert.ThrowsAsync<RaftLogConflictException>(() => stale.CheckClaimAsync());

        // An instance that learned it is fenced takes no further call.
        await Assert.ThrowsAsync<InvalidOperationException>(() => stale.AppendAsync(Entries(5, 1, 1)).AsTask());
        Assert.Equal(Describe(Entries(3, 1, 2)), (await Reload(member)).Entries);
    }

    [Fact]
    public async Task Two_instances_that_load_and_write_at_once_never_interleave()
    {
        var member = NewMember();
        var seed = await Load(member);
        await seed.AppendAsync(Entries(1, 1, 2), new HardState(1, 0, 0));
        var a = Open(member);
        var b = Open(member);
        await Task.WhenAll(a.LoadAsync(), b.LoadAsync());

        var results = await Task.WhenAll(WriteUntilFenced(a, term: 2), WriteUntilFenced(b, term: 3));

        // Whichever claimed last owns the log; the other fails on its first write and wrote nothing.
        Assert.Single(results, r => r.Fenced);
        var survivor = results.Single(r => !r.Fenced);
        Assert.Equal(0, results.Single(r => r.Fenced).Written);
        Assert.Equal(10, survivor.Written);
        Assert.Equal(Describe([.. Entries(1, 1, 2), .. Entries(3, survivor.Term, 10)]), (await Reload(member)).Entries);
    }

    private static async Task<(bool Fenced, int Written, ulong Term)> WriteUntilFenced(IRaftLogStore store, ulong term)
    {
        for (var i = 0; i < 10; i++)
        {
            try
            {
                await store.AppendAsync([Entry(3 + (ulong)i, term)], new HardState(term, 0, 0));
                await Task.Yield();
            }
            catch (RaftLogConflictException)
            {
                return (true, i, term);
            }
        }

        return (false, 10, term);
    }
}
