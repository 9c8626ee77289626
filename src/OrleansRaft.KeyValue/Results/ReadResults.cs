namespace OrleansRaft.KeyValue;

public sealed class RangeResult(long revision, IReadOnlyList<KeyValueEntry> kvs, bool more, long count) : KvResult(revision)
{
    public IReadOnlyList<KeyValueEntry> Kvs { get; } = kvs;

    /// <summary>More keys of the range pass the request's revision filters than <see cref="Kvs"/> holds.</summary>
    public bool More { get; } = more;

    /// <summary>The number of keys in the range at the revision read, whatever the limit and the revision filters.</summary>
    public long Count { get; } = count;

    internal override KvResultKind Kind => KvResultKind.Range;
}

/// <summary>A child of a directory: a key (with its key-value) or a sub-directory (its path, ending with '/').</summary>
public sealed class DirectoryEntry(ReadOnlyMemory<byte> path, KeyValueEntry? kv)
{
    public ReadOnlyMemory<byte> Path { get; } = path;

    /// <summary>The key-value of a key; null for a sub-directory.</summary>
    public KeyValueEntry? Kv { get; } = kv;

    public bool IsDirectory => Kv is null;

    public override string ToString() => IsDirectory ? KvBytes.Show(Path.Span) + " (dir)" : Kv!.ToString();
}

public sealed class DirectoryListing(long revision, IReadOnlyList<DirectoryEntry> entries, bool more) : KvResult(revision)
{
    public IReadOnlyList<DirectoryEntry> Entries { get; } = entries;

    /// <summary>More children follow: ask again with <c>After</c> set to the last entry's path.</summary>
    public bool More { get; } = more;

    internal override KvResultKind Kind => KvResultKind.DirectoryListing;
}

public sealed class StatusResult(
    long revision, long compactRevision, ulong appliedIndex, long keyCount, long leaseCount, long sessionCount, long clockMilliseconds, long dataBytes, long snapshotBytes)
    : KvResult(revision)
{
    public long CompactRevision { get; } = compactRevision;

    public ulong AppliedIndex { get; } = appliedIndex;

    /// <summary>Keys that exist at the current revision.</summary>
    public long KeyCount { get; } = keyCount;

    public long LeaseCount { get; } = leaseCount;

    public long SessionCount { get; } = sessionCount;

    public long ClockMilliseconds { get; } = clockMilliseconds;

    /// <summary>
    /// The bytes of every key-value version the store retains (key and value of each version since the compact
    /// revision, and each tombstone's key); 0 unless <see cref="StatusRequest.IncludeSizes"/> asked.
    /// </summary>
    public long DataBytes { get; } = dataBytes;

    /// <summary>
    /// The bytes of the store's snapshot as it would be taken now (<see cref="KvStateMachine.Snapshot"/>): the whole state
    /// a member keeps in its durable storage; 0 unless <see cref="StatusRequest.IncludeSizes"/> asked.
    /// </summary>
    public long SnapshotBytes { get; } = snapshotBytes;

    internal override KvResultKind Kind => KvResultKind.Status;
}

/// <summary>
/// A hash of the key-value history: CRC-32C (Castagnoli, as etcd's) over every retained version written at or before
/// <see cref="HashRevision"/>, in key order and then revision order; per version its key, revision, sub-revision and,
/// unless it is a tombstone, its create revision, version, lease and value. Members that applied the same log retain the
/// same versions (compaction is a command), so they hash alike.
/// </summary>
public sealed class HashKvResult(long revision, long hashRevision, long compactRevision, uint hash) : KvResult(revision)
{
    /// <summary>The revision the hash covers.</summary>
    public long HashRevision { get; } = hashRevision;

    /// <summary>The store's compact revision; 0 if it was never compacted.</summary>
    public long CompactRevision { get; } = compactRevision;

    public uint Hash { get; } = hash;

    internal override KvResultKind Kind => KvResultKind.HashKv;
}

/// <summary>The store's snapshot (<see cref="KvStateMachine.Snapshot"/>): restore it into a <see cref="KvStateMachine"/> to read it.</summary>
public sealed class StoreSnapshotResult(long revision, byte[] snapshot) : KvResult(revision)
{
    public byte[] Snapshot { get; } = snapshot;

    internal override KvResultKind Kind => KvResultKind.Snapshot;
}
