namespace OrleansRaft.Core;

/// <summary>Settings of one member. Call <see cref="Validate"/> (the node does) to reject nonsense up front.</summary>
public sealed class RaftOptions
{
    /// <summary>This member's id; never 0.</summary>
    public ulong Id { get; set; }

    /// <summary>
    /// Ticks without hearing from a leader before a follower campaigns. The actual timeout is drawn at random
    /// from [ElectionTicks, 2*ElectionTicks) each time it is reset, so that split votes resolve.
    /// </summary>
    public int ElectionTicks { get; set; } = 10;

    /// <summary>Ticks between a leader's heartbeats; must be shorter than <see cref="ElectionTicks"/>.</summary>
    public int HeartbeatTicks { get; set; } = 1;

    /// <summary>Pre-vote (thesis §9.6): a member rejoining from a partition does not disrupt the leader.</summary>
    public bool PreVote { get; set; } = true;

    /// <summary>
    /// A leader that hears from no quorum within an election timeout steps down; followers that heard from
    /// a leader within the election timeout ignore vote requests (leader stickiness).
    /// </summary>
    public bool CheckQuorum { get; set; } = true;

    /// <summary>The byte bound of the entries in one append message (at least one entry is always sent).</summary>
    public ulong MaxSizePerMessage { get; set; } = 1024 * 1024;

    /// <summary>The most append messages in flight to one follower in the replicate state.</summary>
    public int MaxInflightMessages { get; set; } = 256;

    /// <summary>
    /// The bound on the bytes of proposed but not yet committed entries; proposals beyond it are refused with
    /// <see cref="ProposeStatus.UncommittedLimitExceeded"/>. 0 means no bound.
    /// </summary>
    public ulong MaxUncommittedEntriesSize { get; set; } = 64 * 1024 * 1024;

    /// <summary>The byte bound of committed entries handed out in one <see cref="Ready"/>. At least one entry is always handed out.</summary>
    public ulong MaxCommittedSizePerReady { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// How many entries a learner may lag behind the leader's commit index and still be promoted to voter. A voter
    /// that lags far behind stalls commits until it catches up, so promotion waits for the learner to close the gap.
    /// </summary>
    public ulong MaxPromotionLag { get; set; } = 1024;

    /// <summary>The last index the application had applied when this member restarted (from its snapshot).</summary>
    public ulong Applied { get; set; }

    /// <summary>The random source for election timeouts. Seed it for runs that replay exactly.</summary>
    public Random Random { get; set; } = new();

    /// <summary>Deliberate protocol bugs, for proving that the simulator catches them. Never set outside tests.</summary>
    internal InjectedBugs InjectedBugs { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that makes no sense.</summary>
    public void Validate()
    {
        if (Id == 0)
        {
            throw new ArgumentException("RaftOptions.Id must not be 0: 0 means 'no member'.");
        }

        if (HeartbeatTicks <= 0)
        {
            throw new ArgumentException($"RaftOptions.HeartbeatTicks must be positive, not {HeartbeatTicks}.");
        }

        if (ElectionTicks <= HeartbeatTicks)
        {
            throw new ArgumentException(
                $"RaftOptions.ElectionTicks ({ElectionTicks}) must be greater than HeartbeatTicks ({HeartbeatTicks}): " +
                "a leader must be able to send a heartbeat before its followers time out.");
        }

        if (ElectionTicks > int.MaxValue / 2)
        {
            throw new ArgumentException(
                $"RaftOptions.ElectionTicks ({ElectionTicks}) must be at most {int.MaxValue / 2}: " +
                "election timeouts are drawn from [ElectionTicks, 2*ElectionTicks), which must not overflow.");
        }

        if (MaxInflightMessages <= 0)
        {
            throw new ArgumentException($"RaftOptions.MaxInflightMessages must be positive, not {MaxInflightMessages}.");
        }

        if (MaxSizePerMessage == 0)
        {
            throw new ArgumentException("RaftOptions.MaxSizePerMessage must be positive.");
        }

        if (MaxCommittedSizePerReady == 0)
        {
            throw new ArgumentException("RaftOptions.MaxCommittedSizePerReady must be positive.");
        }

        ArgumentNullException.ThrowIfNull(Random, "RaftOptions.Random");
    }
}

/// <summary>Known protocol bugs that a test can switch on to show that the simulator detects them.</summary>
[Flags]
internal enum InjectedBugs
{
    None = 0,

    /// <summary>A member grants its vote to any candidate with an up-to-date log, even if it already voted in this term.</summary>
    VoteTwiceInTerm = 1,

    /// <summary>A leader commits an entry of an older term by counting its replicas (the Figure 8 scenario).</summary>
    CommitOldTermByCounting = 2,

    /// <summary>
    /// A leader appends a configuration change while an earlier one is uncommitted, or before an entry of its own
    /// term has committed: two changes in flight can let two disjoint majorities form.
    /// </summary>
    OverlappingConfigurationChanges = 4,
}
