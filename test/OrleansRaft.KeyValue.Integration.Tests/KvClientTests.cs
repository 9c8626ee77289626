using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.KeyValue.Integration.Tests.Infrastructure;

namespace OrleansRaft.KeyValue.Integration.Tests;

/// <summary>The key-value operations through <see cref="KvClient"/>, on a 3-member group of a 3-silo cluster.</summary>
[Collection(SharedKvClusterCollection.Name)]
public sealed class KvClientTests(SharedKvCluster shared)
{
    private KvCluster Kv => shared.Cluster;

    [Fact]
    public async Task A_put_is_read_back_with_its_revisions_and_a_second_put_raises_the_version()
    {
        await Kv.CreateGroupAsync("kv-put-get");
        await using var client = await Kv.ConnectAsync("kv-put-get");

        var first = await client.PutAsync("/config/a", "1");
        var second = await client.PutAsync(new PutRequest(KvBytes.From("/config/a"), KvBytes.From("2")) { PrevKv = true });
        var entry = await client.GetAsync("/config/a");

        Assert.Equal(first.Revision + 1, second.Revision);
        Assert.Equal("1", KvBytes.ToText(second.PrevKv!.Value));
        Assert.NotNull(entry);
        Assert.Equal("2", KvBytes.ToText(entry.Value));
        Assert.Equal(first.Revision, entry.CreateRevision);
        Assert.Equal(second.Revision, entry.ModRevision);
        Assert.Equal(2, entry.Version);
        Assert.Null(await client.GetAsync("/config/missing"));
    }

    [Fact]
    public async Task A_prefix_range_lists_its_keys_in_order_and_a_prefix_delete_removes_them_all()
    {
        await Kv.CreateGroupAsync("kv-range");
        await using var client = await Kv.ConnectAsync("kv-range");
        foreach (var key in new[] { "/app/c", "/app/a", "/other", "/app/b/x" })
        {
            await client.PutAsync(key, key.ToUpperInvariant());
        }

        var range = await client.GetPrefixAsync("/app/");
        var limited = await client.RangeAsync(new RangeRequest(KvBytes.From("/app/")) { RangeEnd = KeyRanges.PrefixEnd(KvBytes.From("/app/")), Limit = 2 });
        var deleted = await client.DeleteAsync(new DeleteRangeRequest(KvBytes.From("/app/")) { RangeEnd = KeyRanges.PrefixEnd(KvBytes.From("/app/")), PrevKv = true });
        var after = await client.GetPrefixAsync("/");

        Assert.Equal(["/app/a", "/app/b/x", "/app/c"], range.Kvs.Select(kv => KvBytes.ToText(kv.Key)));
        Assert.Equal(["/APP/A", "/APP/B/X", "/APP/C"], range.Kvs.Select(kv => KvBytes.ToText(kv.Value)));
        Assert.Equal(2, limited.Kvs.Count);
        Assert.True(limited.More);
        Assert.Equal(3, limited.Count);
        Assert.Equal(3, deleted.Deleted);
        Assert.Equal(["/app/a", "/app/b/x", "/app/c"], deleted.PrevKvs.Select(kv => KvBytes.ToText(kv.Key)));
        Assert.Equal(["/other"], after.Kvs.Select(kv => KvBytes.ToText(kv.Key)));
    }

    [Fact]
    public async Task Deleting_a_key_removes_it_and_deleting_it_again_deletes_nothing()
    {
        await Kv.CreateGroupAsync("kv-delete");
        await using var client = await Kv.ConnectAsync("kv-delete");
        var put = await client.PutAsync("k", "v");

        var deleted = await client.DeleteAsync("k");
        var again = await client.DeleteAsync("k");

        Assert.Equal(1, deleted.Deleted);
        Assert.Equal(put.Revision + 1, deleted.Revision);
        Assert.Equal(0, again.Deleted);
        Assert.Equal(deleted.Revision, again.Revision);
        Assert.Null(await client.GetAsync("k"));
    }

    [Fact]
    public async Task A_compare_and_swap_transaction_runs_the_branch_its_compare_chooses()
    {
        await Kv.CreateGroupAsync("kv-txn");
        await using var client = await Kv.ConnectAsync("kv-txn");
        var key = KvBytes.From("lock");
        var created = await client.PutAsync("lock", "free");

        TxnRequest Swap(string expected, string next) => new()
        {
            Compares = [Compare.ForValue(key, CompareOperator.Equal, KvBytes.From(expected))],
            Success = [new PutRequest(key, KvBytes.From(next))],
            Failure = [new RangeRequest(key)],
        };

        var won = await client.TxnAsync(Swap("free", "taken"));
        var lost = await client.TxnAsync(Swap("free", "mine"));

        Assert.True(won.Succeeded);
        Assert.Equal(created.Revision + 1, won.Revision);
        Assert.False(lost.Succeeded);
        Assert.Equal(won.Revision, lost.Revision);
        var seen = Assert.IsType<RangeResult>(Assert.Single(lost.Responses));
        Assert.Equal("taken", KvBytes.ToText(Assert.Single(seen.Kvs).Value));
    }

