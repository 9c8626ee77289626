using System.Diagnostics;
using Grpc.Core;
using OrleansRaft.Abstractions;
using Proto = OrleansRaft.Etcd.Protocol;

namespace OrleansRaft.Etcd.Services;

internal sealed partial class MaintenanceService
{
    private const string NotLeader = "etcdserver: not leader";
    private const string BadLeaderTransferee = "etcdserver: bad leader transferee";
    private const string LeaderTransferTimedOut = "etcdserver: request timed out, leader transfer took too long";

    /// <summary>How often a transfer under way is checked for its end.</summary>
    private static readonly TimeSpan TransferPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Hands leadership to the member <c>target_id</c> names (its etcd id) and answers once that member leads, as
    /// etcd's MoveLeader does. As with etcd, only the leader's endpoint can be asked: a gateway whose own member does
    /// not lead answers <c>etcdserver: not leader</c>; a gateway without an own member asks the leader. A target that is
    /// no member of the group answers <c>etcdserver: bad leader transferee</c>; the leader itself as target succeeds at
    /// once.
    /// </summary>
    public override async Task<Proto.MoveLeaderResponse> MoveLeader(Proto.MoveLeaderRequest request, ServerCallContext context)
    {
        var group = await gateway.GroupAsync(context);
        var status = await group.RefreshStatusAsync(context.CancellationToken);
        var leader = Speaker(group, status);
        if (leader?.Status is not { Role: RaftMemberRole.Leader })
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition, NotLeader));
        }

        var target = status.Members.FirstOrDefault(m => group.EtcdMemberId(m.MemberId) == request.TargetID)
            ?? throw new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition, BadLeaderTransferee));
        if (target.MemberId != leader.MemberId)
        {
            var grain = group.Member(leader.MemberId).Grain;
            if (!await grain.TransferLeadershipAsync(target.MemberId).WaitAsync(group.Options.Client.AttemptTimeout, context.CancellationToken))
            {
                throw new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition, NotLeader));
            }

            await WaitForLeaderAsync(group, target.MemberId, context.CancellationToken);
        }

        var revision = await RevisionAsync(group, leader, context.CancellationToken);
        return new Proto.MoveLeaderResponse { Header = group.Header(leader.MemberId, revision) };
    }

    /// <summary>Waits until <paramref name="target"/> reports that it leads, within the client's request timeout.</summary>
    private static async Task WaitForLeaderAsync(EtcdGroup group, ulong target, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var grain = group.Member(target).Grain;
        while ((await grain.GetStatusAsync().WaitAsync(group.Options.Client.AttemptTimeout, cancellationToken)).Role != RaftMemberRole.Leader)
        {
            if (clock.Elapsed > group.Options.Client.RequestTimeout)
            {
                throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, LeaderTransferTimedOut));
            }

            await Task.Delay(TransferPoll, cancellationToken);
        }

        // Headers after the move carry the new leader's term.
        await group.RefreshStatusAsync(cancellationToken);
    }
}
