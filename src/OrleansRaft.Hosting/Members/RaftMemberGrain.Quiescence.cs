using OrleansRaft.Abstractions;
using OrleansRaft.Core;
using OrleansRaft.Hosting.Diagnostics;
using OrleansRaft.Hosting.Storage;
using OrleansRaft.Hosting.Transport;

namespace OrleansRaft.Hosting.Members;

/// <summary>
/// Quiet groups: a leader idle for <see cref="Configuration.OrleansRaftOptions.QuiesceAfter"/> quiets its group (see
/// <see cref="RaftNode.TryQuiesce"/>), and every member's timers follow the core: a quiet member runs no tick timer;
/// a quiet leader whose state machine keeps time runs one one-shot timer for the next thing due on that clock.
/// </summary>
/// <remarks>
/// A quiet follower is listed under its leader's silo in <see cref="Quiescence.RaftQuietFollowers"/>; the silo's
/// liveness watch wakes it, with the leader suspected, when that silo fails a probe or leaves the cluster.
/// </remarks>
internal sealed partial class RaftMemberGrain
{
    /// <summary>A quiet leader's wake-up for its state machine's clock.</summary>
    private IGrainTimer? _clockTimer;

    /// <summary>When the member last took a request (a proposal, a read, a transfer); quiescence waits for it to age.</summary>
    private long _lastRequestAt;

    /// <summary>
    /// Where the leader whose Quiesce this member took last runs, and which leader of which term that was, while the
    /// member is quiet as a follower.
    /// </summary>
    private QuietLeader? _quietLeader;

    /// <summary>The check of this activation's claim on the member's log while one runs.</summary>
    private Task? _claimCheck;

    /// <summary>When the last check that found the claim held, or could not tell, began; 0 before the first.</summary>
    private long _claimCheckedAt;

    /// <summary>Set once a check found that another instance claimed the log: this activation no longer speaks for the member.</summary>
    private bool _claimLost;

    public async Task QuiesceAsync(RaftMessageData message, SiloAddress leaderSilo)
    {
        if (!await TryStartForPeerAsync(1) || _failure is not null || message.To != _key.MemberId || !IsMember(message.From))
        {
            return;
        }

        var node = Node;
        var stepped = RaftMessageMapper.FromData(message);
        node.Step(stepped);
        NoteLeaderContact(stepped, node);
        // Only the current leader's Quiesce names where that leader runs. A stale one (an earlier leader's, delivered
        // after a newer leader quieted the group) is refused by the core, which leaves the member quiet: taking its
        // silo would list the member under a silo whose death says nothing of the leader, and a quiet group whose
        // leader died would then never be woken.
        if (node.IsQuiescent && stepped.Term == node.Term && stepped.From == node.Leader)
        {
            _quietLeader = new QuietLeader(leaderSilo, node.Term, node.Leader);
        }

        Kick();
    }

