namespace OrleansRaft.KeyValue;

/// <summary>
/// A query: the immediate children of a directory at a revision. A directory is a key prefix that ends with '/'.
/// A child is a key with no further '/' after the directory (returned as a key-value), or a sub-directory: the
/// directory plus one segment plus '/', present when at least one key under it exists. The directory's own key is
/// not its child. Children come in key order.
/// </summary>
public sealed class ListDirectoryRequest : KvRequest
{
    public ListDirectoryRequest(ReadOnlyMemory<byte> directory)
    {
        Directory = directory;
    }

    public ReadOnlyMemory<byte> Directory { get; }

    /// <summary>The revision to read at; 0 for the current one.</summary>
    public long Revision { get; init; }

    /// <summary>Most children to return; 0 for <see cref="KvLimits.MaxResultCount"/>.</summary>
    public long Limit { get; init; }

    /// <summary>Continue after this child (the last one of the previous page); empty to start at the beginning.</summary>
    public ReadOnlyMemory<byte> After { get; init; }

    /// <summary>Return child keys without values.</summary>
    public bool KeysOnly { get; init; }

    internal override KvRequestKind Kind => KvRequestKind.ListDirectory;
}

/// <summary>
/// A query for a watcher: the events on a key or range from <see cref="FromRevision"/> on, in revision order, with no
/// gaps and no duplicates. A page ends where a bound is reached, possibly inside a revision: continue with
/// <see cref="EventsResult.NextRevision"/> and <see cref="EventsResult.NextSkip"/>. A watcher that reconnects after
/// seeing revision R in full asks from R + 1 with no skip. A start before the compact revision is answered with
/// <see cref="EventsResult.Compacted"/>, and the watch ends.
/// </summary>
public sealed class EventsRequest : KvRequest
{
    public EventsRequest(ReadOnlyMemory<byte> key)
    {
        Key = key;
    }

    public ReadOnlyMemory<byte> Key { get; }

    /// <summary>See <see cref="KeyRanges"/>: empty for the key alone.</summary>
    public ReadOnlyMemory<byte> RangeEnd { get; init; }

    /// <summary>The first revision wanted; 0 for the revision after the current one (only future events).</summary>
    public long FromRevision { get; init; }

    /// <summary>How many events of <see cref="FromRevision"/> (that match the range) an earlier page already returned.</summary>
    public long Skip { get; init; }

    /// <summary>Most events to return; 0 for <see cref="KvLimits.MaxResultCount"/>.</summary>
    public long Limit { get; init; }

    internal override KvRequestKind Kind => KvRequestKind.Events;
}

/// <summary>A query: the store's revision, compact revision, applied index, counts and, when asked, the bytes it holds.</summary>
public sealed class StatusRequest : KvRequest
{
    /// <summary>Also measure the state (<see cref="StatusResult.DataBytes"/>, <see cref="StatusResult.SnapshotBytes"/>): O(state).</summary>
    public bool IncludeSizes { get; init; }

    internal override KvRequestKind Kind => KvRequestKind.Status;
}

/// <summary>
/// A query: a hash of the store's key-value history up to <see cref="Revision"/> (0: the current revision), equal on
/// every member that applied the same log (see <see cref="HashKvResult"/>).
/// </summary>
public sealed class HashKvRequest : KvRequest
{
    public long Revision { get; init; }

    internal override KvRequestKind Kind => KvRequestKind.HashKv;
}

/// <summary>A query: the whole state as <see cref="KvStateMachine.Snapshot"/> takes it, consistent at one applied index.</summary>
public sealed class StoreSnapshotRequest : KvRequest
{
    internal override KvRequestKind Kind => KvRequestKind.Snapshot;
}
