namespace OrleansRaft.KeyValue;

/// <summary>
/// When the replicated clock must move. Time enters the store only through <see cref="TickRequest"/>s that the leader
/// proposes, and the leader asks these two questions to propose one only when it matters: a store with no lease and no
/// session needs no tick at all while idle, so an idle group appends nothing.
/// </summary>
public sealed partial class KvStateMachine
{
    /// <summary>
    /// How long the leader whose clock is (<paramref name="epoch"/>, <paramref name="reading"/>) may wait before its
    /// next tick: null while nothing in the store depends on time (no lease, no session), zero when a tick is due now,
    /// else the milliseconds until the earliest lease deadline, session expiry or lease checkpoint
    /// (<see cref="KvLimits.LeaseCheckpointMilliseconds"/>). A leader whose epoch the clock has not seen yet needs a
    /// tick at once, to set its base.
    /// </summary>
    public long? TickDueIn(long epoch, long reading)
    {
        var leases = state.Leases.Count > 0;
        if (!leases && state.Sessions.Count == 0)
        {
            return null;
        }

        if (epoch != state.Clock.Epoch)
        {
            return 0;
        }

        var elapsed = Math.Max(0, reading - state.Clock.EpochReading);
        var now = elapsed >= ReplicatedClock.Max - state.Clock.Now ? ReplicatedClock.Max : state.Clock.Now + elapsed;
        var due = long.MaxValue;
        if (state.Leases.FirstDeadline is { } deadline)
        {
            due = deadline - now;
        }

        if (state.Sessions.LeastRecentlyUsed() is { } idlest)
        {
            due = Math.Min(due, idlest.LastUsedMilliseconds + limits.SessionIdleTimeoutMilliseconds - now);
        }

        if (leases)
        {
            due = Math.Min(due, limits.LeaseCheckpointMilliseconds - elapsed);
        }

        return Math.Max(0, due);
    }

    /// <summary>
    /// Milliseconds between the last tick of <paramref name="epoch"/> and <paramref name="reading"/>, or null if the
    /// clock has not seen that epoch. A command that reads the clock (a grant, a keepalive, a session's use) reads it as
    /// of the last tick, so the leader ticks first when this is not small.
    /// </summary>
    public long? ClockStaleness(long epoch, long reading) =>
        epoch == state.Clock.Epoch ? Math.Max(0, reading - state.Clock.EpochReading) : null;
}
