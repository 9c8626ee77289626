using OrleansRaft.Hosting.Configuration;

namespace OrleansRaft.Hosting.Members;

/// <summary>
/// Group commit for one member: how long an idle leader holds back the write that a proposal starts, so that the callers
/// it answered together share one write instead of alternating writes of one entry and of all the rest.
/// </summary>
/// <remarks>
/// <para>
/// The leader expects back the callers it answered (<see cref="Expected"/>); an accepted proposal is one of them coming
/// back. A proposal that finds the leader idle while others are expected holds the write until they are all back, until
/// the time by which answered callers have lately all come back (<see cref="Horizon"/> after the last answer), or for
/// <see cref="OrleansRaftOptions.GroupCommitWindow"/>, whichever comes first.
/// </para>
/// <para>
/// So a lone caller never waits: no one else is expected. Callers that do not come back (they stopped, or went on to
/// read) cost at most one wait, and none once they are overdue. Under load the wait follows how fast callers really come
/// back: the horizon is twice the time the last complete gathering took from the answer to its last caller, falling a
/// quarter of the way towards a shorter one at a time and rising at once to a longer one; a wait that runs out doubles it.
/// </para>
/// <para>
/// Invariants: <see cref="Expected"/> is never negative; <see cref="Horizon"/> stays within [<see cref="MinHorizon"/>,
/// the window]. The gate is pure: times are passed in, from one monotonic clock.
/// </para>
/// </remarks>
internal sealed class GroupCommitGate
{
    /// <summary>The shortest horizon: below it a wait would be shorter than the scheduling it costs.</summary>
    public static readonly TimeSpan MinHorizon = TimeSpan.FromMilliseconds(0.05);

    private readonly TimeSpan _window;
    private readonly TimeSpan _maxHorizon;
    private int _expected;
    private TimeSpan _answeredAt;
    private TimeSpan _lastArrival;
    private TimeSpan _horizon;

    /// <param name="window">The longest wait; zero or less turns group commit off.</param>
    public GroupCommitGate(TimeSpan window)
    {
        _window = window > TimeSpan.Zero ? window : TimeSpan.Zero;
        _maxHorizon = _window > MinHorizon ? _window : MinHorizon;
        _horizon = _maxHorizon;
    }

    /// <summary>Callers answered and not come back with a new proposal yet.</summary>
    public int Expected => _expected;

    /// <summary>How long after their answer the callers are expected back at the latest.</summary>
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

        var wait = _answeredAt + _horizon - now;
        if (wait <= TimeSpan.Zero)
        {
            // Overdue: they are not coming soon, and whoever comes later starts a write at once.
            _expected = 0;
            return TimeSpan.Zero;
        }

        return wait < _window ? wait : _window;
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
            // They were late, or are not coming: either way they are no longer waited for.
            _expected = 0;
            _horizon = Clamp(2 * _horizon);
        }
    }

    private TimeSpan Clamp(TimeSpan horizon) => horizon < MinHorizon ? MinHorizon : horizon > _maxHorizon ? _maxHorizon : horizon;
}
