namespace OrleansRaft.KeyValue;

/// <summary>
/// Events for watchers. A watch on one key reads that key's history; a watch on a range reads the event log. Both give
/// the same events: an event's previous key-value is the version before it in the key's history.
/// </summary>
public sealed partial class KvStateMachine
{
    private EventsResult RunEvents(EventsRequest request)
    {
        RequestValidator.ValidateKey(request.Key, limits);
        RequestValidator.ValidateRangeEnd(request.RangeEnd, limits);
        RequestValidator.NotNegative(request.FromRevision, "the start revision");
        RequestValidator.NotNegative(request.Skip, "the skip");
        RequestValidator.NotNegative(request.Limit, "the limit");

        var from = request.FromRevision == 0 ? state.Revision + 1 : request.FromRevision;
        var skip = request.FromRevision == 0 ? 0 : request.Skip;
        if (from < state.CompactRevision)
        {
            return new EventsResult(state.Revision, [], from, skip, compacted: true, state.CompactRevision);
        }

        var range = KeyRange.Of(request.Key, request.RangeEnd);
        var limit = request.Limit == 0 ? limits.MaxResultCount : Math.Min(request.Limit, limits.MaxResultCount);
        var page = new ResultPage(limit, limits.MaxResultBytes);
        var events = new List<KvEvent>();
        var revision = -1L;
        var ofRevision = 0L;
        foreach (var record in range.Kind == KeyRangeKind.Single ? KeyEvents(range.Start, from) : RangeEvents(range, from))
        {
            if (record.Revision != revision)
            {
                revision = record.Revision;
                ofRevision = 0;
            }

            ofRevision++;
            if (revision == from && ofRevision <= skip)
            {
                continue;
            }

            if (!page.TryAdd(record.ByteSize))
            {
                return new EventsResult(state.Revision, events, revision, ofRevision - 1, compacted: false, state.CompactRevision);
            }

            events.Add(record.ToEvent());
        }

        // Up to date: the next event, whenever it comes, is at a revision after the current one.
        var next = Math.Max(from, state.Revision + 1);
        return new EventsResult(state.Revision, events, next, next == from ? skip : 0, compacted: false, state.CompactRevision);
    }

    private IEnumerable<EventRecord> KeyEvents(ReadOnlyMemory<byte> key, long from)
    {
        if (state.Keys.Get(key.Span) is not { } history)
        {
            yield break;
        }

        var versions = history.Versions;
        for (var i = history.IndexAtOrAfter(from); i < versions.Count; i++)
        {
            yield return new EventRecord(history, versions[i].Revision, versions[i].Sub, versions[i].Kv, i > 0 ? versions[i - 1].Kv : null);
        }
    }

    private IEnumerable<EventRecord> RangeEvents(KeyRange range, long from)
    {
        var log = state.Events;
        for (var i = log.FirstAtOrAfter(from); i < log.Count; i++)
        {
            if (range.Contains(log[i].History.Key.Span))
            {
                yield return log[i];
            }
        }
    }
}
