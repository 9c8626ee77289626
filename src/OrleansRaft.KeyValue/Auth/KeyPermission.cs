namespace OrleansRaft.KeyValue;

/// <summary>What a role's permission allows on its key range (etcd's <c>authpb.Permission.Type</c>, same numbers).</summary>
public enum PermissionType
{
    Read = 0,
    Write = 1,
    ReadWrite = 2,
}

/// <summary>
/// A role's permission on a key range: one key (empty <see cref="RangeEnd"/>), <c>[Key, RangeEnd)</c>, or every key from
/// <see cref="Key"/> on (<see cref="RangeEnd"/> <c>"\0"</c>); a prefix is <c>[p, KeyRanges.PrefixEnd(p))</c>.
/// </summary>
public sealed class KeyPermission
{
    public KeyPermission(PermissionType type, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> rangeEnd = default)
    {
        Type = type;
        Key = key;
        RangeEnd = rangeEnd;
    }

    public PermissionType Type { get; }

    public ReadOnlyMemory<byte> Key { get; }

    public ReadOnlyMemory<byte> RangeEnd { get; }

    internal bool SameRange(ReadOnlySpan<byte> key, ReadOnlySpan<byte> rangeEnd) => Key.Span.SequenceEqual(key) && RangeEnd.Span.SequenceEqual(rangeEnd);

    internal bool Allows(PermissionType wanted) => Type == PermissionType.ReadWrite || Type == wanted;

    internal KeyPermission WithType(PermissionType type) => new(type, Key, RangeEnd);

    /// <summary>Key order, then range end: the order a role keeps its permissions in (etcd sorts them by key).</summary>
    internal static int Compare(KeyPermission a, KeyPermission b)
    {
        var byKey = KvBytes.Compare(a.Key.Span, b.Key.Span);
        return byKey != 0 ? byKey : KvBytes.Compare(a.RangeEnd.Span, b.RangeEnd.Span);
    }
}
