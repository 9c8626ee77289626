namespace OrleansRaft.KeyValue;

/// <summary>One retained write: the version it wrote, and the key-value it replaced.</summary>
internal readonly record struct EventRecord(KeyHistory History, long Revision, int Sub, KeyValueEntry? Kv, KeyValueEntry? PrevKv)
{
    public KvEvent ToEvent() => Kv is { } kv
        ? new KvEvent(KvEventType.Put, kv, PrevKv)
        : new KvEvent(KvEventType.Delete, new KeyValueEntry(History.Key, ReadOnlyMemory<byte>.Empty, 0, Revision, 0, 0), PrevKv);

    public long ByteSize => History.Key.Length + (Kv?.Value.Length ?? 0) + (PrevKv?.Value.Length ?? 0);
}

/// <summary>
/// Every write at or after the compact revision, ordered by (revision, sub): what watchers of ranges read.
/// It holds nothing the key histories do not: an event's previous key-value is the version before it in its key's
/// history (compaction keeps that version for events it retains), so a restored store rebuilds the log from the
/// histories and answers exactly as the store it was taken from.
/// </summary>
internal sealed class EventLog
{
    private readonly List<EventRecord> records = [];

    public int Count => records.Count;

    public EventRecord this[int index] => records[index];

    public void Append(EventRecord record) => records.Add(record);

    /// <summary>The position of the first event of <paramref name="revision"/> or later.</summary>
    public int FirstAtOrAfter(long revision)
    {
        var lo = 0;
        var hi = records.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (records[mid].Revision < revision)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Drops the events before <paramref name="revision"/>.</summary>
    public void DropBefore(long revision) => records.RemoveRange(0, FirstAtOrAfter(revision));

    /// <summary>Rebuilds the log from key histories: every version at or after <paramref name="compactRevision"/>.</summary>
    public static EventLog Rebuild(IEnumerable<KeyHistory> histories, long compactRevision)
    {
        var log = new EventLog();
        foreach (var history in histories)
        {
            var versions = history.Versions;
            for (var i = history.IndexAtOrAfter(compactRevision); i < versions.Count; i++)
            {
                var prev = i > 0 ? versions[i - 1].Kv : null;
                log.records.Add(new EventRecord(history, versions[i].Revision, versions[i].Sub, versions[i].Kv, prev));
            }
        }

        log.records.Sort(static (a, b) => a.Revision != b.Revision ? a.Revision.CompareTo(b.Revision) : a.Sub.CompareTo(b.Sub));
        return log;
    }
}
