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
    long revision, long compactRevision, ulong appliedIndex, long keyCount, long leaseCount, long sessionCount, long clockMilliseconds)
    : KvResult(revision)
{
    public long CompactRevision { get; } = compactRevision;

    public ulong AppliedIndex { get; } = appliedIndex;

    /// <summary>Keys that exist at the current revision.</summary>
    public long KeyCount { get; } = keyCount;

    public long LeaseCount { get; } = leaseCount;

    public long SessionCount { get; } = sessionCount;

    public long ClockMilliseconds { get; } = clockMilliseconds;

    internal override KvResultKind Kind => KvResultKind.Status;
}
