using Grpc.Core;
using Google.Protobuf;
using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.Etcd.Snapshots;
using OrleansRaft.KeyValue;
using Proto = OrleansRaft.Etcd.Protocol;

namespace OrleansRaft.Etcd.Services;

internal sealed partial class MaintenanceService
{
    /// <summary>etcd streams its snapshot in pieces of this size.</summary>
    private const int SnapshotChunkBytes = 32 * 1024;

    /// <summary>
    /// The store as the gateway's own member holds it (the leader's, by a linearizable read, for a gateway without
    /// one), consistent at that member's applied index, as an etcd backend file (see <see cref="EtcdSnapshot"/>):
    /// <c>etcdctl snapshot status</c> reads it and <c>etcdctl snapshot restore</c> turns it into an etcd data directory.
    /// The store's snapshot crosses one grain call, so it is bounded by the cluster's message size.
    /// </summary>
    public override async Task Snapshot(Proto.SnapshotRequest request, IServerStreamWriter<Proto.SnapshotResponse> responseStream, ServerCallContext context)
    {
        var group = await gateway.GroupAsync(context);
        var status = group.Status ?? await group.RefreshStatusAsync(context.CancellationToken);
        StoreSnapshotResult snapshot;
        ulong servedBy;
        if (group.LocalMember(status) is { } local)
        {
            var reply = await group.Member(local.MemberId).ReadLocalAsync(new StoreSnapshotRequest()).WaitAsync(group.Options.Client.RequestTimeout, context.CancellationToken);
            snapshot = reply is { IsOk: true, Result: StoreSnapshotResult result }
                ? result
                : throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, $"etcdserver: member {RaftMemberKey.Format(group.GroupId, local.MemberId)} did not answer ({reply.Status})"));
            servedBy = local.MemberId;
        }
        else
        {
            var read = await group.Client.ReadAsync<StoreSnapshotResult>(new StoreSnapshotRequest(), KvCallOptions.Linearizable, context.CancellationToken);
            (snapshot, servedBy) = (read.Result, read.MemberId);
        }

        var store = new KvStateMachine();
        store.Restore(snapshot.Snapshot);
        var file = EtcdSnapshot.Write(store);
        var header = group.Header(servedBy, snapshot.Revision);
        for (var offset = 0; offset < file.Length; offset += SnapshotChunkBytes)
        {
            var length = Math.Min(SnapshotChunkBytes, file.Length - offset);
            await responseStream.WriteAsync(new Proto.SnapshotResponse
            {
                Header = header,
                RemainingBytes = (ulong)(file.Length - offset - length),
                Blob = ByteString.CopyFrom(file, offset, length),
            }, context.CancellationToken);
        }
    }
}
