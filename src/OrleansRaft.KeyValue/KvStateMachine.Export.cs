namespace OrleansRaft.KeyValue;

/// <summary>
/// One version of a key that the store retains: written at (<see cref="Revision"/>, <see cref="Sub"/>); a null
/// <see cref="Kv"/> is a tombstone (the key was deleted then).
/// </summary>
public readonly record struct KvVersion(ReadOnlyMemory<byte> Key, long Revision, int Sub, KeyValueEntry? Kv);

/// <summary>A lease as the store holds it: its granted TTL and the time left, on the store's replicated clock.</summary>
public readonly record struct KvLeaseState(long Id, long TtlSeconds, long RemainingMilliseconds);

public sealed partial class KvStateMachine
{
    /// <summary>Every version the store retains (its MVCC history since the compact revision), in (revision, sub) order.</summary>
    public IReadOnlyList<KvVersion> RetainedVersions()
    {
        var versions = new List<KvVersion>();
        foreach (var history in state.Keys.Ascending(ReadOnlyMemory<byte>.Empty, null))
        {
            foreach (var version in history.Versions)
            {
                versions.Add(new KvVersion(history.Key, version.Revision, version.Sub, version.Kv));
            }
        }

        versions.Sort(static (a, b) => a.Revision != b.Revision ? a.Revision.CompareTo(b.Revision) : a.Sub.CompareTo(b.Sub));
        return versions;
    }

    /// <summary>Every lease, by id.</summary>
    public IReadOnlyList<KvLeaseState> Leases() =>
        [.. state.Leases.All.OrderBy(l => l.Id).Select(l => new KvLeaseState(l.Id, l.TtlSeconds, Math.Max(0, l.DeadlineMilliseconds - state.Clock.Now)))];
}
