namespace OrleansRaft.KeyValue;

public static partial class KvCodec
{
    internal static void WriteRequest(KvWriter w, KvRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        w.Byte((byte)request.Kind);
        switch (request)
        {
            case PutRequest put:
                w.Bytes(put.Key.Span);
                w.Bytes(put.Value.Span);
                w.Var(put.Lease);
                w.Byte(Flags(put.PrevKv, put.IgnoreValue, put.IgnoreLease));
                break;
            case RangeRequest range:
                w.Bytes(range.Key.Span);
                w.Bytes(range.RangeEnd.Span);
                w.Var(range.Limit);
                w.Var(range.Revision);
                w.Var((int)range.SortOrder);
                w.Var((int)range.SortTarget);
                // The filters follow only when one is set, so a range without them encodes as before they existed.
                w.Byte(Flags(range.KeysOnly, range.CountOnly, range.Filters));
                if (range.Filters)
                {
                    w.Var(range.MinModRevision);
                    w.Var(range.MaxModRevision);
                    w.Var(range.MinCreateRevision);
                    w.Var(range.MaxCreateRevision);
                }

                break;
            case DeleteRangeRequest delete:
                w.Bytes(delete.Key.Span);
                w.Bytes(delete.RangeEnd.Span);
                w.Byte(Flags(delete.PrevKv));
                break;
            case TxnRequest txn:
                if (txn.Compares is null || txn.Success is null || txn.Failure is null || txn.Compares.Contains(null!))
                {
                    throw new ArgumentException("A transaction's lists and compares must not be null.", nameof(request));
                }

                w.UVar((ulong)txn.Compares.Count);
                foreach (var compare in txn.Compares)
                {
                    w.Bytes(compare.Key.Span);
                    w.Bytes(compare.RangeEnd.Span);
                    w.Var((int)compare.Target);
                    w.Var((int)compare.Operator);
                    w.Var(compare.Number);
                    w.Bytes(compare.Value.Span);
                }

                WriteRequests(w, txn.Success);
                WriteRequests(w, txn.Failure);
                break;
            case CompactRequest compact:
                w.Var(compact.Revision);
                break;
            case LeaseGrantRequest grant:
                w.Var(grant.TtlSeconds);
                w.Var(grant.Id);
                break;
            case LeaseRevokeRequest revoke:
                w.Var(revoke.Id);
                break;
            case LeaseKeepAliveRequest keepAlive:
                w.Var(keepAlive.Id);
                break;
            case LeaseTimeToLiveRequest ttl:
                w.Var(ttl.Id);
                w.Bool(ttl.Keys);
                break;
            case TickRequest tick:
                w.Var(tick.Epoch);
                w.Var(tick.NowMilliseconds);
                break;
            case CloseSessionRequest close:
                w.UVar(close.SessionId);
                break;
            case ListDirectoryRequest directory:
                w.Bytes(directory.Directory.Span);
                w.Var(directory.Revision);
                w.Var(directory.Limit);
                w.Bytes(directory.After.Span);
                w.Bool(directory.KeysOnly);
                break;
            case EventsRequest events:
                w.Bytes(events.Key.Span);
                w.Bytes(events.RangeEnd.Span);
                w.Var(events.FromRevision);
                w.Var(events.Skip);
                w.Var(events.Limit);
                break;
            case HashKvRequest hash:
                w.Var(hash.Revision);
                break;
            case StatusRequest status:
                w.Bool(status.IncludeSizes);
                break;
            case LeaseListRequest or OpenSessionRequest or StoreSnapshotRequest:
                break;
            default:
                WriteAuthRequest(w, request);
                break;
        }
    }

    private static void WriteRequests(KvWriter w, IReadOnlyList<KvRequest> requests)
    {
        w.UVar((ulong)requests.Count);
        foreach (var request in requests)
        {
            WriteRequest(w, request);
        }
    }

