using OrleansRaft.Core.Tracking;

namespace OrleansRaft.Core;

public sealed partial class RaftNode
{
    private void TickElection()
    {
        _electionElapsed++;
        if (IsPromotable && _electionElapsed >= _randomizedElectionTimeout)
        {
            _electionElapsed = 0;
            Hup(transfer: false);
        }
    }

    private void TickLeader()
    {
        _heartbeatElapsed++;
        _electionElapsed++;
        if (_electionElapsed >= _options.ElectionTicks)
        {
            _electionElapsed = 0;
            if (_options.CheckQuorum)
            {
                if (!_tracker.QuorumActive(Id))
                {
                    // Partitioned from a quorum: a newer leader may exist, so stop serving as leader.
                    BecomeFollower(Term, 0);
                    return;
                }

                foreach (var (id, progress) in _tracker.Progress)
                {
                    if (id != Id)
                    {
                        progress.RecentActive = false;
                    }
                }
            }

            // A transfer that did not finish within an election timeout is abandoned.
            _leadTransferee = 0;
            MaybeHandOverAfterRemoval();
            if (Role != RaftRole.Leader)
            {
                return;
            }
        }

        if (_heartbeatElapsed >= _options.HeartbeatTicks)
        {
            _heartbeatElapsed = 0;
            BroadcastHeartbeat();
        }
    }

    private void Hup(bool transfer)
    {
        if (Role == RaftRole.Leader || !IsPromotable)
        {
            return;
        }

        StartElection(preVote: _options.PreVote && !transfer, transfer);
    }

    private void StartElection(bool preVote, bool transfer)
    {
        ulong term;
        MessageType type;
        if (preVote)
        {
            BecomePreCandidate();
            term = Term + 1;
            type = MessageType.PreVote;
        }
        else
        {
            BecomeCandidate();
            term = Term;
            type = MessageType.Vote;
        }

        _tracker.RecordVote(Id, true);
        if (_tracker.TallyVotes() == VoteResult.Won)
        {
            // A group of one.
            if (preVote)
            {
                StartElection(preVote: false, transfer);
            }
            else
            {
                BecomeLeader();
            }

            return;
        }

        foreach (var voter in _tracker.Configuration.Voters)
        {
            if (voter == Id)
            {
                continue;
            }

            Send(new Message
            {
                Type = type,
                From = Id,
                To = voter,
                Term = term,
                Index = _log.LastIndex,
                LogTerm = _log.LastTerm,
                Context = transfer ? TransferContext : 0,
            });
        }
    }

    private void HandleVoteRequest(Message request)
    {
        // We may vote for a candidate we already voted for (a retry), or for anyone if we have neither voted nor
        // know a leader in this term. A pre-vote for a later term is granted on the log alone.
        var canVote = Vote == request.From ||
                      (Vote == 0 && Leader == 0) ||
                      (request.Type == MessageType.PreVote && request.Term > Term) ||
                      (_options.InjectedBugs & InjectedBugs.VoteTwiceInTerm) != 0;
        if (canVote && _log.IsUpToDate(request.Index, request.LogTerm))
        {
            Send(new Message { Type = request.Type.ResponseType(), From = Id, To = request.From, Term = request.Term });
            if (request.Type == MessageType.Vote)
            {
                _electionElapsed = 0;
                Vote = request.From;
            }
        }
        else
        {
            Send(new Message { Type = request.Type.ResponseType(), From = Id, To = request.From, Term = Term, Reject = true });
        }
    }

    private void Reset(ulong term)
    {
        if (Term != term)
        {
            Term = term;
            Vote = 0;
        }

        Leader = 0;
        IsQuiescent = false;
        _electionElapsed = 0;
        _heartbeatElapsed = 0;
        ResetRandomizedElectionTimeout();
        _leadTransferee = 0;
        _handingOverAfterRemoval = false;
        _tracker.ResetVotes();
        _tracker.ResetProgress(_log.LastIndex + 1);
        _uncommittedSize = 0;
        _broadcastPending = false;
        DropPendingReads();
    }

    private void BecomeFollower(ulong term, ulong leader)
    {
        Reset(term);
        Leader = leader;
        Role = RaftRole.Follower;
    }

    private void BecomePreCandidate()
    {
        if (Role == RaftRole.Leader)
        {
            throw new InvalidOperationException("A leader cannot become a pre-candidate.");
        }

        // Neither the term nor the vote changes: a pre-vote that fails leaves no trace.
        _tracker.ResetVotes();
        Leader = 0;
        Role = RaftRole.PreCandidate;
    }

    private void BecomeCandidate()
    {
        if (Role == RaftRole.Leader)
        {
            throw new InvalidOperationException("A leader cannot become a candidate.");
        }

        Reset(Term + 1);
        Vote = Id;
        Role = RaftRole.Candidate;
    }

    private void BecomeLeader()
    {
        if (Role == RaftRole.Follower)
        {
            throw new InvalidOperationException("A follower cannot become leader without an election.");
        }

        Reset(Term);
        Leader = Id;
        Role = RaftRole.Leader;

        // Only what precedes the unstable log is durable here; the rest counts once Advance confirms it.
        // A candidate is a voter of the configuration in force, so it tracks its own progress.
        var self = _tracker.Progress[Id];
        self.BecomeReplicate();
        self.Match = _log.Unstable.Offset - 1;
        self.Next = _log.LastIndex + 1;

        // An entry of our own term: committing it commits everything before it (§5.4.2), ReadIndex waits for it
        // (§6.4), and so does the next configuration change (the erratum to the thesis §4.3).
        _log.Append([new Entry(Term, _log.LastIndex + 1, EntryType.Normal, ReadOnlyMemory<byte>.Empty)]);
        self.Next = _log.LastIndex + 1;
        _broadcastPending = true;
    }
}
