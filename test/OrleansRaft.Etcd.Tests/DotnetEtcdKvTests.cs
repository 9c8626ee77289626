using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using OrleansRaft.Abstractions;
using OrleansRaft.Etcd.Tests.Infrastructure;

namespace OrleansRaft.Etcd.Tests;

/// <summary>The dotnet-etcd NuGet client against the gateway: keys, ranges, transactions, and truthful headers.</summary>
[Collection(EtcdGatewayCollection.Name)]
public sealed class DotnetEtcdKvTests(EtcdGatewayCluster fixture) : IDisposable
{
    private readonly EtcdClient _client = EtcdClients.Connect(fixture);

    [Fact]
    public async Task Put_get_range_and_delete_with_truthful_headers()
    {
        var status = await fixture.LeaderStatusAsync();
        var leaderTerm = status.Members.Single(m => m.MemberId == status.Leader).Status!.Term;

        var put = await _client.PutAsync("/net/kv/a", "1", deadline: EtcdClients.Deadline());
        Assert.Equal(fixture.Gateway.ClusterId, put.Header.ClusterId);
        Assert.Equal(fixture.Gateway.EtcdMemberId(status.Leader), put.Header.MemberId);
        Assert.Equal(leaderTerm, put.Header.RaftTerm);
        var first = put.Header.Revision;

        var second = await _client.PutAsync(new PutRequest { Key = Bytes("/net/kv/b"), Value = Bytes("2") }, deadline: EtcdClients.Deadline());
        Assert.Equal(first + 1, second.Header.Revision);
        var replaced = await _client.PutAsync(new PutRequest { Key = Bytes("/net/kv/a"), Value = Bytes("3"), PrevKv = true }, deadline: EtcdClients.Deadline());
        Assert.Equal("1", replaced.PrevKv.Value.ToStringUtf8());
        Assert.Equal(first, replaced.PrevKv.ModRevision);

        Assert.Equal("3", await _client.GetValAsync("/net/kv/a", deadline: EtcdClients.Deadline()));
        var get = await _client.GetAsync("/net/kv/a", deadline: EtcdClients.Deadline());
        var kv = Assert.Single(get.Kvs);
        Assert.Equal((first, first + 2, 2L, 0L), (kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease));
        Assert.Equal(first + 2, get.Header.Revision);
        Assert.Equal(fixture.Gateway.EtcdMemberId(status.Leader), get.Header.MemberId);

        var range = await _client.GetRangeAsync("/net/kv/", deadline: EtcdClients.Deadline());
        Assert.Equal(["/net/kv/a", "/net/kv/b"], range.Kvs.Select(k => k.Key.ToStringUtf8()));
        Assert.Equal(2, range.Count);
        Assert.False(range.More);

        // A serializable read is served by any member, named in the header.
        var serializable = await _client.GetAsync(new RangeRequest { Key = Bytes("/net/kv/b"), Serializable = true }, deadline: EtcdClients.Deadline());
        Assert.Contains(serializable.Header.MemberId, new[] { 1UL, 2UL, 3UL }.Select(fixture.Gateway.EtcdMemberId));
        Assert.Equal("2", Assert.Single(serializable.Kvs).Value.ToStringUtf8());

        var old = await _client.GetAsync(new RangeRequest { Key = Bytes("/net/kv/a"), Revision = first }, deadline: EtcdClients.Deadline());
        Assert.Equal("1", Assert.Single(old.Kvs).Value.ToStringUtf8());
        Assert.Equal(first + 2, old.Header.Revision);

        var deleted = await _client.DeleteAsync("/net/kv/a", deadline: EtcdClients.Deadline());
        Assert.Equal(1, deleted.Deleted);
        Assert.Equal(first + 3, deleted.Header.Revision);
        var prefix = await _client.DeleteAsync(new DeleteRangeRequest { Key = Bytes("/net/kv/"), RangeEnd = Bytes("/net/kv0"), PrevKv = true }, deadline: EtcdClients.Deadline());
        Assert.Equal(1, prefix.Deleted);
        Assert.Equal("/net/kv/b", Assert.Single(prefix.PrevKvs).Key.ToStringUtf8());
        Assert.Empty((await _client.GetRangeAsync("/net/kv/", deadline: EtcdClients.Deadline())).Kvs);
    }

