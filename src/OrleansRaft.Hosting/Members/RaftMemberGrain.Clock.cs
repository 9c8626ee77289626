using Microsoft.Extensions.DependencyInjection;
using OrleansRaft.Abstractions;
using OrleansRaft.Core;
using OrleansRaft.Hosting.Diagnostics;

namespace OrleansRaft.Hosting.Members;

internal sealed partial class RaftMemberGrain
{
    private TimeProvider? _time;

    /// <summary>When this member last heard from a leader of its current term (a <see cref="TimeProvider"/> timestamp); null before it has.</summary>
    private long? _leaderHeardAt;

    /// <summary>When this member last proposed a command of <see cref="IRaftLeaderClock.OnLeaderTick"/>; null before it has.</summary>
    private long? _leaderTickAt;

    /// <summary>When the timer last asked <see cref="IRaftLeaderClock.OnLeaderTick"/>; null before it has.</summary>
    private long? _leaderClockAskedAt;

    /// <summary>The monotonic clock: the registered <see cref="TimeProvider"/>, so that tests can drive it, else the system's.</summary>
    private TimeProvider Time => _time ??= ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;

    /// <summary>Notes that <paramref name="message"/>, once stepped, came from the leader this member follows in its term.</summary>
    private void NoteLeaderContact(Message message, RaftNode node)
    {
        if (message.From != 0 && message.From == node.Leader && message.Term == node.Term)
        {
            _leaderHeardAt = Time.GetTimestamp();
        }
    }

    /// <summary>
    /// How long this member has not heard from a leader: zero while it leads, <see cref="TimeSpan.MaxValue"/> before
    /// it heard from any. A member that led counts its own last tick as leader as the last word from a leader.
    /// </summary>
    private TimeSpan LeaderSilence(RaftNode node)
    {
        if (node.Role == RaftRole.Leader)
        {
            return TimeSpan.Zero;
        }

        return _leaderHeardAt is { } heard ? Time.GetElapsedTime(heard) : TimeSpan.MaxValue;
    }

    /// <summary>
    /// While leading, notes the leader's own word and lets a state machine that keeps time propose its clock reading,
    /// at most every <see cref="IRaftLeaderClock.MinInterval"/>: from the timer when something is due, and with
    /// <paramref name="proposing"/> before a client's command when the clock it would read is stale. The proposal is
    /// fire and forget: the next one carries the clock on.
    /// </summary>
    private void TickLeaderClock(RaftNode node, bool proposing)
    {
        if (node.Role != RaftRole.Leader)
        {
            return;
        }

        var now = Time.GetTimestamp();
        _leaderHeardAt = now;
        if (_stateMachine is not IRaftLeaderClock clock)
        {
            return;
        }

        if (_leaderTickAt is { } last && Time.GetElapsedTime(last, now) < IRaftLeaderClock.MinInterval)
        {
            return;
        }

        if (!proposing)
        {
            if (_leaderClockAskedAt is { } asked && Time.GetElapsedTime(asked, now) < IRaftLeaderClock.MinInterval)
            {
                return;
            }

            _leaderClockAskedAt = now;
        }

        ReadOnlyMemory<byte>? command;
        try
        {
            command = clock.OnLeaderTick(node.Term, MonotonicMilliseconds(now), proposing);
        }
        catch (Exception e)
        {
            RaftLogMessages.LeaderTickFailed(_logger, _name, node.Term, e.Message);
            return;
        }

        if (command is not { IsEmpty: false } bytes)
        {
            return;
        }

        _leaderTickAt = now;
        var proposed = node.Propose(bytes);
        if (proposed.Status != ProposeStatus.Accepted)
        {
            RaftLogMessages.LeaderTickFailed(_logger, _name, node.Term, proposed.Status.ToString());
        }
    }

    /// <summary>How long a leader's state machine may go without its clock, as it says; null for as long as nothing changes.</summary>
    private TimeSpan? LeaderClockDue(RaftNode node)
    {
        if (_stateMachine is not IRaftLeaderClock clock)
        {
            return null;
        }

        try
        {
            return clock.NextTickDue(node.Term, MonotonicMilliseconds(Time.GetTimestamp()));
        }
        catch (Exception e)
        {
            RaftLogMessages.LeaderTickFailed(_logger, _name, node.Term, e.Message);
            return TimeSpan.Zero;
        }
    }

    private long MonotonicMilliseconds(long timestamp) => (long)Time.GetElapsedTime(0, timestamp).TotalMilliseconds;
}
