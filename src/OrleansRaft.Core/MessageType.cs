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
