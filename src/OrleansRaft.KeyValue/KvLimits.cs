namespace OrleansRaft.KeyValue;

/// <summary>
/// Every bound the state machine enforces, in one place. A request beyond a bound is refused with the
/// <see cref="KvErrorCode"/> named on the bound, before it changes anything. All members of a group must use equal
/// limits: a limit decides whether a command applies, so members with different limits would diverge.
/// </summary>
public sealed record KvLimits
{
    /// <summary>The limits the state machine uses unless told otherwise.</summary>
    public static KvLimits Default { get; } = new();

    /// <summary>Largest key, and largest range end, in bytes (<see cref="KvErrorCode.KeyTooLarge"/>).</summary>
    public int MaxKeyBytes { get; init; } = 8 * 1024;

    /// <summary>Largest value, in bytes (<see cref="KvErrorCode.ValueTooLarge"/>).</summary>
    public int MaxValueBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// Largest encoded command, and largest sum of the keys, range ends and values one request carries, in bytes
    /// (<see cref="KvErrorCode.RequestTooLarge"/>). etcd's default request bound is the same 1.5 MiB.
    /// </summary>
    public int MaxRequestBytes { get; init; } = 1536 * 1024;

    /// <summary>
    /// Most compares, most success operations and most failure operations of one transaction, each counted on its
    /// own as etcd does; a nested transaction counts as one operation of its parent and has bounds of its own
    /// (<see cref="KvErrorCode.TooManyOperations"/>).
    /// </summary>
    public int MaxTxnOperations { get; init; } = 128;

    /// <summary>Deepest nesting of transactions; a transaction that holds none has depth 1 (<see cref="KvErrorCode.TxnTooDeep"/>).</summary>
    public int MaxTxnDepth { get; init; } = 8;

    /// <summary>
    /// Most key-values one range, directory listing or event query returns. A request for more (or for no limit)
    /// gets this many and <c>More = true</c>; it is a page bound, not an error.
    /// </summary>
    public int MaxResultCount { get; init; } = 10_000;

    /// <summary>
    /// Byte bound of the keys and values one range, directory listing or event query returns. At least one item is
    /// always returned; the answer sets <c>More</c> when it stopped early.
    /// </summary>
    public long MaxResultBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Most leases alive at once (<see cref="KvErrorCode.TooManyLeases"/>).</summary>
    public int MaxLeases { get; init; } = 100_000;

    /// <summary>Shortest lease TTL in seconds; a grant asking for less is raised to this, as etcd does.</summary>
    public long MinLeaseTtlSeconds { get; init; } = 2;

    /// <summary>Longest lease TTL in seconds (<see cref="KvErrorCode.LeaseTtlTooLarge"/>); etcd's bound.</summary>
    public long MaxLeaseTtlSeconds { get; init; } = 9_000_000_000;

    /// <summary>Most leases one <see cref="TickRequest"/> expires; the rest expire on the following ticks.</summary>
    public int MaxLeasesExpiredPerTick { get; init; } = 1_000;

    /// <summary>Most client sessions; opening one more evicts the session idle longest (lowest last-used index).</summary>
    public int MaxSessions { get; init; } = 4_096;

    /// <summary>
    /// Most unacknowledged results one session keeps; beyond it the lowest sequence is dropped and a retry of it is
    /// refused with <see cref="KvErrorCode.SequenceDiscarded"/>.
    /// </summary>
    public int MaxResponsesPerSession { get; init; } = 256;

    /// <summary>A session unused for this long on the replicated clock expires at the next <see cref="TickRequest"/>.</summary>
    public long SessionIdleTimeoutMilliseconds { get; init; } = 10 * 60 * 1000;

    /// <summary>
    /// While any lease exists, the leader moves the replicated clock at least this often, even when nothing is due
    /// (see <see cref="KvStateMachine.TickDueIn"/>). Time between a leader's last tick and its successor's first is
    /// not counted, so this bounds how much longer than its TTL a lease can live across a leader change.
    /// </summary>
    public long LeaseCheckpointMilliseconds { get; init; } = 5_000;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bound that makes no sense.</summary>
    public void Validate()
    {
        Positive(MaxKeyBytes, nameof(MaxKeyBytes));
        Positive(MaxValueBytes, nameof(MaxValueBytes));
        Positive(MaxRequestBytes, nameof(MaxRequestBytes));
        Positive(MaxTxnOperations, nameof(MaxTxnOperations));
        Positive(MaxTxnDepth, nameof(MaxTxnDepth));
        Positive(MaxResultCount, nameof(MaxResultCount));
        Positive(MaxResultBytes, nameof(MaxResultBytes));
        Positive(MaxLeases, nameof(MaxLeases));
        Positive(MinLeaseTtlSeconds, nameof(MinLeaseTtlSeconds));
        Positive(MaxLeasesExpiredPerTick, nameof(MaxLeasesExpiredPerTick));
        Positive(MaxSessions, nameof(MaxSessions));
        Positive(MaxResponsesPerSession, nameof(MaxResponsesPerSession));
        Positive(SessionIdleTimeoutMilliseconds, nameof(SessionIdleTimeoutMilliseconds));
        Positive(LeaseCheckpointMilliseconds, nameof(LeaseCheckpointMilliseconds));
        if (MaxLeaseTtlSeconds < MinLeaseTtlSeconds || MaxLeaseTtlSeconds > long.MaxValue / 4000)
        {
            throw new ArgumentException(
                $"KvLimits.MaxLeaseTtlSeconds must lie in [MinLeaseTtlSeconds, {long.MaxValue / 4000}] so that deadlines in milliseconds cannot overflow.");
        }
    }

    private static void Positive(long value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"KvLimits.{name} must be positive, not {value}.");
        }
    }
}
