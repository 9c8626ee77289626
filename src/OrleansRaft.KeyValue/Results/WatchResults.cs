namespace OrleansRaft.KeyValue;

public enum KvEventType
{
    Put = 0,
    Delete = 1,
}

/// <summary>
/// One write to one key. For a put, <see cref="Kv"/> is the new key-value; for a delete, it holds the key and the
/// deleting revision as its mod revision, and nothing else. <see cref="PrevKv"/> is the key-value the write replaced.
/// </summary>
public sealed class KvEvent(KvEventType type, KeyValueEntry kv, KeyValueEntry? prevKv)
{
    public KvEventType Type { get; } = type;

    public KeyValueEntry Kv { get; } = kv;

    public KeyValueEntry? PrevKv { get; } = prevKv;

    public override string ToString() => $"{Type} {Kv}";
}

public sealed class EventsResult(
    long revision, IReadOnlyList<KvEvent> events, long nextRevision, long nextSkip, bool compacted, long compactRevision) : KvResult(revision)
{
    public IReadOnlyList<KvEvent> Events { get; } = events;

    /// <summary>Where the next page starts. Past the current revision when the watcher is up to date.</summary>
    public long NextRevision { get; } = nextRevision;

    /// <summary>Events of <see cref="NextRevision"/> this and earlier pages returned; the next request's skip.</summary>
    public long NextSkip { get; } = nextSkip;

    /// <summary>The start lies before <see cref="CompactRevision"/>: the events are gone, and the watch must end.</summary>
    public bool Compacted { get; } = compacted;

    public long CompactRevision { get; } = compactRevision;

    internal override KvResultKind Kind => KvResultKind.Events;
}
