namespace OrleansRaft.Client;

/// <summary>Settings of a <see cref="RaftGroupClient{TCommand, TResult}"/> and a <see cref="RaftCommitFeed"/>.</summary>
public sealed record RaftClientOptions
{
    /// <summary>How long a call may take, retries included, unless the call sets its own timeout.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long one attempt waits for a member before the client tries another. A proposal abandoned this way may
    /// still commit; its retry carries the same session stamp, so it applies once.
    /// </summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The first pause after a round of members that gave no leader; it doubles per round up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(20);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The consistency of queries that do not choose one.</summary>
    public ReadConsistency DefaultReadConsistency { get; init; } = ReadConsistency.Linearizable;

    /// <summary>
    /// Stamp commands with a client session, so that a retried command applies once (Raft thesis §6.3). Without it,
    /// a command retried after a lost answer may apply twice.
    /// </summary>
    public bool UseSessions { get; init; } = true;

    /// <summary>
    /// Most commands of the session from the oldest still unanswered to the newest. Keep it below the group's
    /// <c>RaftSessionLimits.MaxResultsPerSession</c> (256 by default); commands beyond the window wait for it.
    /// </summary>
    public int SessionWindow { get; init; } = 128;

    /// <summary>How long a commit feed's read waits at a member for new entries when it is up to date (at most 20 s).</summary>
    public TimeSpan CommitWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The source of backoff jitter; seed it for a reproducible schedule.</summary>
    public Random Random { get; init; } = Random.Shared;

    internal RaftRetrySettings Retry => new(AttemptTimeout, InitialBackoff, MaxBackoff, Random);

    internal void Validate()
    {
        if (RequestTimeout <= TimeSpan.Zero || AttemptTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"RaftClientOptions: RequestTimeout ({RequestTimeout}) and AttemptTimeout ({AttemptTimeout}) must be positive.");
        }

        if (InitialBackoff <= TimeSpan.Zero || MaxBackoff < InitialBackoff)
        {
            throw new ArgumentException($"RaftClientOptions: InitialBackoff ({InitialBackoff}) must be positive and at most MaxBackoff ({MaxBackoff}).");
        }

        if (SessionWindow < 1)
        {
            throw new ArgumentException($"RaftClientOptions: SessionWindow must be positive, not {SessionWindow}.");
        }

        if (CommitWait < TimeSpan.Zero || CommitWait > Abstractions.IRaftMemberGrain.MaxCommitWait)
        {
            throw new ArgumentException($"RaftClientOptions: CommitWait ({CommitWait}) must be from zero to {Abstractions.IRaftMemberGrain.MaxCommitWait}.");
        }
    }
}

/// <summary>Settings of one call; what is left null comes from <see cref="RaftClientOptions"/>.</summary>
public sealed record RaftCallOptions
{
    /// <summary>How long the call may take, retries included.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>For queries: linearizable (through the leader) or serializable (any member, possibly stale).</summary>
    public ReadConsistency? Consistency { get; init; }

    /// <summary>
    /// For serializable queries: the answering member must have applied this log index (for example that of the
    /// caller's last write, to read its own writes). Members behind it are skipped.
    /// </summary>
    public ulong MinIndex { get; init; }

    /// <summary>
    /// For serializable queries: the longest time the answering member may have gone without hearing from a leader.
    /// Zero accepts only the leader's answer; null sets no bound.
    /// </summary>
    public TimeSpan? MaxLeaderSilence { get; init; }

    public static RaftCallOptions Serializable { get; } = new() { Consistency = ReadConsistency.Serializable };

    public static RaftCallOptions Linearizable { get; } = new() { Consistency = ReadConsistency.Linearizable };
}
