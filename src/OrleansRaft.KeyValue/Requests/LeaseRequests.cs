namespace OrleansRaft.KeyValue;

/// <summary>
/// Grants a lease that expires <see cref="TtlSeconds"/> after the grant, on the replicated clock (see
/// <see cref="TickRequest"/>). A TTL below <see cref="KvLimits.MinLeaseTtlSeconds"/> is raised to it.
/// </summary>
public sealed class LeaseGrantRequest : KvRequest
{
    public LeaseGrantRequest(long ttlSeconds)
    {
        TtlSeconds = ttlSeconds;
    }

    public long TtlSeconds { get; }

    /// <summary>The lease id, chosen by the proposer; 0 lets the state machine pick the lowest free id from a counter.</summary>
    public long Id { get; init; }

    internal override KvRequestKind Kind => KvRequestKind.LeaseGrant;
}

/// <summary>Revokes a lease and deletes its keys, in one revision.</summary>
public sealed class LeaseRevokeRequest : KvRequest
{
    public LeaseRevokeRequest(long id)
    {
        Id = id;
    }

    public long Id { get; }

    internal override KvRequestKind Kind => KvRequestKind.LeaseRevoke;
}

/// <summary>Restarts a lease's TTL from the current replicated time.</summary>
public sealed class LeaseKeepAliveRequest : KvRequest
{
    public LeaseKeepAliveRequest(long id)
    {
        Id = id;
    }

    public long Id { get; }

    internal override KvRequestKind Kind => KvRequestKind.LeaseKeepAlive;
}

/// <summary>A query: a lease's granted and remaining TTL, and optionally its keys.</summary>
public sealed class LeaseTimeToLiveRequest : KvRequest
{
    public LeaseTimeToLiveRequest(long id)
    {
        Id = id;
    }

    public long Id { get; }

    /// <summary>Also return the keys attached to the lease.</summary>
    public bool Keys { get; init; }

    internal override KvRequestKind Kind => KvRequestKind.LeaseTimeToLive;
}

/// <summary>A query: the ids of every lease, ascending.</summary>
public sealed class LeaseListRequest : KvRequest
{
    internal override KvRequestKind Kind => KvRequestKind.LeaseList;
}
