namespace OrleansRaft.KeyValue;

/// <summary>
/// Leases live on the replicated clock: a deadline is the clock at the grant or keepalive plus the TTL, and only a
/// <see cref="TickRequest"/> moves the clock and expires what is due. Lease operations themselves take no revision;
/// deleting a lease's keys does.
/// </summary>
public sealed partial class KvStateMachine
{
    private LeaseGrantResult GrantLease(LeaseGrantRequest request)
    {
        // As etcd: any id but 0 (which asks for one) is the caller's, negative ones too; a TTL below the minimum,
        // negative ones too, is granted the minimum.
        if (request.TtlSeconds > limits.MaxLeaseTtlSeconds)
        {
            throw Fail.With(KvErrorCode.LeaseTtlTooLarge, $"a TTL of {request.TtlSeconds} s exceeds the limit of {limits.MaxLeaseTtlSeconds} s");
        }

        var id = request.Id;
        if (id != 0 && state.Leases.Get(id) is not null)
        {
            throw Fail.With(KvErrorCode.LeaseExists, $"lease {id} exists already");
        }

        if (state.Leases.Count >= limits.MaxLeases)
        {
            throw Fail.With(KvErrorCode.TooManyLeases, $"there are {state.Leases.Count} leases already; the limit is {limits.MaxLeases}");
        }

        // Nothing changes before this point, so a refusal leaves the id counter as it was.
        if (id == 0)
        {
            id = state.Leases.NextId;
            while (state.Leases.Get(id) is not null)
            {
                id++;
            }

            state.Leases.NextId = id + 1;
        }

        var ttl = Math.Max(request.TtlSeconds, limits.MinLeaseTtlSeconds);
        state.Leases.Add(new Lease(id, ttl, state.Clock.Now + (ttl * 1000)));
        return new LeaseGrantResult(state.Revision, id, ttl);
    }

    private LeaseRevokeResult RevokeLease(LeaseRevokeRequest request)
    {
        var lease = FindLease(request.Id);
        var deleted = Revoke(lease);
        return new LeaseRevokeResult(state.Revision, lease.Id, deleted);
    }

    private LeaseKeepAliveResult KeepLeaseAlive(LeaseKeepAliveRequest request)
    {
        var lease = FindLease(request.Id);
        state.Leases.SetDeadline(lease, state.Clock.Now + (lease.TtlSeconds * 1000));
        return new LeaseKeepAliveResult(state.Revision, lease.Id, lease.TtlSeconds);
    }

    private LeaseTimeToLiveResult RunLeaseTimeToLive(LeaseTimeToLiveRequest request)
    {
        var lease = FindLease(request.Id);
        var remaining = Math.Max(0, lease.DeadlineMilliseconds - state.Clock.Now);
        IReadOnlyList<ReadOnlyMemory<byte>> keys = request.Keys ? lease.Keys.Select(h => h.Key).ToArray() : [];
        return new LeaseTimeToLiveResult(state.Revision, lease.Id, lease.TtlSeconds, remaining, keys);
    }

    private TickResult Tick(TickRequest request)
    {
        RequestValidator.NotNegative(request.Epoch, "a tick's epoch");
        RequestValidator.NotNegative(request.NowMilliseconds, "a tick's clock reading");
        state.Clock.Tick(request.Epoch, request.NowMilliseconds);
        var now = state.Clock.Now;

        var expiredLeases = new List<long>();
        while (expiredLeases.Count < limits.MaxLeasesExpiredPerTick && state.Leases.FirstDue(now) is { } lease)
        {
            Revoke(lease);
            expiredLeases.Add(lease.Id);
        }

        var expiredSessions = state.Sessions.All
            .Where(s => now - s.LastUsedMilliseconds >= limits.SessionIdleTimeoutMilliseconds)
            .Select(s => s.Id)
            .ToList();
        foreach (var id in expiredSessions)
        {
            state.Sessions.Remove(id);
        }

        return new TickResult(state.Revision, now, expiredLeases, expiredSessions);
    }

    private Lease FindLease(long id) =>
        state.Leases.Get(id) ?? throw Fail.With(KvErrorCode.LeaseNotFound, $"lease {id} does not exist");
}
