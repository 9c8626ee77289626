namespace OrleansRaft.Core;

/// <summary>The outcome of a <see cref="RaftNode.ReadIndex"/> request.</summary>
public enum ReadIndexStatus
{
    /// <summary>The read will appear in a later <see cref="Ready.ReadStates"/> once leadership is confirmed.</summary>
    Pending,

    /// <summary>Only the leader serves linearizable reads.</summary>
    NotLeader,
}

public sealed partial class RaftNode
{
    /// <summary>A read waiting for a quorum to confirm heartbeat round <see cref="Round"/>.</summary>
    private readonly record struct PendingRead(ulong RequestId, ulong Index, ulong Round);

    private readonly Queue<PendingRead> _pendingReads = new();
    private readonly List<ulong> _readsAwaitingTermCommit = [];

    /// <summary>Heartbeat rounds, increasing for the life of the member; each round confirms the reads registered before it.</summary>
    private ulong _readRound;

    /// <summary>A round was opened by a read and its heartbeats have not gone out yet.</summary>
    private bool _readRoundOpen;

    /// <summary>
    /// Asks for a linearizable read (Raft thesis §6.4). Once a quorum confirms that this member is still the
    /// leader, a <see cref="ReadState"/> with <paramref name="requestId"/> gives the index the state machine must
    /// have applied before the read is served. Reads made before the next Ready share one heartbeat round.
    /// If leadership is lost first, the request is dropped: the host times it out.
    /// </summary>
    public ReadIndexStatus ReadIndex(ulong requestId)
    {
        Unquiesce();
        if (Role != RaftRole.Leader)
        {
            return ReadIndexStatus.NotLeader;
        }

        if (IsSoleVoter)
        {
            // A group of one: nobody else could have become leader.
            if (CommittedInCurrentTerm)
            {
                _readStates.Add(new ReadState(requestId, _log.Committed));
            }
            else
            {
                _readsAwaitingTermCommit.Add(requestId);
            }

            return ReadIndexStatus.Pending;
        }

        if (!CommittedInCurrentTerm)
        {
            // Until an entry of our term commits we may not know the latest commit index (§6.4 step 1).
            _readsAwaitingTermCommit.Add(requestId);
            return ReadIndexStatus.Pending;
        }

        RegisterRead(requestId);
        return ReadIndexStatus.Pending;
    }

    /// <summary>This member is the only voter: nobody else could become leader, so its commit index is current.</summary>
    private bool IsSoleVoter => _tracker.Configuration.Voters is [var only] && only == Id;

    private bool CommittedInCurrentTerm => _log.TermOrZero(_log.Committed) == Term;

    private void RegisterRead(ulong requestId)
    {
        if (!_readRoundOpen)
        {
            _readRound++;
            _readRoundOpen = true;
        }

        _pendingReads.Enqueue(new PendingRead(requestId, _log.Committed, _readRound));
    }

    private void OnCommitAdvanced()
    {
        if (_readsAwaitingTermCommit.Count == 0 || !CommittedInCurrentTerm)
        {
            return;
        }

        foreach (var requestId in _readsAwaitingTermCommit)
        {
            if (IsSoleVoter)
            {
                _readStates.Add(new ReadState(requestId, _log.Committed));
            }
            else
            {
                RegisterRead(requestId);
            }
        }

        _readsAwaitingTermCommit.Clear();
    }

    private void ReleaseConfirmedReads()
    {
        var confirmed = _tracker.QuorumReadRound();
        while (_pendingReads.Count > 0 && _pendingReads.Peek().Round <= confirmed)
        {
            var read = _pendingReads.Dequeue();
            _readStates.Add(new ReadState(read.RequestId, read.Index));
        }
    }

    private void DropPendingReads()
    {
        _pendingReads.Clear();
        _readsAwaitingTermCommit.Clear();
        _readRoundOpen = false;
    }
}
