namespace OrleansRaft.KeyValue;

/// <summary>A granted lease: its TTL, its deadline on the replicated clock, and the keys attached to it now.</summary>
internal sealed class Lease
{
    public Lease(long id, long ttlSeconds, long deadlineMilliseconds)
    {
        Id = id;
        TtlSeconds = ttlSeconds;
        DeadlineMilliseconds = deadlineMilliseconds;
    }

    public long Id { get; }

    public long TtlSeconds { get; }

    public long DeadlineMilliseconds { get; set; }

    /// <summary>Exactly the keys whose current key-value names this lease, in key order.</summary>
    public SortedSet<KeyHistory> Keys { get; } = new(KeyHistoryComparer.Instance);
}

internal sealed class KeyHistoryComparer : IComparer<KeyHistory>
{
    public static readonly KeyHistoryComparer Instance = new();

    public int Compare(KeyHistory? x, KeyHistory? y) => KvBytes.Compare(x!.Key.Span, y!.Key.Span);
}

/// <summary>The leases by id, and their deadlines in expiry order (deadline, then id).</summary>
internal sealed class LeaseTable
{
    private readonly SortedDictionary<long, Lease> byId = [];
    private readonly SortedSet<(long Deadline, long Id)> byDeadline = [];

    public int Count => byId.Count;

    /// <summary>The next id an automatic grant tries; it only grows.</summary>
    public long NextId { get; set; } = 1;

    public IEnumerable<Lease> All => byId.Values;

    public Lease? Get(long id) => byId.GetValueOrDefault(id);

    public void Add(Lease lease)
    {
        byId.Add(lease.Id, lease);
        byDeadline.Add((lease.DeadlineMilliseconds, lease.Id));
    }

    public void Remove(Lease lease)
    {
        byId.Remove(lease.Id);
        byDeadline.Remove((lease.DeadlineMilliseconds, lease.Id));
    }

    public void SetDeadline(Lease lease, long deadline)
    {
        byDeadline.Remove((lease.DeadlineMilliseconds, lease.Id));
        lease.DeadlineMilliseconds = deadline;
        byDeadline.Add((deadline, lease.Id));
    }

    /// <summary>The earliest deadline of any lease, or null when there is none.</summary>
    public long? FirstDeadline => byDeadline.Count > 0 ? byDeadline.Min.Deadline : null;

    /// <summary>The lease that expires first, if it is due at <paramref name="now"/>.</summary>
    public Lease? FirstDue(long now) =>
        byDeadline.Count > 0 && byDeadline.Min.Deadline <= now ? byId[byDeadline.Min.Id] : null;
}
