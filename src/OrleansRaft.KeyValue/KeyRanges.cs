namespace OrleansRaft.KeyValue;

/// <summary>
/// How a request names keys, as in etcd: a key and a range end. An empty range end means the key alone; the range
/// end <see cref="FromKey"/> (a single zero byte) means every key greater than or equal to the key; any other range
/// end means [key, rangeEnd). A prefix is the range [prefix, <see cref="PrefixEnd"/>(prefix)).
/// </summary>
public static class KeyRanges
{
    private static readonly byte[] FromKeyBytes = [0];

    /// <summary>The range end meaning "every key from the key on".</summary>
    public static ReadOnlyMemory<byte> FromKey => FromKeyBytes;

    /// <summary>
    /// The smallest key greater than every key that starts with <paramref name="prefix"/>; <see cref="FromKey"/>
    /// when there is none (an empty prefix, or one of 0xff bytes only).
    /// </summary>
    public static byte[] PrefixEnd(ReadOnlySpan<byte> prefix)
    {
        for (var i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] != 0xff)
            {
                var end = prefix[..(i + 1)].ToArray();
                end[i]++;
                return end;
            }
        }

        return [0];
    }
}

internal enum KeyRangeKind
{
    Single,
    Bounded,
    ToEnd,
}

/// <summary>A resolved key range: one key, [Start, End), or [Start, ∞).</summary>
internal readonly struct KeyRange
{
    private KeyRange(ReadOnlyMemory<byte> start, ReadOnlyMemory<byte> end, KeyRangeKind kind)
    {
        Start = start;
        End = end;
        Kind = kind;
    }

    public ReadOnlyMemory<byte> Start { get; }

    public ReadOnlyMemory<byte> End { get; }

    public KeyRangeKind Kind { get; }

    /// <summary>A bounded range whose end does not lie after its start holds no key.</summary>
    public bool IsEmpty => Kind == KeyRangeKind.Bounded && KvBytes.Compare(End.Span, Start.Span) <= 0;

    public static KeyRange Of(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> rangeEnd)
    {
        if (rangeEnd.IsEmpty)
        {
            return new KeyRange(key, ReadOnlyMemory<byte>.Empty, KeyRangeKind.Single);
        }

        if (rangeEnd.Length == 1 && rangeEnd.Span[0] == 0)
        {
            return new KeyRange(key, ReadOnlyMemory<byte>.Empty, KeyRangeKind.ToEnd);
        }

        return new KeyRange(key, rangeEnd, KeyRangeKind.Bounded);
    }

    public bool Contains(ReadOnlySpan<byte> key) => Kind switch
    {
        KeyRangeKind.Single => key.SequenceEqual(Start.Span),
        KeyRangeKind.ToEnd => KvBytes.Compare(key, Start.Span) >= 0,
        _ => KvBytes.Compare(key, Start.Span) >= 0 && KvBytes.Compare(key, End.Span) < 0,
    };

    /// <summary>Whether two ranges share a key.</summary>
    public bool Overlaps(KeyRange other)
    {
        if (IsEmpty || other.IsEmpty)
        {
            return false;
        }

        if (Kind == KeyRangeKind.Single)
        {
            return other.Contains(Start.Span);
        }

        if (other.Kind == KeyRangeKind.Single)
        {
            return Contains(other.Start.Span);
        }

        // Two intervals [a, b) and [c, d) meet when a < d and c < b; an open end is +infinity.
        var thisBeforeOtherEnd = other.Kind == KeyRangeKind.ToEnd || KvBytes.Compare(Start.Span, other.End.Span) < 0;
        var otherBeforeThisEnd = Kind == KeyRangeKind.ToEnd || KvBytes.Compare(other.Start.Span, End.Span) < 0;
        return thisBeforeOtherEnd && otherBeforeThisEnd;
    }
}
