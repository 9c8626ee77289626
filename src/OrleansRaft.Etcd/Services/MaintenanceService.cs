using Grpc.Core;
using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.KeyValue;
using Proto = OrleansRaft.Etcd.Protocol;

namespace OrleansRaft.Etcd.Services;

/// <summary>
/// etcd's Maintenance service. Each call speaks for the gateway's own member of the group (the member on its silo,
/// see <see cref="EtcdGroup.LocalMember"/>), as an etcd endpoint speaks for itself; a gateway without one answers
/// for the group's leader, as etcd's gRPC proxy forwards to a member.
/// </summary>
internal sealed partial class MaintenanceService(EtcdGateway gateway) : Proto.Maintenance.MaintenanceBase
{
    /// <summary>
    /// The etcd API version the gateway speaks: 3.4's protocol (<c>Protos/</c>). Clients compare the major and minor
    /// version to enable features; the patch number claims no etcd server release, so it is 0.
    /// </summary>
    public const string ApiVersion = "3.4.0";

    public override async Task<Proto.StatusResponse> Status(Proto.StatusRequest request, ServerCallContext context)
    {
        var group = await gateway.GroupAsync(context);
        var status = await group.RefreshStatusAsync(context.CancellationToken);
        var served = Speaker(group, status)
            ?? throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, $"etcdserver: no member of the key-value group '{group.GroupId}' answered."));
        var own = served.Status!;
        var store = await StoreStatusAsync(group, served, context.CancellationToken, includeSizes: true);
        var response = new Proto.StatusResponse
        {
            Header = group.Header(served.MemberId, store.Revision),
            Version = ApiVersion,
            DbSize = store.SnapshotBytes,
            DbSizeInUse = store.DataBytes,
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

    /// <summary>
    /// The hash of the key-value history up to the revision asked (0: the member's current one) from the gateway's own
    /// member, as it has applied it (see <see cref="HashKvResult"/>): members at the same revision answer the same hash.
    /// A gateway without its own member asks the leader (a linearizable read).
    /// </summary>
    public override async Task<Proto.HashKVResponse> HashKV(Proto.HashKVRequest request, ServerCallContext context)
    {
        var group = await gateway.GroupAsync(context);
        var query = new HashKvRequest { Revision = request.Revision };
        var status = group.Status ?? await group.RefreshStatusAsync(context.CancellationToken);
        HashKvResult hash;
        ulong servedBy;
        if (group.LocalMember(status) is { } local)
        {
            var reply = await group.Member(local.MemberId).ReadLocalAsync(query).WaitAsync(group.Options.Client.RequestTimeout, context.CancellationToken);
            hash = reply switch
            {
                { IsOk: true, Result: HashKvResult result } => result,
                { Result: ErrorResult error } => throw new RpcException(EtcdErrors.FromStore(error.Code, error.Message)),
                _ => throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, $"etcdserver: member {RaftMemberKey.Format(group.GroupId, local.MemberId)} did not answer ({reply.Status})")),
            };
            servedBy = local.MemberId;
        }
        else
        {
            var read = await group.Client.ReadAsync<HashKvResult>(query, KvCallOptions.Linearizable, context.CancellationToken);
            (hash, servedBy) = (read.Result, read.MemberId);
        }

        return new Proto.HashKVResponse
        {
            Header = group.Header(servedBy, hash.Revision),
            Hash = hash.Hash,

            // etcd's store reports -1 until its first compaction.
            CompactRevision = hash.CompactRevision == 0 ? -1 : hash.CompactRevision,
        };
    }

    /// <summary>
    /// Nothing to rewrite: the store keeps no backend file with free pages. Its history shrinks by compaction (a
    /// command), members fold applied entries into snapshots and delete the log rows behind them, and PostgreSQL
    /// reclaims deleted rows with its own vacuum. Answers as etcd does once a member has defragmented.
    /// </summary>
    public override async Task<Proto.DefragmentResponse> Defragment(Proto.DefragmentRequest request, ServerCallContext context)
    {
        var group = await gateway.GroupAsync(context);
        var status = group.Status ?? await group.RefreshStatusAsync(context.CancellationToken);
        var served = Speaker(group, status);
        return new Proto.DefragmentResponse { Header = group.Header(served?.MemberId ?? 0, await RevisionAsync(group, served, context.CancellationToken)) };
    }

    /// <summary>
    /// The alarm list is always empty: the store raises no alarm (no backend quota, no corruption check). Listing and
    /// disarming answer an empty list, as etcd without alarms does; raising one is refused.
    /// </summary>
    public override async Task<Proto.AlarmResponse> Alarm(Proto.AlarmRequest request, ServerCallContext context)
    {
        if (request.Action == Proto.AlarmRequest.Types.AlarmAction.Activate)
        {
            throw EtcdErrors.Unimplemented("alarms cannot be raised: the key-value store raises none.");
        }

        var group = await gateway.GroupAsync(context);
        var status = group.Status ?? await group.RefreshStatusAsync(context.CancellationToken);
        var served = Speaker(group, status);
        return new Proto.AlarmResponse { Header = group.Header(served?.MemberId ?? 0, await RevisionAsync(group, served, context.CancellationToken)) };
    }

    public override Task<Proto.HashResponse> Hash(Proto.HashRequest request, ServerCallContext context) =>
        throw EtcdErrors.Unimplemented("hash (of a backend file) is not supported: the store keeps none; use hashkv.");

    /// <summary>The member a call speaks for: the gateway's own member, else the leader, else the first member that answered.</summary>
    internal static RaftMemberView? Speaker(EtcdGroup group, RaftGroupStatus status) => group.LocalMember(status) ?? Representative(status);

    /// <summary>The member a status speaks for without an own member: the leader if it answered, else the first member that answered.</summary>
    internal static RaftMemberView? Representative(RaftGroupStatus status) =>
        status.Members.FirstOrDefault(m => m.Status is { Role: RaftMemberRole.Leader })
        ?? status.Members.FirstOrDefault(m => m.Status is not null);

    /// <summary>The store revision of <paramref name="member"/> as it is (a local read), or the group's when it does not answer.</summary>
    internal static async Task<long> RevisionAsync(EtcdGroup group, RaftMemberView? member, CancellationToken cancellationToken) =>
        (await StoreStatusAsync(group, member, cancellationToken)).Revision;

    /// <summary>The store's status at <paramref name="member"/> as it is (a local read), or the group's when it does not answer.</summary>
    private static async Task<StatusResult> StoreStatusAsync(EtcdGroup group, RaftMemberView? member, CancellationToken cancellationToken, bool includeSizes = false)
    {
        var query = new StatusRequest { IncludeSizes = includeSizes };
        if (member is not null)
        {
            var reply = await group.Member(member.MemberId).ReadLocalAsync(query).WaitAsync(group.Options.Client.AttemptTimeout, cancellationToken);
            if (reply is { IsOk: true, Result: StatusResult local })
            {
                return local;
            }
        }

        return (await group.Client.ReadAsync<StatusResult>(query, KvCallOptions.Serializable, cancellationToken)).Result;
    }
}
