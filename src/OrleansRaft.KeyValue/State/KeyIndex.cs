namespace OrleansRaft.KeyValue;

/// <summary>
/// The keys of the store in ordinal byte order, each with its history. A sorted list of sorted chunks: a lookup or a
/// seek is two binary searches, an insert or a removal moves at most one chunk's worth of references, and a scan from
/// any key costs only what it returns. (SortedSet's views count their whole range when created, which would make a
/// seek cost the size of the rest of the store.)
/// Invariants: every chunk is non-empty and sorted; the last key of a chunk is below the first key of the next.
/// The enumerators must not outlive a change to the index.
/// </summary>
internal sealed class KeyIndex
{
    private const int MaxChunk = 512;

    private readonly List<List<KeyHistory>> chunks = [];

    public int Count { get; private set; }

    public KeyHistory? Get(ReadOnlySpan<byte> key)
    {
        var (c, i) = LowerBound(key);
        if (c < chunks.Count && chunks[c][i].Key.Span.SequenceEqual(key))
        {
            return chunks[c][i];
        }

        return null;
    }

    /// <summary>The history of <paramref name="key"/>, created (with a copy of the key) when missing.</summary>
    public KeyHistory GetOrAdd(ReadOnlySpan<byte> key)
    {
        var (c, i) = LowerBound(key);
        if (c < chunks.Count && chunks[c][i].Key.Span.SequenceEqual(key))
        {
            return chunks[c][i];
        }

        var history = new KeyHistory(key.ToArray());
        if (chunks.Count == 0)
        {
            chunks.Add([history]);
        }
        else
        {
            if (c == chunks.Count)
            {
                c = chunks.Count - 1;
                i = chunks[c].Count;
            }

            var chunk = chunks[c];
            chunk.Insert(i, history);
            if (chunk.Count > MaxChunk)
            {
                var half = chunk.Count / 2;
                var upper = chunk.GetRange(half, chunk.Count - half);
                chunk.RemoveRange(half, chunk.Count - half);
                chunks.Insert(c + 1, upper);
            }
        }

        Count++;
        return history;
    }

    public void Remove(KeyHistory history)
    {
        var (c, i) = LowerBound(history.Key.Span);
        if (c == chunks.Count || !ReferenceEquals(chunks[c][i], history))
        {
            throw new InvalidOperationException("The history is not in the index.");
        }

        chunks[c].RemoveAt(i);
        if (chunks[c].Count == 0)
        {
            chunks.RemoveAt(c);
        }

        Count--;
    }

    /// <summary>The histories of the keys in <paramref name="range"/>, ascending or descending.</summary>
    public IEnumerable<KeyHistory> Scan(KeyRange range, bool descending = false)
    {
        if (range.Kind == KeyRangeKind.Single)
        {
            var single = Get(range.Start.Span);
            return single is null ? [] : [single];
        }

        if (range.IsEmpty)
        {
            return [];
        }

        var end = range.Kind == KeyRangeKind.ToEnd ? (ReadOnlyMemory<byte>?)null : range.End;
        return descending ? Descending(range.Start, end) : Ascending(range.Start, end);
    }

    /// <summary>Keys in [from, to), or [from, ∞) when <paramref name="to"/> is null, ascending.</summary>
    public IEnumerable<KeyHistory> Ascending(ReadOnlyMemory<byte> from, ReadOnlyMemory<byte>? to)
    {
        var (c, i) = LowerBound(from.Span);
        for (; c < chunks.Count; c++, i = 0)
        {
            var chunk = chunks[c];
            for (; i < chunk.Count; i++)
            {
                var history = chunk[i];
                if (to is { } end && KvBytes.Compare(history.Key.Span, end.Span) >= 0)
                {
                    yield break;
                }

                yield return history;
            }
        }
    }

    /// <summary>Keys in [from, to), or [from, ∞) when <paramref name="to"/> is null, descending.</summary>
    public IEnumerable<KeyHistory> Descending(ReadOnlyMemory<byte> from, ReadOnlyMemory<byte>? to)
    {
        int c;
        int i;
        if (to is { } end)
        {
            (c, i) = LowerBound(end.Span);
            // Step back from the first key >= end to the last key < end.
            if (c == chunks.Count)
            {
                c = chunks.Count - 1;
                i = c < 0 ? -1 : chunks[c].Count - 1;
            }
            else
            {
                i--;
            }
        }
        else
        {
            c = chunks.Count - 1;
            i = c < 0 ? -1 : chunks[c].Count - 1;
        }

        while (c >= 0)
        {
            if (i < 0)
            {
                c--;
                i = c < 0 ? -1 : chunks[c].Count - 1;
                continue;
            }

            var history = chunks[c][i];
            if (KvBytes.Compare(history.Key.Span, from.Span) < 0)
            {
                yield break;
            }

            yield return history;
            i--;
        }
    }

    /// <summary>The first position whose key is >= <paramref name="key"/>: (chunk, index), or (chunk count, 0) past the end.</summary>
    private (int Chunk, int Index) LowerBound(ReadOnlySpan<byte> key)
    {
        var lo = 0;
        var hi = chunks.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (KvBytes.Compare(chunks[mid][^1].Key.Span, key) < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        if (lo == chunks.Count)
        {
            return (lo, 0);
        }

        var chunk = chunks[lo];
        var a = 0;
        var b = chunk.Count;
        while (a < b)
        {
            var mid = (a + b) >>> 1;
            if (KvBytes.Compare(chunk[mid].Key.Span, key) < 0)
            {
                a = mid + 1;
            }
            else
            {
                b = mid;
            }
        }

        return (lo, a);
    }
}
