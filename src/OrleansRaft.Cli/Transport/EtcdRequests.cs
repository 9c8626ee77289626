using Google.Protobuf;
using OrleansRaft.Client;
using OrleansRaft.KeyValue;
using Proto = OrleansRaft.Etcd.Protocol;

namespace OrleansRaft.Cli.Transport;

/// <summary>The store's requests and answers in etcd's protocol, field for field, as the etcd gateway maps them back.</summary>
internal static class EtcdRequests
{
    public static Proto.RangeRequest Range(RangeRequest request, KvCallOptions call) => new()
    {
        Key = ByteString.CopyFrom(request.Key.Span),
        RangeEnd = ByteString.CopyFrom(request.RangeEnd.Span),
        Revision = request.Revision,
        Limit = request.Limit,
        KeysOnly = request.KeysOnly,
        CountOnly = request.CountOnly,
        Serializable = call.Consistency == ReadConsistency.Serializable,
    };

    public static KeyValueEntry Entry(OrleansRaft.Etcd.Protocol.Mvcc.KeyValue kv) =>
        new(kv.Key.Memory, kv.Value.Memory, kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease);
}
