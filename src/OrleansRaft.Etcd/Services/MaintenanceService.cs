using Grpc.Core;
using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.KeyValue;
using Proto = OrleansRaft.Etcd.Protocol;

namespace OrleansRaft.Etcd.Services;

/// <summary>
/// etcd's Maintenance service: Status and the alarm list. Status answers for the group's leader (the member that
/// serves writes and linearizable reads), or the first member that answered when none leads, with that member's
/// own term, leader, commit and applied index; <c>errors</c> names the members that did not answer.
/// </summary>
internal sealed class MaintenanceService(EtcdGateway gateway) : Proto.Maintenance.MaintenanceBase
{
    /// <summary>The etcd API version the gateway speaks; clients compare it to enable features.</summary>
    public const string ApiVersion = "3.4.0";

    public override async Task<Proto.StatusResponse> Status(Proto.StatusRequest request, ServerCallContext context)
    {
        var group = await gateway.GroupAsync(context);
        var status = await group.RefreshStatusAsync(context.CancellationToken);
        var served = Representative(status)
            ?? throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, $"etcdserver: no member of the key-value group '{group.GroupId}' answered."));
        var own = served.Status!;
        var response = new Proto.StatusResponse
        {
            Header = group.Header(served.MemberId, await RevisionAsync(group, served, context.CancellationToken)),
            Version = ApiVersion,
            Leader = group.EtcdMemberId(own.Leader),
            RaftIndex = own.Commit,
            RaftTerm = own.Term,
            RaftAppliedIndex = own.Applied,
            IsLearner = false,
        };
        foreach (var member in status.Members)
        {
            if (member.Error is { } error)
            {
                response.Errors.Add($"member {RaftMemberKey.Format(group.GroupId, member.MemberId)}: {error}");
            }
        }

        return response;
    }

    /// <summary>No alarms are ever raised: listing answers an empty list; raising or clearing one is refused.</summary>
    public override async Task<Proto.AlarmResponse> Alarm(Proto.AlarmRequest request, ServerCallContext context)
    {
        if (request.Action != Proto.AlarmRequest.Types.AlarmAction.Get)
        {
            throw EtcdErrors.Unimplemented("alarms cannot be raised or cleared: the key-value store raises none.");
        }

        var group = await gateway.GroupAsync(context);
        var kv = group.Client;
        var status = await kv.ReadAsync<StatusResult>(new StatusRequest(), KvCallOptions.Serializable, context.CancellationToken);
        return new Proto.AlarmResponse { Header = group.Header(status.MemberId, status.Result.Revision) };
    }

    public override Task<Proto.DefragmentResponse> Defragment(Proto.DefragmentRequest request, ServerCallContext context) =>
        throw EtcdErrors.Unimplemented("defragment is not supported: the store keeps no backend file to defragment.");

    public override Task<Proto.HashResponse> Hash(Proto.HashRequest request, ServerCallContext context) =>
        throw EtcdErrors.Unimplemented("hash is not supported.");

    public override Task<Proto.HashKVResponse> HashKV(Proto.HashKVRequest request, ServerCallContext context) =>
        throw EtcdErrors.Unimplemented("hashkv is not supported.");

    public override Task Snapshot(Proto.SnapshotRequest request, IServerStreamWriter<Proto.SnapshotResponse> responseStream, ServerCallContext context) =>
        throw EtcdErrors.Unimplemented("snapshot is not supported: members snapshot the store into their own durable storage.");

    public override Task<Proto.MoveLeaderResponse> MoveLeader(Proto.MoveLeaderRequest request, ServerCallContext context) =>
        throw EtcdErrors.Unimplemented("move-leader is not supported by the gateway.");

    /// <summary>The member a status speaks for: the leader if it answered, else the first member that answered.</summary>
    internal static RaftMemberView? Representative(RaftGroupStatus status) =>
        status.Members.FirstOrDefault(m => m.Status is { Role: RaftMemberRole.Leader })
        ?? status.Members.FirstOrDefault(m => m.Status is not null);

    /// <summary>The store revision of <paramref name="member"/> as it is (a local read), or the group's when it does not answer.</summary>
    internal static async Task<long> RevisionAsync(EtcdGroup group, RaftMemberView? member, CancellationToken cancellationToken)
    {
        var kv = group.Client;
        if (member is not null)
        {
            var reply = await group.Member(member.MemberId).ReadLocalAsync(new StatusRequest()).WaitAsync(group.Options.Client.AttemptTimeout, cancellationToken);
            if (reply is { IsOk: true, Result: StatusResult local })
            {
                return local.Revision;
            }
        }

        return (await kv.StatusAsync(KvCallOptions.Serializable, cancellationToken)).Revision;
    }
}
