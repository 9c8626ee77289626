using Google.Protobuf;
using OrleansRaft.KeyValue;
using Mvcc = OrleansRaft.Etcd.Protocol.Mvcc;
using Proto = OrleansRaft.Etcd.Protocol;

namespace OrleansRaft.Etcd.Mapping;

/// <summary>
/// Translates etcd's messages into the store's requests and the store's results back into etcd's messages. Ranges
/// (key, range end) mean the same on both sides (see <see cref="KeyRanges"/>), and so do compare and sort enums.
/// </summary>
internal static class StoreMapping
{
    public static Mvcc.KeyValue ToProto(KeyValueEntry kv) => new()
    {
        Key = ByteString.CopyFrom(kv.Key.Span),
        Value = ByteString.CopyFrom(kv.Value.Span),
        CreateRevision = kv.CreateRevision,
        ModRevision = kv.ModRevision,
        Version = kv.Version,
        Lease = kv.Lease,
    };

    public static RangeRequest ToStore(Proto.RangeRequest request)
    {
        return new RangeRequest(request.Key.Memory)
        {
            RangeEnd = request.RangeEnd.Memory,
            // etcd reads a negative limit as no limit, as 0.
            Limit = Math.Max(0, request.Limit),
            Revision = Math.Max(0, request.Revision),
            SortOrder = request.SortOrder switch
            {
                Proto.RangeRequest.Types.SortOrder.None => SortOrder.None,
                Proto.RangeRequest.Types.SortOrder.Ascend => SortOrder.Ascend,
                Proto.RangeRequest.Types.SortOrder.Descend => SortOrder.Descend,
                _ => throw EtcdErrors.InvalidArgument($"unknown sort order {(int)request.SortOrder}."),
            },
            SortTarget = request.SortTarget switch
            {
                Proto.RangeRequest.Types.SortTarget.Key => SortTarget.Key,
                Proto.RangeRequest.Types.SortTarget.Version => SortTarget.Version,
                Proto.RangeRequest.Types.SortTarget.Create => SortTarget.Create,
                Proto.RangeRequest.Types.SortTarget.Mod => SortTarget.Mod,
                Proto.RangeRequest.Types.SortTarget.Value => SortTarget.Value,
                _ => throw EtcdErrors.InvalidArgument($"unknown sort target {(int)request.SortTarget}."),
            },
            KeysOnly = request.KeysOnly,
            CountOnly = request.CountOnly,
            MinModRevision = request.MinModRevision,
            MaxModRevision = request.MaxModRevision,
            MinCreateRevision = request.MinCreateRevision,
            MaxCreateRevision = request.MaxCreateRevision,
        };
    }

    public static PutRequest ToStore(Proto.PutRequest request) => new(request.Key.Memory, request.Value.Memory)
    {
        Lease = request.Lease,
        PrevKv = request.PrevKv,
        IgnoreValue = request.IgnoreValue,
        IgnoreLease = request.IgnoreLease,
    };

    public static DeleteRangeRequest ToStore(Proto.DeleteRangeRequest request) => new(request.Key.Memory)
    {
        RangeEnd = request.RangeEnd.Memory,
        PrevKv = request.PrevKv,
    };

    public static TxnRequest ToStore(Proto.TxnRequest request) => new()
    {
        Compares = [.. request.Compare.Select(ToStore)],
        Success = [.. request.Success.Select(ToStore)],
        Failure = [.. request.Failure.Select(ToStore)],
    };

    /// <summary>Whether every range of the transaction (nested ones included) asks for a serializable read, and nothing writes.</summary>
    public static bool IsSerializable(Proto.TxnRequest request) =>
        request.Success.Concat(request.Failure).All(op => op.RequestCase switch
        {
            Proto.RequestOp.RequestOneofCase.RequestRange => op.RequestRange.Serializable,
            Proto.RequestOp.RequestOneofCase.RequestTxn => IsSerializable(op.RequestTxn),
            _ => false,
        });

    /// <summary>Whether the transaction (nested ones included) holds a put or a delete, so that it must go through the log.</summary>
    public static bool Writes(Proto.TxnRequest request) =>
        request.Success.Concat(request.Failure).Any(op => op.RequestCase switch
        {
            Proto.RequestOp.RequestOneofCase.RequestPut or Proto.RequestOp.RequestOneofCase.RequestDeleteRange => true,
            Proto.RequestOp.RequestOneofCase.RequestTxn => Writes(op.RequestTxn),
            _ => false,
        });

