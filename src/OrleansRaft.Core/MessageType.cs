namespace OrleansRaft.Core;

/// <summary>The kinds of message members exchange.</summary>
public enum MessageType : byte
{
    /// <summary>Append entries (AppendEntries RPC); with no entries it still carries the commit index.</summary>
    Append,
    AppendResponse,
    /// <summary>RequestVote RPC.</summary>
    Vote,
    VoteResponse,
    /// <summary>A pre-vote (Raft thesis §9.6): a vote request that changes nobody's term.</summary>
    PreVote,
    PreVoteResponse,
    /// <summary>Leader liveness and commit propagation; its Context confirms ReadIndex rounds.</summary>
    Heartbeat,
    HeartbeatResponse,
    /// <summary>InstallSnapshot RPC: the whole snapshot in one message.</summary>
    InstallSnapshot,
    /// <summary>Sent by a leader that transfers leadership: the receiver campaigns at once.</summary>
    TimeoutNow,
    /// <summary>
    /// A leader's last heartbeat before its group goes quiet: it carries the commit index, which equals the leader's
    /// last index in <see cref="Message.Index"/>. A follower holding exactly that log stops its clock and does not
    /// answer; any other follower takes it as a heartbeat.
    /// </summary>
    Quiesce,
    /// <summary>Sent by a follower that woke up to its quiet leader, so that the leader's heartbeats resume.</summary>
    Wake,
}

/// <summary>True for the message types that ask for or grant a vote.</summary>
internal static class MessageTypeExtensions
{
    public static MessageType ResponseType(this MessageType type) => type switch
    {
        MessageType.Vote => MessageType.VoteResponse,
        MessageType.PreVote => MessageType.PreVoteResponse,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Only vote requests have a vote response type."),
    };
}
