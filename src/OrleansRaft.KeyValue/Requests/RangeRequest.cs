namespace OrleansRaft.KeyValue;

/// <summary>The order of a range's results.</summary>
public enum SortOrder
{
    /// <summary>Key order (ascending), unless the target is not the key, which then sorts ascending.</summary>
    None = 0,
    Ascend = 1,
    Descend = 2,
}

/// <summary>The field a range's results are sorted by; ties are broken by key, in the same direction.</summary>
public enum SortTarget
{
    Key = 0,
    Version = 1,
    Create = 2,
    Mod = 3,
    Value = 4,
}

/// <summary>
/// Reads the keys of <see cref="KeyRanges">a range</see> at a revision. <see cref="RangeResult.Count"/> is the number
/// of keys in the range whatever the limit and the revision filters; <see cref="RangeResult.More"/> says that more keys
/// pass the filters than the answer holds. The filters are etcd's: each applies when it is not 0, and keeps the
/// key-values whose mod (create) revision is at least the min, at most the max.
/// </summary>
public sealed class RangeRequest : KvRequest
{
    public RangeRequest(ReadOnlyMemory<byte> key)
    {
        Key = key;
    }

    public ReadOnlyMemory<byte> Key { get; }

    /// <summary>See <see cref="KeyRanges"/>: empty for the key alone.</summary>
    public ReadOnlyMemory<byte> RangeEnd { get; init; }

    /// <summary>Most key-values to return; 0 for <see cref="KvLimits.MaxResultCount"/>.</summary>
    public long Limit { get; init; }

    /// <summary>The revision to read at; 0 for the current one.</summary>
    public long Revision { get; init; }

    public SortOrder SortOrder { get; init; }

    public SortTarget SortTarget { get; init; }

    /// <summary>Return keys without values.</summary>
    public bool KeysOnly { get; init; }

    /// <summary>Return only the count.</summary>
    public bool CountOnly { get; init; }

    /// <summary>Keep key-values modified at this revision or later; 0 for no bound.</summary>
    public long MinModRevision { get; init; }

    /// <summary>Keep key-values modified at this revision or earlier; 0 for no bound.</summary>
    public long MaxModRevision { get; init; }

    /// <summary>Keep key-values created at this revision or later; 0 for no bound.</summary>
    public long MinCreateRevision { get; init; }

    /// <summary>Keep key-values created at this revision or earlier; 0 for no bound.</summary>
    public long MaxCreateRevision { get; init; }

    /// <summary>Whether any revision filter applies.</summary>
    public bool Filters => MinModRevision != 0 || MaxModRevision != 0 || MinCreateRevision != 0 || MaxCreateRevision != 0;

    /// <summary>Whether <paramref name="kv"/> passes the revision filters.</summary>
    public bool Passes(KeyValueEntry kv) =>
        (MinModRevision == 0 || kv.ModRevision >= MinModRevision)
        && (MaxModRevision == 0 || kv.ModRevision <= MaxModRevision)
        && (MinCreateRevision == 0 || kv.CreateRevision >= MinCreateRevision)
        && (MaxCreateRevision == 0 || kv.CreateRevision <= MaxCreateRevision);

    internal override KvRequestKind Kind => KvRequestKind.Range;
}