    public static Proto.RangeResponse ToProto(RangeResult result, Proto.ResponseHeader header)
    {
        var response = new Proto.RangeResponse { Header = header, More = result.More, Count = result.Count };
        foreach (var kv in result.Kvs)
        {
            response.Kvs.Add(ToProto(kv));
        }

        return response;
    }

    public static Proto.PutResponse ToProto(PutResult result, Proto.ResponseHeader header) =>
        new() { Header = header, PrevKv = result.PrevKv is { } prev ? ToProto(prev) : null };

    public static Proto.DeleteRangeResponse ToProto(DeleteRangeResult result, Proto.ResponseHeader header)
    {
        var response = new Proto.DeleteRangeResponse { Header = header, Deleted = result.Deleted };
        foreach (var kv in result.PrevKvs)
        {
            response.PrevKvs.Add(ToProto(kv));
        }

        return response;
    }

    /// <summary>
    /// A transaction's response; every nested response carries the transaction's header, since the whole
    /// transaction is one revision served by one member.
    /// </summary>
    public static Proto.TxnResponse ToProto(TxnResult result, Proto.ResponseHeader header)
    {
        var response = new Proto.TxnResponse { Header = header, Succeeded = result.Succeeded };
        foreach (var op in result.Responses)
        {
            response.Responses.Add(op switch
            {
                RangeResult range => new Proto.ResponseOp { ResponseRange = ToProto(range, header) },
                PutResult put => new Proto.ResponseOp { ResponsePut = ToProto(put, header) },
                DeleteRangeResult delete => new Proto.ResponseOp { ResponseDeleteRange = ToProto(delete, header) },
                TxnResult txn => new Proto.ResponseOp { ResponseTxn = ToProto(txn, header) },
                _ => throw new InvalidOperationException($"A transaction answered with a {op.GetType().Name}."),
            });
        }

        return response;
    }

    public static Mvcc.Event ToProto(KvEvent e, bool prevKv) => new()
    {
        Type = e.Type == KvEventType.Put ? Mvcc.Event.Types.EventType.Put : Mvcc.Event.Types.EventType.Delete,
        Kv = ToProto(e.Kv),
        PrevKv = prevKv && e.PrevKv is { } prev ? ToProto(prev) : null,
    };

    private static Compare ToStore(Proto.Compare compare)
    {
        var op = compare.Result switch
        {
            Proto.Compare.Types.CompareResult.Equal => CompareOperator.Equal,
            Proto.Compare.Types.CompareResult.Greater => CompareOperator.Greater,
            Proto.Compare.Types.CompareResult.Less => CompareOperator.Less,
            Proto.Compare.Types.CompareResult.NotEqual => CompareOperator.NotEqual,
            _ => throw EtcdErrors.InvalidArgument($"unknown compare result {(int)compare.Result}."),
        };
        var key = compare.Key.Memory;

        // As in etcd, an operand missing from target_union (or of another target) compares as zero or empty.
        var converted = compare.Target switch
        {
            Proto.Compare.Types.CompareTarget.Version => Compare.ForVersion(key, op, compare.Version),
            Proto.Compare.Types.CompareTarget.Create => Compare.ForCreateRevision(key, op, compare.CreateRevision),
            Proto.Compare.Types.CompareTarget.Mod => Compare.ForModRevision(key, op, compare.ModRevision),
            Proto.Compare.Types.CompareTarget.Value => Compare.ForValue(key, op, compare.Value.Memory),
            Proto.Compare.Types.CompareTarget.Lease => Compare.ForLease(key, op, compare.Lease),
            _ => throw EtcdErrors.InvalidArgument($"unknown compare target {(int)compare.Target}."),
        };
        return compare.RangeEnd.IsEmpty ? converted : converted.WithRangeEnd(compare.RangeEnd.Memory);
    }

    private static KvRequest ToStore(Proto.RequestOp op) => op.RequestCase switch
    {
        Proto.RequestOp.RequestOneofCase.RequestRange => ToStore(op.RequestRange),
        Proto.RequestOp.RequestOneofCase.RequestPut => ToStore(op.RequestPut),
        Proto.RequestOp.RequestOneofCase.RequestDeleteRange => ToStore(op.RequestDeleteRange),
        Proto.RequestOp.RequestOneofCase.RequestTxn => ToStore(op.RequestTxn),
        _ => throw EtcdErrors.InvalidArgument("a transaction operation holds no request."),
    };
}