    [Fact]
    public async Task Transactions_compare_then_run_one_branch_at_one_revision()
    {
        var put = await _client.PutAsync("/net/txn/k", "v1", deadline: EtcdClients.Deadline());
        var txn = new TxnRequest
        {
            Compare = { new Compare { Key = Bytes("/net/txn/k"), Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = put.Header.Revision } },
            Success =
            {
                new RequestOp { RequestPut = new PutRequest { Key = Bytes("/net/txn/k"), Value = Bytes("v2") } },
                new RequestOp { RequestPut = new PutRequest { Key = Bytes("/net/txn/other"), Value = Bytes("o") } },
                new RequestOp { RequestRange = new RangeRequest { Key = Bytes("/net/txn/"), RangeEnd = Bytes("/net/txn0") } },
            },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = Bytes("/net/txn/k") } } },
        };

        var success = await _client.TransactionAsync(txn, deadline: EtcdClients.Deadline());
        Assert.True(success.Succeeded);
        Assert.Equal(put.Header.Revision + 1, success.Header.Revision);
        Assert.Equal(3, success.Responses.Count);
        Assert.Equal(["/net/txn/k=v2", "/net/txn/other=o"], success.Responses[2].ResponseRange.Kvs.Select(k => $"{k.Key.ToStringUtf8()}={k.Value.ToStringUtf8()}"));
        Assert.All(success.Responses[2].ResponseRange.Kvs, k => Assert.Equal(success.Header.Revision, k.ModRevision));

        // The same compare now fails: the failure branch runs, and a read-only transaction writes no revision.
        var failure = await _client.TransactionAsync(txn, deadline: EtcdClients.Deadline());
        Assert.False(failure.Succeeded);
        Assert.Equal(success.Header.Revision, failure.Header.Revision);
        Assert.Equal("v2", Assert.Single(failure.Responses).ResponseRange.Kvs.Single().Value.ToStringUtf8());

        var missing = new TxnRequest
        {
            Compare = { new Compare { Key = Bytes("/net/txn/none"), Target = Compare.Types.CompareTarget.Version, Result = Compare.Types.CompareResult.Equal, Version = 0 } },
            Success = { new RequestOp { RequestTxn = new TxnRequest { Success = { new RequestOp { RequestPut = new PutRequest { Key = Bytes("/net/txn/none"), Value = Bytes("created") } } } } } },
        };
        var nested = await _client.TransactionAsync(missing, deadline: EtcdClients.Deadline());
        Assert.True(nested.Succeeded);
        Assert.True(Assert.Single(nested.Responses).ResponseTxn.Succeeded);
        Assert.Equal("created", await _client.GetValAsync("/net/txn/none", deadline: EtcdClients.Deadline()));
    }

    [Fact]
    public async Task Ranges_larger_than_a_store_page_are_served_whole()
    {
        const int Keys = (EtcdGatewayCluster.PageSize * 2) + 50;
        for (var batch = 0; batch < Keys; batch += 50)
        {
            var txn = new TxnRequest();
            for (var i = batch; i < batch + 50; i++)
            {
                txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = Bytes($"/net/page/{i:D4}"), Value = Bytes($"{i}") } });
            }

            Assert.True((await _client.TransactionAsync(txn, deadline: EtcdClients.Deadline())).Succeeded);
        }

        var all = await _client.GetRangeAsync("/net/page/", deadline: EtcdClients.Deadline());
        Assert.Equal(Enumerable.Range(0, Keys).Select(i => $"/net/page/{i:D4}"), all.Kvs.Select(k => k.Key.ToStringUtf8()));
        Assert.Equal((Keys, false), (all.Count, all.More));

        var descending = await _client.GetAsync(
            new RangeRequest { Key = Bytes("/net/page/"), RangeEnd = Bytes("/net/page0"), SortOrder = RangeRequest.Types.SortOrder.Descend, KeysOnly = true },
            deadline: EtcdClients.Deadline());
        Assert.Equal(Enumerable.Range(0, Keys).Reverse().Select(i => $"/net/page/{i:D4}"), descending.Kvs.Select(k => k.Key.ToStringUtf8()));
        Assert.All(descending.Kvs, k => Assert.True(k.Value.IsEmpty));

        var limited = await _client.GetAsync(new RangeRequest { Key = Bytes("/net/page/"), RangeEnd = Bytes("/net/page0"), Limit = EtcdGatewayCluster.PageSize + 20 }, deadline: EtcdClients.Deadline());
        Assert.Equal(Enumerable.Range(0, EtcdGatewayCluster.PageSize + 20).Select(i => $"/net/page/{i:D4}"), limited.Kvs.Select(k => k.Key.ToStringUtf8()));
        Assert.Equal((Keys, true), (limited.Count, limited.More));

        var counted = await _client.GetAsync(new RangeRequest { Key = Bytes("/net/page/"), RangeEnd = Bytes("/net/page0"), CountOnly = true }, deadline: EtcdClients.Deadline());
        Assert.Equal((Keys, 0), (counted.Count, counted.Kvs.Count));

        Assert.Equal(Keys, (await _client.DeleteRangeAsync("/net/page/", deadline: EtcdClients.Deadline())).Deleted);
    }

    [Fact]
    public async Task After_a_leadership_transfer_headers_name_the_new_leader_and_its_term()
    {
        var before = await fixture.LeaderStatusAsync();
        var target = before.Members.Select(m => m.MemberId).First(m => m != before.Leader);
        var grains = fixture.Cluster.Client;
        Assert.True(await grains.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format(EtcdGatewayCluster.GroupId, before.Leader)).TransferLeadershipAsync(target));
        await EtcdGatewayCluster.WaitUntilAsync(async () => (await fixture.LeaderStatusAsync()).Leader == target, $"member {target} to lead");
        var after = await fixture.LeaderStatusAsync();
        var term = after.Members.Single(m => m.MemberId == target).Status!.Term;
        Assert.True(term > before.Term);

        var put = await _client.PutAsync("/net/transfer/k", "v", deadline: EtcdClients.Deadline());
        Assert.Equal((fixture.Gateway.EtcdMemberId(target), term), (put.Header.MemberId, put.Header.RaftTerm));
        var get = await _client.GetAsync("/net/transfer/k", deadline: EtcdClients.Deadline());
        Assert.Equal((fixture.Gateway.EtcdMemberId(target), term, put.Header.Revision), (get.Header.MemberId, get.Header.RaftTerm, get.Header.Revision));
    }

    [Fact]
    public async Task Status_and_member_list_describe_the_group()
    {
        var group = await fixture.LeaderStatusAsync();
        var status = await _client.StatusAsync(new StatusRequest(), deadline: EtcdClients.Deadline());
        Assert.Equal(fixture.Gateway.EtcdMemberId(group.Leader), status.Leader);
        Assert.Equal(fixture.Gateway.EtcdMemberId(group.Leader), status.Header.MemberId);
        Assert.Equal(group.Term, status.RaftTerm);
        Assert.Equal("3.4.0", status.Version);
        Assert.Empty(status.Errors);
        Assert.True(status.RaftAppliedIndex <= status.RaftIndex);

        var members = await _client.MemberListAsync(new MemberListRequest(), deadline: EtcdClients.Deadline());
        Assert.Equal(new[] { 1UL, 2UL, 3UL }.Select(fixture.Gateway.EtcdMemberId).Order(), members.Members.Select(m => m.ID).Order());
        Assert.Equal(["kv/1", "kv/2", "kv/3"], members.Members.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.Equal(fixture.SiloEndpoints.Select(e => $"http://{e}").Order(), members.Members.Select(m => m.ClientURLs.Single()).Order());
        Assert.All(members.Members, m => Assert.False(m.IsLearner));
    }

    public void Dispose() => _client.Dispose();

    private static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);
}
