namespace OrleansRaft.Core;

/// <summary>
/// A message between members. One shape serves every <see cref="MessageType"/>; fields a type does not
/// use stay at their defaults. Messages are immutable once built, so a transport may share them.
/// </summary>
public sealed record Message
{
    public required MessageType Type { get; init; }

    public required ulong From { get; init; }

    public required ulong To { get; init; }

    /// <summary>The sender's term, or for a pre-vote the term the sender would campaign in.</summary>
    public ulong Term { get; init; }

    /// <summary>Append: index of the entry before <see cref="Entries"/>. Vote: candidate's last index. AppendResponse: the acknowledged or rejected index.</summary>
    public ulong Index { get; init; }

    /// <summary>Append: term of the entry at <see cref="Index"/>. Vote: candidate's last term. Rejected AppendResponse: term at <see cref="RejectHint"/>.</summary>
    public ulong LogTerm { get; init; }

    public Entry[] Entries { get; init; } = [];

    public ulong Commit { get; init; }

    public bool Reject { get; init; }

    /// <summary>Rejected AppendResponse: the highest index at which the follower's log might match (fast backtracking).</summary>
    public ulong RejectHint { get; init; }

    public Snapshot? Snapshot { get; init; }

    /// <summary>Heartbeat and its response: the ReadIndex round being confirmed. Vote: 1 when the vote is a leadership transfer.</summary>
    public ulong Context { get; init; }

    public override string ToString()
    {
        var text = $"{From}->{To} {Type} term={Term}";
        text += Type switch
        {
            MessageType.Append => $" prev={LogTerm}/{Index} commit={Commit} entries=[{string.Join(" ", Entries.Select(e => e.ToString()))}]",
            MessageType.AppendResponse => Reject ? $" reject index={Index} hint={LogTerm}/{RejectHint}" : $" index={Index}",
            MessageType.Vote or MessageType.PreVote => $" last={LogTerm}/{Index}" + (Context != 0 ? " transfer" : ""),
            MessageType.VoteResponse or MessageType.PreVoteResponse => Reject ? " reject" : " grant",
            MessageType.Heartbeat => $" commit={Commit} round={Context}",
            MessageType.Quiesce => $" last={Index} commit={Commit}",
            MessageType.HeartbeatResponse => $" round={Context}",
            MessageType.InstallSnapshot => $" snapshot={Snapshot?.Term}/{Snapshot?.Index}",
            _ => "",
        };
        return text;
    }
}