    [Fact]
    public async Task A_read_only_transaction_is_served_as_a_read_and_changes_no_revision()
    {
        await Kv.CreateGroupAsync("kv-txn-read");
        await using var client = await Kv.ConnectAsync("kv-txn-read");
        var put = await client.PutAsync("a", "1");

        var read = await client.TxnAsync(new TxnRequest
        {
            Compares = [Compare.ForVersion(KvBytes.From("a"), CompareOperator.Equal, 1)],
            Success = [new RangeRequest(KvBytes.From("a"))],
        });

        Assert.True(read.Succeeded);
        Assert.Equal(put.Revision, read.Revision);
        Assert.Equal(put.Revision, (await client.StatusAsync()).Revision);
    }

    [Fact]
    public async Task A_linearizable_get_from_another_client_sees_every_put_acknowledged_before_it()
    {
        await Kv.CreateGroupAsync("kv-linearizable");
        await using var writer = await Kv.ConnectAsync("kv-linearizable");
        await using var reader = await Kv.ConnectAsync("kv-linearizable");

        for (var i = 0; i < 30; i++)
        {
            var put = await writer.PutAsync("counter", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var read = await reader.ReadAsync<RangeResult>(new RangeRequest(KvBytes.From("counter")), KvCallOptions.Linearizable);

            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), KvBytes.ToText(Assert.Single(read.Result.Kvs).Value));
            Assert.Equal(put.Revision, read.Result.Revision);
            Assert.Equal(ReadConsistency.Linearizable, read.Consistency);
        }
    }

    [Fact]
    public async Task A_serializable_read_names_the_member_and_its_applied_index_and_catches_up_with_a_put()
    {
        var members = await Kv.CreateGroupAsync("kv-serializable");
        await using var client = await Kv.ConnectAsync("kv-serializable");
        var put = await client.PutAsync("k", "v");

        var answered = new HashSet<ulong>();
        await KvCluster.WaitUntilAsync(async () =>
        {
            var read = await client.ReadAsync<RangeResult>(new RangeRequest(KvBytes.From("k")), KvCallOptions.Serializable);
            Assert.Equal(ReadConsistency.Serializable, read.Consistency);
            Assert.Contains(read.MemberId, members);
            Assert.True(read.Result.Revision <= put.Revision);
            if (read.Result.Revision == put.Revision)
            {
                Assert.Equal("v", KvBytes.ToText(Assert.Single(read.Result.Kvs).Value));
                Assert.True(read.Index > 0);
                answered.Add(read.MemberId);
            }

            return answered.Count == members.Length;
        }, "every member to serve the put through serializable reads");
    }

    [Fact]
    public async Task A_serializable_read_with_a_minimum_revision_reads_the_callers_own_writes()
    {
        await Kv.CreateGroupAsync("kv-min-revision");
        await using var client = await Kv.ConnectAsync("kv-min-revision");

        for (var i = 0; i < 20; i++)
        {
            var value = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var put = await client.PutAsync("mine", value);
            var read = await client.ReadAsync<RangeResult>(
                new RangeRequest(KvBytes.From("mine")), KvCallOptions.Serializable with { MinRevision = put.Revision });

            Assert.Equal(put.Revision, read.Result.Revision);
            Assert.Equal(value, KvBytes.ToText(Assert.Single(read.Result.Kvs).Value));
        }
    }

    [Fact]
    public async Task A_serializable_read_goes_to_the_preferred_member_and_past_it_when_it_cannot_serve()
    {
        var members = await Kv.CreateGroupAsync("kv-preferred");
        await using var client = await Kv.ConnectAsync("kv-preferred");
        var put = await client.PutAsync("k", "v");

        foreach (var member in members)
        {
            // No minimum revision: a follower that has yet to apply the put must still be the one that answers.
            var preferred = KvCallOptions.Serializable with { PreferredMember = member };
            for (var i = 0; i < 5; i++)
            {
                var read = await client.ReadAsync<RangeResult>(new RangeRequest(KvBytes.From("k")), preferred);
                Assert.Equal(member, read.MemberId);
                Assert.True(read.Result.Revision <= put.Revision);
            }
        }

        // A member outside the group is no preference: the client chooses, and the read is served all the same.
        var outside = await client.ReadAsync<RangeResult>(
            new RangeRequest(KvBytes.From("k")), KvCallOptions.Serializable with { PreferredMember = 99, MinRevision = put.Revision });
        Assert.Contains(outside.MemberId, members);
    }

    [Fact]
    public async Task A_serializable_read_with_a_revision_no_member_reaches_times_out()
    {
        await Kv.CreateGroupAsync("kv-min-revision-future");
        await using var client = await Kv.ConnectAsync("kv-min-revision-future");
        var put = await client.PutAsync("k", "v");

        var error = await Assert.ThrowsAsync<TimeoutException>(() => client.RangeAsync(
            new RangeRequest(KvBytes.From("k")),
            KvCallOptions.Serializable with { MinRevision = put.Revision + 1, Timeout = TimeSpan.FromMilliseconds(300) }));

        Assert.Contains("kv-min-revision-future", error.Message);
    }

    [Fact]
    public async Task Leases_attach_keys_and_revoking_one_deletes_its_keys()
    {
        await Kv.CreateGroupAsync("kv-lease");
        await using var client = await Kv.ConnectAsync("kv-lease");

        var lease = await client.LeaseGrantAsync(ttlSeconds: 60);
        await client.PutAsync(new PutRequest(KvBytes.From("/session/a"), KvBytes.From("1")) { Lease = lease.Id });
        await client.PutAsync(new PutRequest(KvBytes.From("/session/b"), KvBytes.From("2")) { Lease = lease.Id });
        var kept = await client.LeaseKeepAliveAsync(lease.Id);
        var ttl = await client.LeaseTimeToLiveAsync(lease.Id, keys: true);
        var revoked = await client.LeaseRevokeAsync(lease.Id);

        Assert.Equal(60, lease.TtlSeconds);
        Assert.Equal(lease.Id, kept.Id);
        Assert.Equal(60, ttl.GrantedTtlSeconds);
        Assert.Equal(["/session/a", "/session/b"], ttl.Keys.Select(k => KvBytes.ToText(k)));
        Assert.Equal(2, revoked.DeletedKeys);
        Assert.Empty((await client.GetPrefixAsync("/session/")).Kvs);
        Assert.Empty((await client.LeaseListAsync()).Ids);
        var error = await Assert.ThrowsAsync<KvRequestException>(() => client.LeaseKeepAliveAsync(lease.Id));
        Assert.Equal(KvErrorCode.LeaseNotFound, error.Code);
    }

    [Fact]
    public async Task A_refused_request_throws_with_the_stores_error_code_and_changes_nothing()
    {
        await Kv.CreateGroupAsync("kv-errors");
        await using var client = await Kv.ConnectAsync("kv-errors");
        var put = await client.PutAsync("a", "1");
        await client.PutAsync("a", "2");
        await client.CompactAsync(put.Revision + 1);

        var empty = await Assert.ThrowsAsync<KvRequestException>(() => client.PutAsync(new PutRequest(ReadOnlyMemory<byte>.Empty, KvBytes.From("v"))));
        var compacted = await Assert.ThrowsAsync<KvRequestException>(() => client.RangeAsync(new RangeRequest(KvBytes.From("a")) { Revision = put.Revision }));

        Assert.Equal(KvErrorCode.EmptyKey, empty.Code);
        Assert.Equal(KvErrorCode.Compacted, compacted.Code);
        Assert.Equal(put.Revision + 1, (await client.StatusAsync()).Revision);
    }

    [Fact]
    public async Task Connecting_to_a_group_that_does_not_exist_throws_group_not_found()
    {
        var error = await Assert.ThrowsAsync<RaftGroupNotFoundException>(() => Kv.ConnectAsync("kv-no-such-group"));
        Assert.Equal("kv-no-such-group", error.GroupId);
    }

    [Fact]
    public async Task The_client_follows_the_leader_hint_and_caches_the_leader()
    {
        var members = await Kv.CreateGroupAsync("kv-hint");
        var leader = await Kv.WaitForLeaderAsync("kv-hint", members);
        var follower = members.First(m => m != leader.MemberId);
        await using var client = new KvClient(Kv.Client, "kv-hint", [follower, .. members.Where(m => m != follower)]);

        await client.PutAsync("k", "v");

        Assert.Equal(leader.MemberId, client.Leader);
        Assert.NotEqual(0UL, client.SessionId);
    }

    [Fact]
    public async Task A_call_cancelled_before_it_starts_throws_operation_cancelled()
    {
        await Kv.CreateGroupAsync("kv-cancel");
        await using var client = await Kv.ConnectAsync("kv-cancel");
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetAsync("k", cancellationToken: cancelled.Token));
    }

    [Fact]
    public async Task Many_puts_across_snapshots_leave_every_member_with_the_same_store()
    {
        var members = await Kv.CreateGroupAsync("kv-snapshots");
        await using var client = await Kv.ConnectAsync("kv-snapshots");
        const int puts = SharedKvCluster.SnapshotEveryEntries * 2 + 30;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async writer =>
        {
            for (var i = writer; i < puts; i += 8)
            {
                await client.PutAsync($"/k/{i:D4}", $"{i}");
            }
        }));

        var expected = await client.StatusAsync();
        var statuses = await Kv.StatusesAsync("kv-snapshots", members);
        Assert.Contains(statuses, s => s!.SnapshotIndex > 0);
        await KvCluster.WaitUntilAsync(async () =>
        {
            var reads = await Task.WhenAll(members.Select(m => new KvMember(Kv.Member("kv-snapshots", m)).ReadLocalAsync(new StatusRequest())));
            return reads.All(r => r.Result is StatusResult s && s.Revision == expected.Revision && s.KeyCount == puts);
        }, "every member to apply every put");
    }
}
