namespace OrleansRaft.KeyValue;

/// <summary>
/// Whether permissions cover a request's keys, as etcd's range permission cache decides: a permission or request with
/// an empty range end is the single key (the interval up to the key with a zero byte appended), one with range end
/// <c>"\0"</c> runs to the end of the key space, and the request must lie inside the union of the permissions.
/// </summary>
internal static class PermissionRanges
{
    public static bool Covers(IReadOnlyList<KeyPermission> permissions, ReadOnlySpan<byte> key, ReadOnlySpan<byte> rangeEnd)
    {
        var (start, end) = Interval(key, rangeEnd);

        // A range that ends before it starts touches no key; it is held to the rule for its first key.
        if (end is not null && KvBytes.Compare(end, start) <= 0)
        {
            end = PointEnd(key);
        }

        var intervals = permissions.Select(p => Interval(p.Key.Span, p.RangeEnd.Span))
            .OrderBy(i => i.Start, ByteArrayOrder.Instance)
            .ToList();
        var covered = start;
        foreach (var (from, to) in intervals)
        {
            if (KvBytes.Compare(from, covered) > 0)
            {
                return false;
            }

            if (to is null)
            {
                return true;
            }

            if (KvBytes.Compare(to, covered) > 0)
            {
                covered = to;
            }

            if (end is not null && KvBytes.Compare(covered, end) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>[start, end), end null for the end of the key space.</summary>
    private static (byte[] Start, byte[]? End) Interval(ReadOnlySpan<byte> key, ReadOnlySpan<byte> rangeEnd)
    {
        if (rangeEnd.IsEmpty)
        {
            return (key.ToArray(), PointEnd(key));
        }

        return rangeEnd is [0] ? (key.ToArray(), null) : (key.ToArray(), rangeEnd.ToArray());
    }

    private static byte[] PointEnd(ReadOnlySpan<byte> key)
    {
        var end = new byte[key.Length + 1];
        key.CopyTo(end);
        return end;
    }

    private sealed class ByteArrayOrder : IComparer<byte[]>
    {
        public static readonly ByteArrayOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => KvBytes.Compare(x, y);
    }
}
