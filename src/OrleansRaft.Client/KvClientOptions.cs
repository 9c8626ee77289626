namespace OrleansRaft.Client;

/// <summary>Settings of a <see cref="KvClient"/>.</summary>
public sealed record KvClientOptions
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

    /// <summary>The consistency of reads that do not choose one.</summary>
    public ReadConsistency DefaultReadConsistency { get; init; } = ReadConsistency.Linearizable;

    /// <summary>
    /// Stamp commands with a client session, so that a retried command applies once (Raft thesis §6.3). Without it,
    /// a command retried after a lost answer may apply twice.
    /// </summary>
    public bool UseSessions { get; init; } = true;

    /// <summary>
    /// Most commands of the session from the oldest still unanswered to the newest. Keep it below the store's
    /// <c>KvLimits.MaxResponsesPerSession</c> (256 by default): the store drops results beyond that bound, and a slow
    /// command whose sequence falls below a dropped one is refused. Commands beyond the window wait for it.
    /// </summary>
    public int SessionWindow { get; init; } = 128;

    /// <summary>
    /// How long a watch that is up to date waits for a commit notification before it polls for new events anyway. The
    /// poll covers lost notifications and subscriptions lost with a member; notifications wake the watch at once.
    /// </summary>
    public TimeSpan WatchPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often a watch renews its subscription to the member that serves it. Keep it well below the silos'
    /// <c>OrleansRaftOptions.ObserverExpiration</c> (5 minutes by default): a member drops a subscription not renewed
    /// within that time.
    /// </summary>
    public TimeSpan WatchSubscriptionRenewal { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The user the client calls as, while the group's auth is enabled (etcd's users and roles): the client
    /// authenticates through a silo (<see cref="IKvAuthGrain"/>) when it first needs a token and again when the token
    /// expires or is refused, and every request carries the token. Null calls as nobody, which the store refuses while
    /// auth is enabled (<c>UserEmpty</c>).
    /// </summary>
    public KvUserCredentials? Credentials { get; init; }

    /// <summary>The source of backoff jitter; seed it for a reproducible schedule.</summary>
    public Random Random { get; init; } = Random.Shared;

    internal void Validate()
    {
        if (RequestTimeout <= TimeSpan.Zero || AttemptTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"KvClientOptions: RequestTimeout ({RequestTimeout}) and AttemptTimeout ({AttemptTimeout}) must be positive.");
        }

        if (SessionWindow < 1)
        {
            throw new ArgumentException($"KvClientOptions: SessionWindow must be positive, not {SessionWindow}.");
        }

        if (WatchPollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"KvClientOptions: WatchPollInterval ({WatchPollInterval}) must be positive.");
        }

        if (WatchSubscriptionRenewal <= TimeSpan.Zero)
        {
            throw new ArgumentException($"KvClientOptions: WatchSubscriptionRenewal ({WatchSubscriptionRenewal}) must be positive.");
        }

        if (InitialBackoff <= TimeSpan.Zero || MaxBackoff < InitialBackoff)
        {
            throw new ArgumentException($"KvClientOptions: InitialBackoff ({InitialBackoff}) must be positive and at most MaxBackoff ({MaxBackoff}).");
        }
    }
}

/// <summary>Settings of one call; what is left null comes from <see cref="KvClientOptions"/>.</summary>
public sealed record KvCallOptions
{
    /// <summary>How long the call may take, retries included.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>For reads: how fresh the answer must be.</summary>
    public ReadConsistency? Consistency { get; init; }

    /// <summary>
    /// For serializable reads: the answer must come from a store at this revision or later (for example the revision
    /// of the caller's last write, to read its own writes). Members that lag behind it are skipped; the call times out
    /// when none catches up in time. Linearizable reads always satisfy it.
    /// </summary>
    public long MinRevision { get; init; }

    /// <summary>
    /// For serializable reads: the longest time the answering member may have gone without hearing from a leader.
    /// Members silent for longer (a partitioned follower, one that heard from no leader yet) are skipped; the call
    /// times out when none meets the bound in time. Zero accepts only the leader's answer. Null sets no bound;
    /// linearizable reads always satisfy it.
    /// </summary>
    public TimeSpan? MaxLeaderSilence { get; init; }

    /// <summary>
    /// For serializable reads: the Raft member to ask first, such as the one on the caller's own silo, which answers
    /// without a hop to another silo; 0 lets the client choose. A member that cannot serve the read (behind
    /// <see cref="MinRevision"/>, silent too long, gone) is passed over as any other would be.
    /// </summary>
    public ulong PreferredMember { get; init; }

    public static KvCallOptions Serializable { get; } = new() { Consistency = ReadConsistency.Serializable };

    public static KvCallOptions Linearizable { get; } = new() { Consistency = ReadConsistency.Linearizable };
}
