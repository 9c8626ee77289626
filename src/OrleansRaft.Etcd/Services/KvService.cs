using Grpc.Core;
using OrleansRaft.Client;
using OrleansRaft.Etcd.Mapping;
using OrleansRaft.KeyValue;
using Proto = OrleansRaft.Etcd.Protocol;

namespace OrleansRaft.Etcd.Services;

/// <summary>
/// etcd's KV service. Writes go through the group's log via the leader; linearizable reads through ReadIndex on the
/// leader; serializable reads (<c>serializable</c> on a range, or on every range of a read-only transaction) from any
/// member whose state reached the connection's <see cref="ReadFloor"/>. Every answer raises that floor.
/// </summary>
internal sealed class KvService(EtcdGateway gateway) : Proto.KV.KVBase
{
    public override async Task<Proto.RangeResponse> Range(Proto.RangeRequest request, ServerCallContext context)
    {
        var group = await gateway.GroupAsync(context);
        return await RangeReader.ReadAsync(group, gateway.CallerOf(context, group), request, CallFloor.Of(context, group), context.CancellationToken);
    }

    public override async Task<Proto.PutResponse> Put(Proto.PutRequest request, ServerCallContext context)
    {
        var group = await gateway.GroupAsync(context);
        var kv = group.Client;
        var write = await kv.WriteAsync<PutResult>(gateway.CallerOf(context, group).Wrap(StoreMapping.ToStore(request)), cancellationToken: context.CancellationToken);
        CallFloor.Of(context, group).Answered(write.Result.Revision);
        return StoreMapping.ToProto(write.Result, await group.LeaderHeaderAsync(write.MemberId, write.Result.Revision, context.CancellationToken));
    }

    public override async Task<Proto.DeleteRangeResponse> DeleteRange(Proto.DeleteRangeRequest request, ServerCallContext context)
    {
        var group = await gateway.GroupAsync(context);
        var kv = group.Client;
        var write = await kv.WriteAsync<DeleteRangeResult>(gateway.CallerOf(context, group).Wrap(StoreMapping.ToStore(request)), cancellationToken: context.CancellationToken);
        CallFloor.Of(context, group).Answered(write.Result.Revision);
        return StoreMapping.ToProto(write.Result, await group.LeaderHeaderAsync(write.MemberId, write.Result.Revision, context.CancellationToken));
    }

    public override async Task<Proto.TxnResponse> Txn(Proto.TxnRequest request, ServerCallContext context)
    {
        var group = await gateway.GroupAsync(context);
        var kv = group.Client;
        var txn = gateway.CallerOf(context, group).Wrap(StoreMapping.ToStore(request));
        var floor = CallFloor.Of(context, group);
        if (StoreMapping.Writes(request))
        {
            var write = await kv.WriteAsync<TxnResult>(txn, cancellationToken: context.CancellationToken);
            floor.Answered(write.Result.Revision);
            return StoreMapping.ToProto(write.Result, await group.LeaderHeaderAsync(write.MemberId, write.Result.Revision, context.CancellationToken));
        }

        var serializable = StoreMapping.IsSerializable(request);
        var read = await kv.ReadAsync<TxnResult>(txn, serializable ? floor.Serializable : KvCallOptions.Linearizable, context.CancellationToken);
        floor.Answered(read.Result.Revision);
        var header = serializable
            ? group.Header(read.MemberId, read.Result.Revision)
            : await group.LeaderHeaderAsync(read.MemberId, read.Result.Revision, context.CancellationToken);
        return StoreMapping.ToProto(read.Result, header);
    }

    /// <summary>
    /// Compaction applies when its log entry is applied, so the answer comes after the compaction took effect on the
    /// leader: <c>physical</c> needs nothing more.
    /// </summary>
    public override async Task<Proto.CompactionResponse> Compact(Proto.CompactionRequest request, ServerCallContext context)
    {
        var group = await gateway.GroupAsync(context);
        var kv = group.Client;
        var write = await kv.WriteAsync<CompactResult>(gateway.CallerOf(context, group).Wrap(new CompactRequest(request.Revision)), cancellationToken: context.CancellationToken);
        CallFloor.Of(context, group).Answered(write.Result.Revision);
        return new Proto.CompactionResponse { Header = await group.LeaderHeaderAsync(write.MemberId, write.Result.Revision, context.CancellationToken) };
    }
}
