using OrleansRaft.Core.Tracking;

namespace OrleansRaft.Core;

/// <summary>
/// Quiescence: an idle group stops its clocks, so that it sends no heartbeats and counts toward no election.
/// </summary>
/// <remarks>
/// <para>A leader goes quiet (<see cref="TryQuiesce"/>) only when nothing is in flight: everything it holds is
/// committed, applied, durable on itself and acknowledged by every member of the configuration, and no read,
/// transfer or membership change waits. It sends every member a <see cref="MessageType.Quiesce"/> that carries its
/// last index; a follower that holds exactly that log and has it committed goes quiet too, and does not answer.</para>
/// <para>While quiet, <see cref="Tick"/> does nothing. Any message but a Quiesce, and any request (a proposal, a read, a
/// transfer, a membership change), wakes the member; a leader that wakes heartbeats at once, so its followers wake too.
/// A follower woken by its host (<see cref="Wake"/>) tells its leader.</para>
/// <para>Quiescence touches no term, vote, log or commit index, so safety does not depend on it; liveness does.
/// A quiet group cannot notice by itself that its leader died: the host must call <see cref="Wake"/> with
/// <c>leaderSuspected</c> on the followers when it learns that the leader's process is gone (in Orleans, from
/// silo liveness), and they elect as usual. A follower that missed the Quiesce keeps its clock, campaigns after an
/// election timeout, and its vote request wakes the group.</para>
/// </remarks>
public sealed partial class RaftNode
{
    /// <summary>True while this member's clock is stopped (see the type's remarks).</summary>
    public bool IsQuiescent { get; private set; }

    /// <summary>
    /// The heartbeat round of the Quiesce this member sent (as leader) or took (as follower): heartbeats and their
    /// answers of that round or earlier were in flight when the group went quiet, and do not wake it.
    /// </summary>
    private ulong _quiescedRound;

    /// <summary>
    /// On a leader whose group is idle, stops the clocks of the whole group: sends every member a Quiesce and goes
    /// quiet. Returns true if this member is quiet afterwards.
    /// </summary>
    public bool TryQuiesce()
    {
        if (IsQuiescent)
        {
            return true;
        }

        if (!CanQuiesce())
        {
            return false;
        }

        foreach (var (id, _) in _tracker.Progress)
        {
            if (id != Id)
            {
                Send(new Message { Type = MessageType.Quiesce, From = Id, To = id, Term = Term, Index = _log.LastIndex, Commit = _log.Committed, Context = _readRound });
            }
        }

        IsQuiescent = true;
        _quiescedRound = _readRound;
        return true;
    }

    /// <summary>
    /// Starts this member's clock again. A quiet follower that knows its leader tells it, so that heartbeats resume.
    /// With <paramref name="leaderSuspected"/> (the host suspects that the leader's process is gone) a follower also
    /// stops deferring to that leader: unless the leader answers first, it campaigns within the random part of its
    /// election timeout, and grants votes at once.
    /// </summary>
    public void Wake(bool leaderSuspected = false)
    {
        var wasQuiescent = IsQuiescent;
        Unquiesce();
        if (Role == RaftRole.Leader)
        {
            return;
        }

        if (leaderSuspected)
        {
            // The randomized timeout is at least ElectionTicks: the election comes within its random part, so that
            // members woken together still spread their campaigns.
            _electionElapsed = Math.Max(_electionElapsed, _options.ElectionTicks);
        }

        if (wasQuiescent && Leader != 0)
        {
            // A leader that is alive after all answers with a heartbeat, well within that random part, and the
            // follower defers to it again.
            Send(new Message { Type = MessageType.Wake, From = Id, To = Leader, Term = Term });
        }
    }

    private bool CanQuiesce()
    {
        if (Role != RaftRole.Leader || _leadTransferee != 0 || _handingOverAfterRemoval || _outstanding is not null)
        {
            return false;
        }

        var last = _log.LastIndex;
        if (_log.Committed != last || _log.Applied != last || !CommittedInCurrentTerm || _log.Unstable.HasNextEntries)
        {
            return false;
        }

        if (_pendingReads.Count > 0 || _readsAwaitingTermCommit.Count > 0 || _readRoundOpen || _readStates.Count > 0 || _broadcastPending)
        {
            return false;
        }

        if (_log.Configurations.LastChangeIndex > _log.Committed)
        {
            return false;
        }

        // Every member, including one that is down: a member left behind would stay behind while the group is quiet.
        // A leader that removed itself has no progress of its own and is handing over, which is excluded above.
        foreach (var (_, progress) in _tracker.Progress)
        {
            if (progress.Match != last || progress.State != ReplicationState.Replicate)
            {
                return false;
            }
        }

        return true;
    }

    private void Unquiesce()
    {
        if (!IsQuiescent)
        {
            return;
        }

        IsQuiescent = false;
        if (Role == RaftRole.Leader)
        {
            // A fresh check-quorum window: nobody answered a Quiesce, so the activity flags say nothing about now.
            _electionElapsed = 0;
            _heartbeatElapsed = 0;
            foreach (var (id, progress) in _tracker.Progress)
            {
                if (id != Id)
                {
                    progress.RecentActive = false;
                }
            }

            // A round of its own, so that followers tell these heartbeats from those sent before the group went quiet.
            _readRound++;
            BroadcastHeartbeat();
        }
    }

    /// <summary>
    /// True for a message a quiet member takes without waking: the Quiesce itself, and what was in flight when the group
    /// went quiet (the leader's earlier heartbeats, its followers' answers to them, acknowledgements of what a
    /// follower already holds). Any other message means something happened, and wakes the member.
    /// </summary>
    private bool KeepsQuiet(Message message)
    {
        if (message.Type == MessageType.Quiesce)
        {
            return true;
        }

        if (!IsQuiescent || message.Term != Term)
        {
            return false;
        }

        if (Role == RaftRole.Leader)
        {
            return _tracker.Progress.TryGetValue(message.From, out var progress) && progress.Match == _log.LastIndex && message.Type switch
            {
                MessageType.HeartbeatResponse => message.Context <= _quiescedRound,
                MessageType.AppendResponse => !message.Reject && message.Index <= progress.Match,
                _ => false,
            };
        }

        return message.Type == MessageType.Heartbeat && message.From == Leader && message.Context <= _quiescedRound;
    }

    /// <summary>A follower (or a candidate, which the message has just made a follower) takes a leader's Quiesce.</summary>
    private void HandleQuiesce(Message message)
    {
        _log.CommitTo(Math.Min(message.Commit, _log.LastIndex));
        if (_log.LastIndex == message.Index && _log.Committed == message.Index && !_log.Unstable.HasNextEntries)
        {
            IsQuiescent = true;
            _quiescedRound = message.Context;
            return;
        }

        // Behind or ahead of the leader's log: answer as to a heartbeat, which wakes the leader to catch us up.
        IsQuiescent = false;
        Send(new Message { Type = MessageType.HeartbeatResponse, From = Id, To = message.From, Term = Term, Context = message.Context });
    }
}
