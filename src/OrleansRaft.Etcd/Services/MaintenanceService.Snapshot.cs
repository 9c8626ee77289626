using Grpc.Core;
using Proto = OrleansRaft.Etcd.Protocol;

namespace OrleansRaft.Etcd.Services;

internal sealed partial class MaintenanceService
{
    public override Task Snapshot(Proto.SnapshotRequest request, IServerStreamWriter<Proto.SnapshotResponse> responseStream, ServerCallContext context) =>
        throw EtcdErrors.Unimplemented("snapshot is not supported: members snapshot the store into their own durable storage.");
}