    internal static KvRequest ReadRequest(ref KvReader r, int depth)
    {
        Depth(depth);
        var kind = (KvRequestKind)r.Byte();
        switch (kind)
        {
            case KvRequestKind.Put:
            {
                var key = r.Bytes();
                var value = r.Bytes();
                var lease = r.Var();
                var flags = ReadFlags(ref r, 3);
                return new PutRequest(key, value) { Lease = lease, PrevKv = (flags & 1) != 0, IgnoreValue = (flags & 2) != 0, IgnoreLease = (flags & 4) != 0 };
            }

            case KvRequestKind.Range:
            {
                var key = r.Bytes();
                var rangeEnd = r.Bytes();
                var limit = r.Var();
                var revision = r.Var();
                var order = (SortOrder)r.Int();
                var target = (SortTarget)r.Int();
                var flags = ReadFlags(ref r, 3);
                var filters = (flags & 4) != 0;
                return new RangeRequest(key)
                {
                    RangeEnd = rangeEnd, Limit = limit, Revision = revision, SortOrder = order, SortTarget = target,
                    KeysOnly = (flags & 1) != 0, CountOnly = (flags & 2) != 0,
                    MinModRevision = filters ? r.Var() : 0,
                    MaxModRevision = filters ? r.Var() : 0,
                    MinCreateRevision = filters ? r.Var() : 0,
                    MaxCreateRevision = filters ? r.Var() : 0,
                };
            }

            case KvRequestKind.DeleteRange:
            {
                var key = r.Bytes();
                var rangeEnd = r.Bytes();
                var flags = ReadFlags(ref r, 1);
                return new DeleteRangeRequest(key) { RangeEnd = rangeEnd, PrevKv = flags != 0 };
            }

            case KvRequestKind.Txn:
            {
                var compares = new Compare[r.Count()];
                for (var i = 0; i < compares.Length; i++)
                {
                    var key = r.Bytes();
                    var rangeEnd = r.Bytes();
                    var target = (CompareTarget)r.Int();
                    var op = (CompareOperator)r.Int();
                    var number = r.Var();
                    var value = r.Bytes();
                    compares[i] = Compare.Create(key, rangeEnd, target, op, number, value);
                }

                var success = ReadRequests(ref r, depth + 1);
                var failure = ReadRequests(ref r, depth + 1);
                return new TxnRequest { Compares = compares, Success = success, Failure = failure };
            }

            case KvRequestKind.Compact:
                return new CompactRequest(r.Var());
            case KvRequestKind.LeaseGrant:
            {
                var ttl = r.Var();
                return new LeaseGrantRequest(ttl) { Id = r.Var() };
            }

            case KvRequestKind.LeaseRevoke:
                return new LeaseRevokeRequest(r.Var());
            case KvRequestKind.LeaseKeepAlive:
                return new LeaseKeepAliveRequest(r.Var());
            case KvRequestKind.LeaseTimeToLive:
            {
                var id = r.Var();
                return new LeaseTimeToLiveRequest(id) { Keys = r.Bool() };
            }

            case KvRequestKind.LeaseList:
                return new LeaseListRequest();
            case KvRequestKind.Tick:
            {
                var epoch = r.Var();
                return new TickRequest(epoch, r.Var());
            }

            case KvRequestKind.OpenSession:
                return new OpenSessionRequest();
            case KvRequestKind.CloseSession:
                return new CloseSessionRequest(r.UVar());
            case KvRequestKind.ListDirectory:
            {
                var directory = r.Bytes();
                var revision = r.Var();
                var limit = r.Var();
                var after = r.Bytes();
                return new ListDirectoryRequest(directory) { Revision = revision, Limit = limit, After = after, KeysOnly = r.Bool() };
            }

            case KvRequestKind.Events:
            {
                var key = r.Bytes();
                var rangeEnd = r.Bytes();
                var from = r.Var();
                var skip = r.Var();
                return new EventsRequest(key) { RangeEnd = rangeEnd, FromRevision = from, Skip = skip, Limit = r.Var() };
            }

            case KvRequestKind.Status:
                return new StatusRequest { IncludeSizes = r.Bool() };
            case KvRequestKind.Snapshot:
                return new StoreSnapshotRequest();
            case KvRequestKind.HashKv:
                return new HashKvRequest { Revision = r.Var() };
            default:
                return ReadAuthRequest(ref r, kind, depth);
        }
    }

    private static KvRequest[] ReadRequests(ref KvReader r, int depth)
    {
        var requests = new KvRequest[r.Count()];
        for (var i = 0; i < requests.Length; i++)
        {
            requests[i] = ReadRequest(ref r, depth);
        }

        return requests;
    }
}
