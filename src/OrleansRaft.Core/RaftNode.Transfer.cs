namespace OrleansRaft.Core;

/// <summary>The outcome of a <see cref="RaftNode.TransferLeadership"/> request.</summary>
public enum TransferStatus
{
    /// <summary>The target is being caught up and will then be told to campaign.</summary>
    Started,

    /// <summary>The target already leads, or a transfer to it is already under way.</summary>
    AlreadyInProgress,

    NotLeader,

    /// <summary>The target is not a voter of the current configuration.</summary>
    NotAVoter,
}

public sealed partial class RaftNode
{
    /// <summary>
    /// Hands leadership to <paramref name="target"/> (thesis §3.10): stop taking proposals, bring the target's
    /// log up to date, then tell it to campaign at once. A transfer that does not finish within an election
    /// timeout is abandoned.
    /// </summary>
    public TransferStatus TransferLeadership(ulong target)
    {
        Unquiesce();
        if (Role != RaftRole.Leader)
        {
            return TransferStatus.NotLeader;
        }

        if (!_tracker.Configuration.IsVoter(target))
        {
            return TransferStatus.NotAVoter;
        }

        if (target == Id || target == _leadTransferee)
        {
            return TransferStatus.AlreadyInProgress;
        }

        _electionElapsed = 0;
        _leadTransferee = target;
        var progress = _tracker.Progress[target];
        if (progress.Match == _log.LastIndex)
        {
            SendTimeoutNow(target);
        }
        else
        {
            MaybeSendAppend(target, sendIfEmpty: true);
        }

        return TransferStatus.Started;
    }

    private void SendTimeoutNow(ulong to) =>
        Send(new Message { Type = MessageType.TimeoutNow, From = Id, To = to, Term = Term });
}
