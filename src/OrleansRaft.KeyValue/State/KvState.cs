namespace OrleansRaft.KeyValue;

/// <summary>
/// Everything a snapshot holds, in one object, so that a restore builds a new one and swaps it in whole: a snapshot
/// that fails to load leaves the old state untouched.
/// </summary>
internal sealed class KvState
{
    public KeyIndex Keys { get; init; } = new();

    public EventLog Events { get; set; } = new();

    public LeaseTable Leases { get; } = new();

    public SessionTable Sessions { get; } = new();

    public AuthState Auth { get; } = new();

    /// <summary>The store's revision: raised by every write that changes at least one key. An empty store is at 1.</summary>
    public long Revision { get; set; } = 1;

    /// <summary>Reads below it are refused; 0 until the first compaction.</summary>
    public long CompactRevision { get; set; }

    public ulong AppliedIndex { get; set; }

    /// <summary>Keys that exist at <see cref="Revision"/>.</summary>
    public long LiveKeys { get; set; }

    public ReplicatedClock Clock;
}
