namespace OrleansRaft.KeyValue;

public sealed class LeaseGrantResult(long revision, long id, long ttlSeconds) : KvResult(revision)
{
    public long Id { get; } = id;

    /// <summary>The TTL granted (the one asked for, raised to the minimum).</summary>
    public long TtlSeconds { get; } = ttlSeconds;

    internal override KvResultKind Kind => KvResultKind.LeaseGrant;
}

public sealed class LeaseRevokeResult(long revision, long id, long deletedKeys) : KvResult(revision)
{
    public long Id { get; } = id;

    public long DeletedKeys { get; } = deletedKeys;

    internal override KvResultKind Kind => KvResultKind.LeaseRevoke;
}

public sealed class LeaseKeepAliveResult(long revision, long id, long ttlSeconds) : KvResult(revision)
{
    public long Id { get; } = id;

    public long TtlSeconds { get; } = ttlSeconds;

    internal override KvResultKind Kind => KvResultKind.LeaseKeepAlive;
}

public sealed class LeaseTimeToLiveResult(
    long revision, long id, long grantedTtlSeconds, long remainingMilliseconds, IReadOnlyList<ReadOnlyMemory<byte>> keys) : KvResult(revision)
{
    public long Id { get; } = id;

    public long GrantedTtlSeconds { get; } = grantedTtlSeconds;

    /// <summary>Time left on the replicated clock; 0 when due (it expires at the next tick).</summary>
    public long RemainingMilliseconds { get; } = remainingMilliseconds;

    /// <summary>Time left in whole seconds, rounded up.</summary>
    public long RemainingTtlSeconds => (RemainingMilliseconds + 999) / 1000;

    /// <summary>The attached keys in key order, when asked for.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Keys { get; } = keys;

    internal override KvResultKind Kind => KvResultKind.LeaseTimeToLive;
}

public sealed class LeaseListResult(long revision, IReadOnlyList<long> ids) : KvResult(revision)
{
    public IReadOnlyList<long> Ids { get; } = ids;

    internal override KvResultKind Kind => KvResultKind.LeaseList;
}

public sealed class TickResult(long revision, long clockMilliseconds, IReadOnlyList<long> expiredLeases, IReadOnlyList<ulong> expiredSessions)
    : KvResult(revision)
{
    /// <summary>The replicated clock after the tick.</summary>
    public long ClockMilliseconds { get; } = clockMilliseconds;

    /// <summary>The leases that expired, in the order they were revoked (deadline, then id).</summary>
    public IReadOnlyList<long> ExpiredLeases { get; } = expiredLeases;

    public IReadOnlyList<ulong> ExpiredSessions { get; } = expiredSessions;

    internal override KvResultKind Kind => KvResultKind.Tick;
}
