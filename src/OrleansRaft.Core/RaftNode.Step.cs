using OrleansRaft.Core.Tracking;

namespace OrleansRaft.Core;

public sealed partial class RaftNode
{
    /// <summary>
    /// Handles one message from another member. Messages may arrive lost, duplicated, delayed or reordered;
    /// the protocol tolerates all of it.
    /// </summary>
    public void Step(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.To != Id)
        {
            throw new ArgumentException($"Member {Id} was handed a message addressed to {message.To}: {message}.", nameof(message));
        }

        if (!KeepsQuiet(message))
        {
            Unquiesce();
        }

        if (message.Term > Term)
        {
            if (message.Type is MessageType.Vote or MessageType.PreVote)
            {
                // Leader stickiness: while we hear from a live leader, ignore candidates that would depose it,
                // unless the leader itself asked for the election by transferring leadership.
                var transfer = message.Context == TransferContext;
                var inLease = _options.CheckQuorum && Leader != 0 && _electionElapsed < _options.ElectionTicks;
                if (!transfer && inLease)
                {
                    return;
                }
            }

            switch (message.Type)
            {
                case MessageType.PreVote:
                    // A pre-vote never changes our term.
                    break;
                case MessageType.PreVoteResponse when !message.Reject:
                    // The term is raised when the pre-vote wins and the real campaign starts.
                    break;
                case MessageType.Append or MessageType.Heartbeat or MessageType.Quiesce or MessageType.InstallSnapshot:
                    BecomeFollower(message.Term, message.From);
                    break;
                default:
                    BecomeFollower(message.Term, 0);
                    break;
            }
        }
        else if (message.Term < Term)
        {
            if ((_options.CheckQuorum || _options.PreVote) && message.Type is MessageType.Append or MessageType.Heartbeat or MessageType.Quiesce)
            {
                // A stale leader, perhaps back from a partition: tell it our term so that it steps down.
                // Without this, with pre-vote on, it could keep the rest of the group from ever re-electing it out.
                Send(new Message { Type = MessageType.AppendResponse, From = Id, To = message.From, Term = Term });
            }
            else if (message.Type is MessageType.PreVote or MessageType.Vote)
            {
                // Tell a candidate of an older term ours (§5.1), so that it can campaign in a term we would vote in.
                // Candidates usually learn a newer term from the newer candidate's own requests; but after a membership
                // change a lagging member may campaign in an older configuration that leaves out the candidate that
                // could win, and neither would ever hear of the other's term.
                Send(new Message { Type = message.Type.ResponseType(), From = Id, To = message.From, Term = Term, Reject = true });
            }

            return;
        }

        if (message.Type is MessageType.Vote or MessageType.PreVote)
        {
            HandleVoteRequest(message);
            return;
        }

        switch (Role)
        {
            case RaftRole.Leader:
                StepLeader(message);
                MaybeHandOverAfterRemoval();
                break;
            case RaftRole.Candidate or RaftRole.PreCandidate:
                StepCandidate(message);
                break;
            default:
                StepFollower(message);
                break;
        }
    }

    private void StepFollower(Message message)
    {
        switch (message.Type)
        {
            case MessageType.Append:
                _electionElapsed = 0;
                Leader = message.From;
                HandleAppend(message);
                break;
            case MessageType.Heartbeat:
                _electionElapsed = 0;
                Leader = message.From;
                HandleHeartbeat(message);
                break;
            case MessageType.Quiesce:
                _electionElapsed = 0;
                Leader = message.From;
                HandleQuiesce(message);
                break;
            case MessageType.InstallSnapshot:
                _electionElapsed = 0;
                Leader = message.From;
                HandleSnapshot(message);
                break;
            case MessageType.TimeoutNow:
                // The leader hands over to us: campaign at once, without pre-vote, overriding leader stickiness.
                Hup(transfer: true);
                break;
        }
    }

    private void StepCandidate(Message message)
    {
        var expected = Role == RaftRole.PreCandidate ? MessageType.PreVoteResponse : MessageType.VoteResponse;
        switch (message.Type)
        {
            case MessageType.Append:
                BecomeFollower(message.Term, message.From);
                HandleAppend(message);
                break;
            case MessageType.Heartbeat:
                BecomeFollower(message.Term, message.From);
                HandleHeartbeat(message);
                break;
            case MessageType.Quiesce:
                BecomeFollower(message.Term, message.From);
                HandleQuiesce(message);
                break;
            case MessageType.InstallSnapshot:
                BecomeFollower(message.Term, message.From);
                HandleSnapshot(message);
                break;
            case var type when type == expected:
                _tracker.RecordVote(message.From, !message.Reject);
                switch (_tracker.TallyVotes())
                {
                    case VoteResult.Won when Role == RaftRole.PreCandidate:
                        StartElection(preVote: false, transfer: false);
                        break;
                    case VoteResult.Won:
                        BecomeLeader();
                        break;
                    case VoteResult.Lost:
                        // A pre-candidate's term may be below the message's; it keeps its own.
                        BecomeFollower(Term, 0);
                        break;
                }

                break;
        }
    }

    private void StepLeader(Message message)
    {
        if (!_tracker.Progress.TryGetValue(message.From, out var progress))
        {
            return;
        }

        switch (message.Type)
        {
            case MessageType.AppendResponse:
                progress.RecentActive = true;
                HandleAppendResponse(message, progress);
                break;
            case MessageType.HeartbeatResponse:
                progress.RecentActive = true;
                HandleHeartbeatResponse(message, progress);
                break;
        }
    }
}
