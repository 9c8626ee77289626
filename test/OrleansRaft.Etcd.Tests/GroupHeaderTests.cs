using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using OrleansRaft.Client;
using OrleansRaft.Etcd.Tests.Infrastructure;

namespace OrleansRaft.Etcd.Tests;

/// <summary>
/// Requests that choose their key-value group with the <c>orleansraft-group</c> metadata header, through dotnet-etcd's
/// generated clients: two groups besides the gateway's default, each with its own keys, revisions, headers, watches
/// and leases.
/// </summary>
[Collection(EtcdGatewayCollection.Name)]
public sealed class GroupHeaderTests(EtcdGatewayCluster fixture) : IAsyncLifetime
{
    private const string A = "tenant-a";
    private const string B = "tenant-b";

    private readonly EtcdClient _client = EtcdClients.Connect(fixture);

    public async Task InitializeAsync()
    {
        await fixture.CreateGroupAsync(A);
        await fixture.CreateGroupAsync(B);
    }

    [Fact]
    public async Task A_put_through_the_header_lands_only_in_the_chosen_group_with_that_groups_header()
    {
        var kv = _client.GetConnection().KVClient;
        var key = Bytes("/grp/put/k");
        var toA = await kv.PutAsync(new PutRequest { Key = key, Value = Bytes("in a") }, In(A), EtcdClients.Deadline()).ResponseAsync;
        var toB = await kv.PutAsync(new PutRequest { Key = key, Value = Bytes("in b") }, In(B), EtcdClients.Deadline()).ResponseAsync;

        Assert.Equal("in a", (await kv.RangeAsync(new RangeRequest { Key = key }, In(A), EtcdClients.Deadline())).Kvs.Single().Value.ToStringUtf8());
        Assert.Equal("in b", (await kv.RangeAsync(new RangeRequest { Key = key }, In(B), EtcdClients.Deadline())).Kvs.Single().Value.ToStringUtf8());
        Assert.Empty((await kv.RangeAsync(new RangeRequest { Key = key }, deadline: EtcdClients.Deadline())).Kvs);

        // The stores themselves, through the .NET client: the gateway mapped nothing, each group holds its own key.
        await using (var storeA = await KvClient.ConnectAsync(fixture.Cluster.Client, A))
        await using (var storeDefault = await KvClient.ConnectAsync(fixture.Cluster.Client, EtcdGatewayCluster.GroupId))
        {
            Assert.Equal(toA.Header.Revision, (await storeA.GetAsync("/grp/put/k"))!.ModRevision);
            Assert.Null(await storeDefault.GetAsync("/grp/put/k"));
        }

        var leaderA = (await fixture.LeaderStatusAsync(A)).Leader;
        Assert.Equal((fixture.Gateway.ClusterIdOf(A), fixture.Gateway.EtcdMemberId(A, leaderA)), (toA.Header.ClusterId, toA.Header.MemberId));
        Assert.Equal(fixture.Gateway.ClusterIdOf(B), toB.Header.ClusterId);
        Assert.Equal(3, new[] { fixture.Gateway.ClusterId, toA.Header.ClusterId, toB.Header.ClusterId }.Distinct().Count());

        // Naming the default group is the same as naming none.
        var named = await kv.RangeAsync(new RangeRequest { Key = key }, In(EtcdGatewayCluster.GroupId), EtcdClients.Deadline());
        Assert.Equal((fixture.Gateway.ClusterId, 0), (named.Header.ClusterId, named.Kvs.Count));
    }

    [Fact]
    public async Task Member_list_and_status_answer_for_the_chosen_group()
    {
        var connection = _client.GetConnection();
        var status = await fixture.LeaderStatusAsync(B);
        var members = await connection.ClusterClient.MemberListAsync(new MemberListRequest(), In(B), EtcdClients.Deadline());
        Assert.Equal(fixture.Gateway.ClusterIdOf(B), members.Header.ClusterId);
        Assert.Equal(["tenant-b/1", "tenant-b/2", "tenant-b/3"], members.Members.Select(m => m.Name).Order());
        Assert.Equal(new ulong[] { 1, 2, 3 }.Select(id => fixture.Gateway.EtcdMemberId(B, id)).Order(), members.Members.Select(m => m.ID).Order());

        var own = await connection.MaintenanceClient.StatusAsync(new StatusRequest(), In(B), EtcdClients.Deadline());
        Assert.Equal(fixture.Gateway.ClusterIdOf(B), own.Header.ClusterId);
        Assert.Equal(fixture.Gateway.EtcdMemberId(B, status.Leader), own.Leader);
    }

