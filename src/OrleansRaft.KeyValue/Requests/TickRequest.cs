namespace OrleansRaft.KeyValue;

/// <summary>
/// Advances the replicated clock and expires what is due on it: leases past their deadline (their keys are deleted,
/// one revision per lease) and idle sessions. Only the leader proposes ticks, so a follower's clock never decides an
/// expiry.
/// </summary>
/// <remarks>
/// <para>The clock moves only by time measured on one leader's monotonic clock: a tick advances it by
/// <c>NowMilliseconds</c> minus the previous tick's, when both carry the same <see cref="Epoch"/>. The first tick of a
/// new epoch (a new leader, whose clock is unrelated) only sets the base, and a tick of an older epoch (a deposed
/// leader's, committed late) does not move it. Time between the last tick of one leader and the first two ticks of
/// the next is therefore not counted: leases live longer across a leader change, never shorter.</para>
/// <para>Grants and keepalives read the clock as of the last tick, so a lease can end early by at most one tick
/// interval; tick well below <see cref="KvLimits.MinLeaseTtlSeconds"/>. Use a monotonic source (Stopwatch), not wall time.</para>
/// </remarks>
public sealed class TickRequest : KvRequest
{
    public TickRequest(long epoch, long nowMilliseconds)
    {
        Epoch = epoch;
        NowMilliseconds = nowMilliseconds;
    }

    /// <summary>Identifies the leader's clock; the Raft term is the natural choice, since it only grows.</summary>
    public long Epoch { get; }

    /// <summary>The leader's monotonic clock, in milliseconds.</summary>
    public long NowMilliseconds { get; }

    internal override KvRequestKind Kind => KvRequestKind.Tick;
}
