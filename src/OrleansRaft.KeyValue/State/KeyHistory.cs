namespace OrleansRaft.KeyValue;

/// <summary>
/// One version of a key: written at (<see cref="Revision"/>, <see cref="Sub"/>), where Sub orders the writes of one
/// revision. A null <see cref="Kv"/> is a tombstone: the key was deleted at that revision.
/// </summary>
internal readonly record struct KeyRevision(long Revision, int Sub, KeyValueEntry? Kv);

/// <summary>
/// The versions of one key that are not compacted away, oldest first.
/// Invariants: revisions strictly increase (a key is written at most once per revision); a history in the index is
/// never empty; after compaction at C it holds the version visible at C (unless that is a tombstone), everything
/// after it, and the version just before a version written at C exactly (see the compaction file).
/// </summary>
internal sealed class KeyHistory
{
    public KeyHistory(byte[] key)
    {
        Key = key;
    }

    /// <summary>The key; owned by this history, never written.</summary>
    public ReadOnlyMemory<byte> Key { get; }

    public List<KeyRevision> Versions { get; } = new(1);

    /// <summary>The key-value now, or null when the key is deleted.</summary>
    public KeyValueEntry? Latest => Versions.Count == 0 ? null : Versions[^1].Kv;

    /// <summary>The key-value visible at <paramref name="revision"/>, or null when the key did not exist then.</summary>
    public KeyValueEntry? At(long revision)
    {
        var i = IndexAtOrBefore(revision);
        return i < 0 ? null : Versions[i].Kv;
    }

    /// <summary>The position of the last version written at or before <paramref name="revision"/>; -1 if none.</summary>
    public int IndexAtOrBefore(long revision)
    {
        var lo = 0;
        var hi = Versions.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Versions[mid].Revision <= revision)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo - 1;
    }

    /// <summary>The position of the first version written at or after <paramref name="revision"/>.</summary>
    public int IndexAtOrAfter(long revision) => IndexAtOrBefore(revision - 1) + 1;
}