    public Task WakeAsync(bool leaderSuspected)
    {
        if (_node is { } node && _failure is null)
        {
            node.Wake(leaderSuspected);
            Kick();
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Before a quiet member answers from what it knows (its status, a serializable read, committed entries for a
    /// watch): makes sure this activation held the member's log at most an election timeout ago.
    /// </summary>
    /// <remarks>
    /// Orleans can run two activations of one member for a while (its directory converges after silos join or fail).
    /// The later one's load fences the earlier, whose next write then fails, and it restarts. A quiet activation
    /// writes nothing, so it would never learn, and would go on reporting a leadership it lost and serving the reads
    /// of a past term. The check bounds that at one read of the manifest per election timeout, and only while something
    /// asks a quiet member. A check that cannot reach storage within an election timeout lets the answer go out as
    /// before, from memory, and the next check waits its turn: an outage does not make quiet members wait on it.
    /// </remarks>
    private Task CheckClaimWhileQuietAsync()
    {
        if (_node is not { IsQuiescent: true } || _failure is not null)
        {
            return Task.CompletedTask;
        }

        if (_claimCheck is { IsCompleted: false } running)
        {
            return running;
        }

        if (_claimCheckedAt != 0 && Time.GetElapsedTime(_claimCheckedAt) < ElectionTimeout)
        {
            return Task.CompletedTask;
        }

        return _claimCheck = CheckClaimAsync();
    }

    private TimeSpan ElectionTimeout => _options.TickInterval * _options.ElectionTicks;

    private async Task CheckClaimAsync()
    {
        var started = Time.GetTimestamp();
        try
        {
            await _store!.CheckClaimAsync().WaitAsync(ElectionTimeout);
            _claimCheckedAt = started;
        }
        catch (Exception e) when (e is TimeoutException || StorageFailures.IsUnavailable(e))
        {
            _claimCheckedAt = started;
            RaftLogMessages.ClaimUnchecked(_logger, _name, e is TimeoutException ? $"no answer within {ElectionTimeout}" : e.GetType().Name);
        }
        catch (RaftLogConflictException e)
        {
            _claimLost = true;
            Fail(e);
        }
        catch (Exception e)
        {
            // A manifest that does not decode, or a store that failed otherwise: this activation cannot vouch for the
            // member, and the next one loads it afresh.
            Fail(e);
        }
    }

    /// <summary>Notes a request, so that the group stays awake for <see cref="Configuration.OrleansRaftOptions.QuiesceAfter"/> after it.</summary>
    private void NoteRequest() => _lastRequestAt = Time.GetTimestamp();

    /// <summary>After a tick: a leader with nothing in flight here, and nothing due soon on its clock, quiets its group.</summary>
    private void MaybeQuiesce(RaftNode node)
    {
        if (_options.QuiesceAfter is not { } after || node.Role != RaftRole.Leader || node.IsQuiescent)
        {
            return;
        }

        if (_proposals.Count > 0 || _reads.Count > 0 || _readsAwaitingApply.Count > 0 || _loop is not null || _gathering is not null)
        {
            return;
        }

        if (Time.GetElapsedTime(_lastRequestAt) < after || LeaderClockDue(node) is { } due && due < QuietClockMinimum)
        {
            return;
        }

        if (node.TryQuiesce())
        {
            RaftLogMessages.Quiesced(_logger, _name, node.Term, node.LastIndex);
        }
    }

    /// <summary>A quiet leader wakes for its clock no sooner than this, so that a clock always due cannot spin it.</summary>
    private static TimeSpan QuietClockMinimum => IRaftLeaderClock.MinInterval;

    /// <summary>Makes the timers and the liveness listing follow the core's quiescence; runs after every step.</summary>
    private void SyncTimers()
    {
        if (_node is not { } node || _failure is not null)
        {
            return;
        }

        if (!node.IsQuiescent)
        {

            _clockTimer?.Dispose();
            _clockTimer = null;
            UnlistQuiet();
            _timer ??= StartTickTimer();
            return;
        }

        _timer?.Dispose();
        _timer = null;
        if (node.Role == RaftRole.Leader)
        {
            UnlistQuiet();
            if (_clockTimer is null && LeaderClockDue(node) is { } due)
            {
                _clockTimer = this.RegisterGrainTimer(
                    OnClockDue,
                    new GrainTimerCreationOptions { DueTime = due < QuietClockMinimum ? QuietClockMinimum : due, Period = Timeout.InfiniteTimeSpan, Interleave = true });
            }
        }
        else if (_quietLeader is { } leader && leader.Term == node.Term && leader.Leader == node.Leader)
        {
            _quietFollowers.List(_name, leader.Silo);
        }
        else
        {
            // Quiet under a leader whose silo this member does not know: nothing would wake it if that silo died. Waking
            // tells the leader, whose next Quiesce names its silo; a leader that is gone is replaced.
            RaftLogMessages.QuietWithoutLeaderSilo(_logger, _name, node.Term, node.Leader);
            node.Wake();
            SyncTimers();
        }
    }

    private Task OnClockDue(CancellationToken cancellationToken)
    {
        _clockTimer?.Dispose();
        _clockTimer = null;
        if (_node is { } node && _failure is null)
        {
            // Proposing wakes the group; with nothing to propose after all, SyncTimers sets the next wake-up.
            TickLeaderClock(node, proposing: false);
            Kick();
        }

        return Task.CompletedTask;
    }

    private IGrainTimer StartTickTimer() => this.RegisterGrainTimer(
        OnTick,
        new GrainTimerCreationOptions { DueTime = _options.TickInterval, Period = _options.TickInterval, Interleave = true, KeepAlive = true });

    private void UnlistQuiet()
    {
        if (_quietLeader is not null)
        {
            _quietFollowers.Unlist(_name);
            _quietLeader = null;
        }
    }

    private void StopTimers()
    {
        _timer?.Dispose();
        _timer = null;
        _clockTimer?.Dispose();
        _clockTimer = null;
        _quietFollowers.Unlist(_name);
        _quietLeader = null;
    }

    /// <summary>The silo that <see cref="Leader"/> ran on when it quieted its group in <see cref="Term"/>.</summary>
    private sealed record QuietLeader(SiloAddress Silo, ulong Term, ulong Leader);
}