    [Fact]
    public async Task A_watch_in_a_chosen_group_sees_only_that_groups_events()
    {
        using var call = _client.GetConnection().WatchClient.Watch(In(B), EtcdClients.Deadline());
        await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = new WatchCreateRequest { Key = Bytes("/grp/watch/"), RangeEnd = Bytes("/grp/watch0") } });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var created = call.ResponseStream.Current;
        Assert.Equal((true, fixture.Gateway.ClusterIdOf(B)), (created.Created, created.Header.ClusterId));

        // The same key in the default group and in the other chosen group first: neither may reach the watch.
        var kv = _client.GetConnection().KVClient;
        await kv.PutAsync(new PutRequest { Key = Bytes("/grp/watch/x"), Value = Bytes("default") }, deadline: EtcdClients.Deadline());
        await kv.PutAsync(new PutRequest { Key = Bytes("/grp/watch/x"), Value = Bytes("a") }, In(A), EtcdClients.Deadline());
        var inB = await kv.PutAsync(new PutRequest { Key = Bytes("/grp/watch/x"), Value = Bytes("b") }, In(B), EtcdClients.Deadline());

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var events = call.ResponseStream.Current;
        var only = Assert.Single(events.Events);
        Assert.Equal(("b", inB.Header.Revision), (only.Kv.Value.ToStringUtf8(), only.Kv.ModRevision));
        Assert.Equal(fixture.Gateway.ClusterIdOf(B), events.Header.ClusterId);
        await call.RequestStream.CompleteAsync();
    }

    [Fact]
    public async Task A_lease_granted_in_a_chosen_group_exists_only_there()
    {
        const long Id = 0x4242_0b01;
        var connection = _client.GetConnection();
        var grant = await connection.LeaseClient.LeaseGrantAsync(new LeaseGrantRequest { ID = Id, TTL = 30 }, In(B), EtcdClients.Deadline());
        Assert.Equal((Id, fixture.Gateway.ClusterIdOf(B)), (grant.ID, grant.Header.ClusterId));

        await connection.KVClient.PutAsync(new PutRequest { Key = Bytes("/grp/lease/k"), Value = Bytes("v"), Lease = Id }, In(B), EtcdClients.Deadline());
        var elsewhere = await Assert.ThrowsAsync<RpcException>(async () =>
            await connection.KVClient.PutAsync(new PutRequest { Key = Bytes("/grp/lease/k"), Value = Bytes("v"), Lease = Id }, deadline: EtcdClients.Deadline()));
        Assert.Equal((StatusCode.NotFound, "etcdserver: requested lease not found"), (elsewhere.StatusCode, elsewhere.Status.Detail));
        Assert.Equal(-1, (await connection.LeaseClient.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = Id }, In(A), EtcdClients.Deadline())).TTL);
        Assert.Contains(Id, (await connection.LeaseClient.LeaseLeasesAsync(new LeaseLeasesRequest(), In(B), EtcdClients.Deadline())).Leases.Select(l => l.ID));
        Assert.DoesNotContain(Id, (await connection.LeaseClient.LeaseLeasesAsync(new LeaseLeasesRequest(), deadline: EtcdClients.Deadline())).Leases.Select(l => l.ID));

        // The keepalive stream serves the group its call named: the lease is kept in B and unknown to the default group.
        Assert.Equal(30, await KeepAliveOnceAsync(connection.LeaseClient, In(B), Id));
        Assert.Equal(0, await KeepAliveOnceAsync(connection.LeaseClient, new Metadata(), Id));

        var ttl = await connection.LeaseClient.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = Id, Keys = true }, In(B), EtcdClients.Deadline());
        Assert.Equal("/grp/lease/k", Assert.Single(ttl.Keys).ToStringUtf8());
        await connection.LeaseClient.LeaseRevokeAsync(new LeaseRevokeRequest { ID = Id }, In(B), EtcdClients.Deadline());
        Assert.Empty((await connection.KVClient.RangeAsync(new RangeRequest { Key = Bytes("/grp/lease/k") }, In(B), EtcdClients.Deadline())).Kvs);
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        return Task.CompletedTask;
    }

    private static async Task<long> KeepAliveOnceAsync(Lease.LeaseClient leases, Metadata headers, long id)
    {
        using var keepAlive = leases.LeaseKeepAlive(headers, EtcdClients.Deadline());
        await keepAlive.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = id });
        Assert.True(await keepAlive.ResponseStream.MoveNext(CancellationToken.None));
        var ttl = keepAlive.ResponseStream.Current.TTL;
        await keepAlive.RequestStream.CompleteAsync();
        Assert.False(await keepAlive.ResponseStream.MoveNext(CancellationToken.None));
        return ttl;
    }

    internal static Metadata In(string groupId) => new() { { EtcdGroupHeader.Name, groupId } };

    private static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);
}
