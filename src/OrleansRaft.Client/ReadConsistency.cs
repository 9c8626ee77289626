namespace OrleansRaft.Client;

/// <summary>How fresh a read must be.</summary>
public enum ReadConsistency
{
    /// <summary>
    /// The read sees every write acknowledged before it started: the leader confirms its leadership (ReadIndex)
    /// and answers once its state machine applied that index.
    /// </summary>
    Linearizable = 0,

    /// <summary>
    /// Any member answers from its state machine as it is, without asking the leader: it may miss recent writes.
    /// The answer carries the member's applied index and the store's revision, which bound how stale it is.
    /// Spreads reads across members.
    /// </summary>
    Serializable = 1,
}
