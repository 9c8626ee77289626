namespace OrleansRaft.KeyValue;

public sealed partial class KvStateMachine
{
    /// <summary>
    /// Reads a range. Revision 0 reads the newest versions, which inside a transaction include the writes of the
    /// operations before this one. The revision was checked by the plan. As in etcd, the count is every key of the
    /// range at the revision, the revision filters left aside; the filters choose which key-values the answer holds
    /// before it is sorted and cut to the limit, and <see cref="RangeResult.More"/> says that more passed them.
    /// </summary>
    private RangeResult ReadRange(RangeRequest request, long header)
    {
        var at = request.Revision == 0 ? long.MaxValue : request.Revision;
        var range = KeyRange.Of(request.Key, request.RangeEnd);
        if (request.CountOnly)
        {
            return new RangeResult(header, [], false, state.Keys.Scan(range).LongCount(h => h.At(at) is not null));
        }

        var order = request.SortOrder;
        if (request.SortTarget != SortTarget.Key && order == SortOrder.None)
        {
            order = SortOrder.Ascend;
        }

        var limit = request.Limit == 0 ? limits.MaxResultCount : Math.Min(request.Limit, limits.MaxResultCount);
        var page = new ResultPage(limit, limits.MaxResultBytes);
        var kvs = new List<KeyValueEntry>();
        long count = 0;
        long passed = 0;
        if (request.SortTarget == SortTarget.Key)
        {
            // The index is in key order already: keep the first page and count the rest.
            foreach (var history in state.Keys.Scan(range, descending: order == SortOrder.Descend))
            {
                if (history.At(at) is not { } kv)
                {
                    continue;
                }

                count++;
                if (!request.Passes(kv))
                {
                    continue;
                }

                passed++;
                if (page.TryAdd(kv.ByteSize(request.KeysOnly)))
                {
                    kvs.Add(kv);
                }
            }
        }
        else
        {
            var all = state.Keys.Scan(range).Select(h => h.At(at)).OfType<KeyValueEntry>().ToList();
            count = all.Count;
            all.RemoveAll(kv => !request.Passes(kv));
            passed = all.Count;
            var comparer = new KvComparer(request.SortTarget, order == SortOrder.Descend);
            all.Sort(comparer);
            foreach (var kv in all)
            {
                if (!page.TryAdd(kv.ByteSize(request.KeysOnly)))
                {
                    break;
                }

                kvs.Add(kv);
            }
        }

        IReadOnlyList<KeyValueEntry> answer = request.KeysOnly ? kvs.ConvertAll(kv => kv.WithoutValue()) : kvs;
        return new RangeResult(header, answer, kvs.Count < passed, count);
    }

    /// <summary>Sorts by a target, ties by key; descending reverses both.</summary>
    private sealed class KvComparer(SortTarget target, bool descending) : IComparer<KeyValueEntry>
    {
        public int Compare(KeyValueEntry? x, KeyValueEntry? y)
        {
            var order = target switch
            {
                SortTarget.Version => x!.Version.CompareTo(y!.Version),
                SortTarget.Create => x!.CreateRevision.CompareTo(y!.CreateRevision),
                SortTarget.Mod => x!.ModRevision.CompareTo(y!.ModRevision),
                SortTarget.Value => KvBytes.Compare(x!.Value.Span, y!.Value.Span),
                _ => 0,
            };
            if (order == 0)
            {
                order = KvBytes.Compare(x!.Key.Span, y!.Key.Span);
            }

            return descending ? -order : order;
        }
    }
}

/// <summary>
/// The bounds of one answer: at most <c>limit</c> items and about <c>maxBytes</c> bytes, but always at least one item.
/// Once full it stays full, so a page is always a prefix of the whole answer.
/// </summary>
internal sealed class ResultPage(long limit, long maxBytes)
{
    private long bytes;

    public long Count { get; private set; }

    public bool Full { get; private set; }

    public bool TryAdd(long size)
    {
        if (!Full && (Count >= limit || (Count > 0 && bytes + size > maxBytes)))
        {
            Full = true;
        }

        if (Full)
        {
            return false;
        }

        Count++;
        bytes += size;
        return true;
    }
}
