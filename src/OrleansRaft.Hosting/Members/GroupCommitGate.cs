using OrleansRaft.Hosting.Configuration;

namespace OrleansRaft.Hosting.Members;

/// <summary>
/// Group commit for one member: whether, and how long, an idle leader holds back the write that a proposal starts, so
/// that the callers it answered together share one write instead of alternating writes of one entry and of all the rest.
/// </summary>
/// <remarks>
/// <para>
/// The leader expects back the callers it answered (<see cref="Expected"/>); an accepted proposal is one of them coming
/// back. A proposal that finds the leader idle while others are expected holds the write until they are all back, or
/// for <see cref="OrleansRaftOptions.GroupCommitWindow"/>, whichever comes first, but only while they are due: until
/// <see cref="Horizon"/> after the last answer. Callers not back by then are overdue and are not waited for.
/// </para>
/// <para>
/// So a lone caller never waits, since no one else is expected, and callers that stop coming back (they stopped, or went
/// on to read) cost others at most one wait, none once overdue. The horizon follows how fast callers really come back:
/// twice the time from the answer to the last caller of the last complete gathering, falling a quarter of the way
/// towards a shorter one at a time and rising at once to a longer one; callers that were not back in time double it.
/// </para>
/// <para>
/// Waits run on timers, which count whole milliseconds: a wait is never shorter than <see cref="TimerResolution"/>
/// (a shorter one would not wait at all), and the horizon never falls below it.
/// </para>
/// <para>
/// Invariants: <see cref="Expected"/> is never negative; <see cref="Horizon"/> stays within
/// [<see cref="TimerResolution"/>, the largest horizon]. The gate is pure: times are passed in, from one monotonic clock.
/// </para>
/// </remarks>
internal sealed class GroupCommitGate
{
    /// <summary>The shortest wait a timer makes.</summary>
    public static readonly TimeSpan TimerResolution = TimeSpan.FromMilliseconds(1);

    private readonly TimeSpan _window;
    private readonly TimeSpan _maxHorizon;
    private int _expected;
    private TimeSpan _answeredAt;
    private TimeSpan _lastArrival;
    private TimeSpan _horizon;

    /// <param name="window">The longest wait; zero or less turns group commit off.</param>
    /// <param name="maxHorizon">The longest callers may take to come back and still be waited for; it is also the first horizon.</param>
    public GroupCommitGate(TimeSpan window, TimeSpan maxHorizon)
    {
        _window = window > TimeSpan.Zero ? Max(window, TimerResolution) : TimeSpan.Zero;
        _maxHorizon = Max(maxHorizon, TimerResolution);
        _horizon = _maxHorizon;
    }

    /// <summary>Callers answered and not come back with a new proposal yet.</summary>
    public int Expected => _expected;

    /// <summary>How long after their answer the callers are due back.</summary>
    public TimeSpan Horizon => _horizon;

    /// <summary>The leader answered <paramref name="callers"/> proposals at <paramref name="now"/>.</summary>
    public void OnAnswered(int callers, TimeSpan now)
    {
        if (callers > 0)
        {
            _expected += callers;
            _answeredAt = now;
        }
    }

    /// <summary>A proposal was accepted at <paramref name="now"/>: an expected caller came back, if one was expected. Returns whether none is expected any more.</summary>
    public bool OnProposal(TimeSpan now)
    {
        if (_expected > 0)
        {
            _expected--;
            _lastArrival = now;
        }

        return _expected == 0;
    }

    /// <summary>
    /// For a proposal that found the leader idle, after <see cref="OnProposal"/>: how long to hold the write back; zero
    /// to write at once. A positive wait starts a gathering, which <see cref="EndGathering"/> ends.
    /// </summary>
    public TimeSpan BeginGathering(TimeSpan now)
    {
        if (_window == TimeSpan.Zero || _expected == 0)
        {
            return TimeSpan.Zero;
        }

        var due = _answeredAt + _horizon - now;
        if (due <= TimeSpan.Zero)
        {
            Late();
            return TimeSpan.Zero;
        }

        return Max(Min(due, _window), TimerResolution);
    }

    /// <summary>
    /// A gathering ended: every expected caller came back, its wait ran out (<paramref name="timedOut"/>), or the leader
    /// had other work that must not wait. Only the first two teach the gate anything.
    /// </summary>
    public void EndGathering(bool timedOut)
    {
        if (_expected == 0)
        {
            var target = 2 * (_lastArrival - _answeredAt);
            _horizon = Clamp(target >= _horizon ? target : _horizon - (_horizon - target) / 4);
        }
        else if (timedOut)
        {
            Late();
        }
    }

    /// <summary>Callers were not back in time: they are not waited for any more, and the next ones get longer.</summary>
    private void Late()
    {
        _expected = 0;
        _horizon = Clamp(2 * _horizon);
    }

    private TimeSpan Clamp(TimeSpan horizon) => Max(Min(horizon, _maxHorizon), TimerResolution);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
