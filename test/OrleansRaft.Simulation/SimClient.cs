namespace OrleansRaft.Simulation;

/// <summary>
/// A client of the register service. It has at most one operation outstanding; it sends it to the member it
/// believes leads, follows leader hints, and gives up on an operation after a timeout (its outcome then
/// stays unknown, and the client continues under a fresh identity so that its history stays sequential).
/// </summary>
internal sealed class SimClient(int id)
{
    public int Id { get; set; } = id;

    public ulong LeaderGuess { get; set; }

    public ClientOperation? Current { get; set; }

    /// <summary>When the client next acts: sends its next operation, or retries the current one.</summary>
    public long NextActionAt { get; set; }

    public long Deadline { get; set; }

    /// <summary>True while the current operation is queued at a member and must not be sent again.</summary>
    public bool AwaitingMember { get; set; }
}
