using OrleansRaft.KeyValue;

namespace OrleansRaft.Client;

public sealed partial class KvClient
{
    /// <summary>Grants a lease of <paramref name="ttlSeconds"/>; <paramref name="id"/> 0 lets the store choose the id.</summary>
    public async Task<LeaseGrantResult> LeaseGrantAsync(long ttlSeconds, long id = 0, KvCallOptions? call = null, CancellationToken cancellationToken = default) =>
        Expect<LeaseGrantResult>(await ProposeAsync(new LeaseGrantRequest(ttlSeconds) { Id = id }, call, cancellationToken));

    /// <summary>Revokes a lease and deletes its keys.</summary>
    public async Task<LeaseRevokeResult> LeaseRevokeAsync(long id, KvCallOptions? call = null, CancellationToken cancellationToken = default) =>
        Expect<LeaseRevokeResult>(await ProposeAsync(new LeaseRevokeRequest(id), call, cancellationToken));

    /// <summary>Restarts a lease's TTL.</summary>
    public async Task<LeaseKeepAliveResult> LeaseKeepAliveAsync(long id, KvCallOptions? call = null, CancellationToken cancellationToken = default) =>
        Expect<LeaseKeepAliveResult>(await ProposeAsync(new LeaseKeepAliveRequest(id), call, cancellationToken));

    public async Task<LeaseTimeToLiveResult> LeaseTimeToLiveAsync(long id, bool keys = false, KvCallOptions? call = null, CancellationToken cancellationToken = default) =>
        (await ReadAsync<LeaseTimeToLiveResult>(new LeaseTimeToLiveRequest(id) { Keys = keys }, call, cancellationToken)).Result;

    public async Task<LeaseListResult> LeaseListAsync(KvCallOptions? call = null, CancellationToken cancellationToken = default) =>
        (await ReadAsync<LeaseListResult>(new LeaseListRequest(), call, cancellationToken)).Result;

    /// <summary>Grants a lease and keeps it alive until the returned handle is disposed (see <see cref="KvLease"/>).</summary>
    public async Task<KvLease> GrantKeptLeaseAsync(long ttlSeconds, long id = 0, KvCallOptions? call = null, CancellationToken cancellationToken = default) =>
        new(this, await LeaseGrantAsync(ttlSeconds, id, call, cancellationToken));
}
