using OrleansRaft.Client;
using OrleansRaft.KeyValue.Integration.Tests.Infrastructure;

namespace OrleansRaft.KeyValue.Integration.Tests;

/// <summary>Leases that nobody keeps alive expire on the leader's clock, through ticks the leader proposes.</summary>
[Collection(SharedKvClusterCollection.Name)]
public sealed class LeaseExpiryTests(SharedKvCluster shared)
{
    private KvCluster Kv => shared.Cluster;

    [Fact]
    public async Task A_lease_left_alone_expires_and_takes_its_keys_with_it()
    {
        await Kv.CreateGroupAsync("kv-lease-expiry");
        await using var client = await Kv.ConnectAsync("kv-lease-expiry");
        var minimum = KvLimits.Default.MinLeaseTtlSeconds;
        var lease = await client.LeaseGrantAsync(minimum);
        await client.PutAsync(new PutRequest(KvBytes.From("/ephemeral/worker"), KvBytes.From("up")) { Lease = lease.Id });
        var attached = await client.LeaseTimeToLiveAsync(lease.Id, keys: true);

        await KvCluster.WaitUntilAsync(async () => await client.GetAsync("/ephemeral/worker") is null, "the leased key to expire");
        var expired = await Assert.ThrowsAsync<KvRequestException>(() => client.LeaseTimeToLiveAsync(lease.Id));

        Assert.Equal(minimum, lease.TtlSeconds);
        Assert.Equal(minimum, attached.GrantedTtlSeconds);
        Assert.Equal("/ephemeral/worker", KvBytes.ToText(Assert.Single(attached.Keys)));
        Assert.Equal(KvErrorCode.LeaseNotFound, expired.Code);
        Assert.Empty((await client.LeaseListAsync()).Ids);
    }
}
