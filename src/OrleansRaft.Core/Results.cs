namespace OrleansRaft.Core;

/// <summary>What became of a proposal or a read request.</summary>
public enum ProposeStatus
{
    /// <summary>Appended to the leader's log; it commits unless leadership is lost before it replicates.</summary>
    Accepted,

    /// <summary>This member is not the leader; <see cref="ProposeResult.LeaderHint"/> names the leader if known.</summary>
    NotLeader,

    /// <summary>The leader is handing over leadership and refuses new work until that ends.</summary>
    LeadershipTransferInProgress,

    /// <summary>Too many bytes are proposed but not yet committed (<see cref="RaftOptions.MaxUncommittedEntriesSize"/>).</summary>
    UncommittedLimitExceeded,

    /// <summary>A single proposal larger than <see cref="RaftOptions.MaxUncommittedEntriesSize"/> could never be accepted.</summary>
    TooLarge,
}

/// <summary>
/// The outcome of <see cref="RaftNode.Propose"/>. When accepted, the entry sits at <see cref="Index"/> in
/// <see cref="Term"/>; it is this proposal's entry exactly when a committed entry has that index and term.
/// </summary>
public readonly record struct ProposeResult(ProposeStatus Status, ulong Index, ulong Term, ulong LeaderHint)
{
    public bool IsAccepted => Status == ProposeStatus.Accepted;
}
