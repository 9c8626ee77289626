using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using OrleansRaft.Etcd.Tests.Infrastructure;

namespace OrleansRaft.Etcd.Tests;

/// <summary>Leases through dotnet-etcd: grant, attach, the keepalive stream, time-to-live, list and revoke.</summary>
[Collection(EtcdGatewayCollection.Name)]
public sealed class DotnetEtcdLeaseTests(EtcdGatewayCluster fixture) : IDisposable
{
    private readonly EtcdClient _client = EtcdClients.Connect(fixture);

    [Fact]
    public async Task Grant_attach_keep_alive_time_to_live_list_and_revoke()
    {
        var grant = await _client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 30 }, deadline: EtcdClients.Deadline());
        Assert.True(grant.ID > 0);
        Assert.Equal(30, grant.TTL);
        await _client.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8("/net/lease/k"), Value = ByteString.CopyFromUtf8("v"), Lease = grant.ID }, deadline: EtcdClients.Deadline());
        Assert.Equal(grant.ID, (await _client.GetAsync("/net/lease/k", deadline: EtcdClients.Deadline())).Kvs.Single().Lease);

        using (var keepAlive = _client.GetConnection().LeaseClient.LeaseKeepAlive(deadline: EtcdClients.Deadline()))
        {
            await keepAlive.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = grant.ID });
            await keepAlive.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = grant.ID + 1_000_000 });
            Assert.True(await keepAlive.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal((grant.ID, 30L), (keepAlive.ResponseStream.Current.ID, keepAlive.ResponseStream.Current.TTL));
            Assert.True(await keepAlive.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal((grant.ID + 1_000_000, 0L), (keepAlive.ResponseStream.Current.ID, keepAlive.ResponseStream.Current.TTL));
            await keepAlive.RequestStream.CompleteAsync();
            Assert.False(await keepAlive.ResponseStream.MoveNext(CancellationToken.None));
        }

        var ttl = await _client.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = grant.ID, Keys = true }, deadline: EtcdClients.Deadline());
        Assert.Equal((grant.ID, 30L), (ttl.ID, ttl.GrantedTTL));
        Assert.InRange(ttl.TTL, 1, 30);
        Assert.Equal("/net/lease/k", Assert.Single(ttl.Keys).ToStringUtf8());
        Assert.Contains(grant.ID, (await _client.LeaseLeasesAsync(deadline: EtcdClients.Deadline())).Leases.Select(l => l.ID));

        await _client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = grant.ID }, deadline: EtcdClients.Deadline());
        Assert.Empty((await _client.GetAsync("/net/lease/k", deadline: EtcdClients.Deadline())).Kvs);
        Assert.Equal(-1, (await _client.LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = grant.ID }, deadline: EtcdClients.Deadline())).TTL);
        Assert.DoesNotContain(grant.ID, (await _client.LeaseLeasesAsync(deadline: EtcdClients.Deadline())).Leases.Select(l => l.ID));

        var again = await Assert.ThrowsAsync<RpcException>(() => _client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = grant.ID }, deadline: EtcdClients.Deadline()));
        Assert.Equal((StatusCode.NotFound, "etcdserver: requested lease not found"), (again.StatusCode, again.Status.Detail));
    }

    [Fact]
    public async Task A_lease_with_a_chosen_id_is_granted_once()
    {
        const long Id = 0x4242_0001;
        Assert.Equal(Id, (await _client.LeaseGrantAsync(new LeaseGrantRequest { ID = Id, TTL = 60 }, deadline: EtcdClients.Deadline())).ID);
        var twice = await Assert.ThrowsAsync<RpcException>(() => _client.LeaseGrantAsync(new LeaseGrantRequest { ID = Id, TTL = 60 }, deadline: EtcdClients.Deadline()));
        Assert.Equal((StatusCode.FailedPrecondition, "etcdserver: lease already exists"), (twice.StatusCode, twice.Status.Detail));
        await _client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = Id }, deadline: EtcdClients.Deadline());
    }

    public void Dispose() => _client.Dispose();
}
