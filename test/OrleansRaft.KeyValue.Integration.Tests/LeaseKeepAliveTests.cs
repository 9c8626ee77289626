using OrleansRaft.Client;
using OrleansRaft.KeyValue.Integration.Tests.Infrastructure;

namespace OrleansRaft.KeyValue.Integration.Tests;

/// <summary>Leases kept alive by <see cref="KvLease"/>.</summary>
[Collection(SharedKvClusterCollection.Name)]
public sealed class LeaseKeepAliveTests(SharedKvCluster shared)
{
    private KvCluster Kv => shared.Cluster;

    [Fact]
    public async Task A_kept_lease_is_renewed_every_third_of_its_ttl_until_disposed()
    {
        await Kv.CreateGroupAsync("kv-lease-kept");
        await using var client = await Kv.ConnectAsync("kv-lease-kept");
        var lease = await client.GrantKeptLeaseAsync(ttlSeconds: 3);

        Assert.Equal(TimeSpan.FromSeconds(1), lease.Interval);
        await KvCluster.WaitUntilAsync(() => Task.FromResult(lease.KeepAlives >= 2), "two keepalives");
        await lease.DisposeAsync();
        var renewed = lease.KeepAlives;

        Assert.True(lease.Stopped.IsCompletedSuccessfully);
        Assert.False(lease.Lost);
        Assert.Equal(renewed, lease.KeepAlives);
        Assert.Equal(3, (await client.LeaseTimeToLiveAsync(lease.Id)).GrantedTtlSeconds);
    }

    [Fact]
    public async Task A_kept_lease_revoked_elsewhere_stops_its_keepalives_as_lost()
    {
        await Kv.CreateGroupAsync("kv-lease-lost");
        await using var client = await Kv.ConnectAsync("kv-lease-lost");
        await using var other = await Kv.ConnectAsync("kv-lease-lost");
        await using var lease = await client.GrantKeptLeaseAsync(ttlSeconds: 2);
        await client.PutAsync(new PutRequest(KvBytes.From("owned"), KvBytes.From("v")) { Lease = lease.Id });

        var revoked = await other.LeaseRevokeAsync(lease.Id);
        await lease.Stopped.WaitAsync(KvCluster.Bound);

        Assert.Equal(1, revoked.DeletedKeys);
        Assert.True(lease.Lost);
        Assert.Null(await client.GetAsync("owned"));
    }
}
