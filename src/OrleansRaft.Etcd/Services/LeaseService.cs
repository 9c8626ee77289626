using Grpc.Core;
using OrleansRaft.Client;
using OrleansRaft.Etcd.Auth;
using OrleansRaft.KeyValue;
using Proto = OrleansRaft.Etcd.Protocol;

namespace OrleansRaft.Etcd.Services;

/// <summary>
/// etcd's Lease service. Grants, revocations and keepalives go through the log; leases expire on the leader's
/// replicated clock (see <see cref="TickRequest"/>). Time-to-live and the lease list are linearizable reads.
/// </summary>
internal sealed class LeaseService(EtcdGateway gateway) : Proto.Lease.LeaseBase
{
    public override async Task<Proto.LeaseGrantResponse> LeaseGrant(Proto.LeaseGrantRequest request, ServerCallContext context)
    {
        var group = await gateway.GroupAsync(context);
        var kv = group.Client;
        var write = await kv.WriteAsync<LeaseGrantResult>(gateway.CallerOf(context, group).Wrap(new LeaseGrantRequest(request.TTL) { Id = request.ID }), cancellationToken: context.CancellationToken);
        return new Proto.LeaseGrantResponse
        {
            Header = await group.LeaderHeaderAsync(write.MemberId, write.Result.Revision, context.CancellationToken),
            ID = write.Result.Id,
            TTL = write.Result.TtlSeconds,
        };
    }

    public override async Task<Proto.LeaseRevokeResponse> LeaseRevoke(Proto.LeaseRevokeRequest request, ServerCallContext context)
    {
        var group = await gateway.GroupAsync(context);
        var kv = group.Client;
        var write = await kv.WriteAsync<LeaseRevokeResult>(gateway.CallerOf(context, group).Wrap(new LeaseRevokeRequest(request.ID)), cancellationToken: context.CancellationToken);

        // A revoke deletes the lease's keys: the connection's serializable reads must see them gone.
        CallFloor.Of(context, group).Answered(write.Result.Revision);
        return new Proto.LeaseRevokeResponse { Header = await group.LeaderHeaderAsync(write.MemberId, write.Result.Revision, context.CancellationToken) };
    }

    /// <summary>
    /// Answers each keepalive in the order they arrive, with the lease's TTL, or TTL 0 when the lease does not
    /// exist (as etcd does); the stream stays open until the client ends it.
    /// </summary>
    public override async Task LeaseKeepAlive(
        IAsyncStreamReader<Proto.LeaseKeepAliveRequest> requestStream, IServerStreamWriter<Proto.LeaseKeepAliveResponse> responseStream, ServerCallContext context)
    {
        // Every keepalive of the call is served by the group the call named.
        var group = await gateway.GroupAsync(context);
        try
        {
            await KeepAliveAsync(group, gateway.CallerOf(context, group), requestStream, responseStream, context.CancellationToken);
        }
        catch (IOException)
        {
            // The client went away without ending the call.
        }
    }

    private static async Task KeepAliveAsync(
        EtcdGroup group, EtcdCaller caller, IAsyncStreamReader<Proto.LeaseKeepAliveRequest> requestStream, IServerStreamWriter<Proto.LeaseKeepAliveResponse> responseStream, CancellationToken cancellationToken)
    {
        var kv = group.Client;
        await foreach (var request in requestStream.ReadAllAsync(cancellationToken))
        {
            Proto.LeaseKeepAliveResponse response;
            try
            {
                var write = await kv.WriteAsync<LeaseKeepAliveResult>(caller.Wrap(new LeaseKeepAliveRequest(request.ID)), cancellationToken: cancellationToken);
                response = new Proto.LeaseKeepAliveResponse
                {
                    Header = await group.LeaderHeaderAsync(write.MemberId, write.Result.Revision, cancellationToken),
                    ID = request.ID,
                    TTL = write.Result.TtlSeconds,
                };
            }
            catch (KvRequestException e) when (e.Code == KvErrorCode.LeaseNotFound)
            {
                response = new Proto.LeaseKeepAliveResponse { Header = group.Header(kv.Leader, e.Revision), ID = request.ID, TTL = 0 };
            }

            await responseStream.WriteAsync(response, cancellationToken);
        }
    }

    /// <summary>TTL -1 when the lease does not exist, as in etcd.</summary>
    public override async Task<Proto.LeaseTimeToLiveResponse> LeaseTimeToLive(Proto.LeaseTimeToLiveRequest request, ServerCallContext context)
    {
        var group = await gateway.GroupAsync(context);
        var kv = group.Client;
        try
        {
            var read = await kv.ReadAsync<LeaseTimeToLiveResult>(
                gateway.CallerOf(context, group).Wrap(new LeaseTimeToLiveRequest(request.ID) { Keys = request.Keys }), KvCallOptions.Linearizable, context.CancellationToken);
            var result = read.Result;
            var response = new Proto.LeaseTimeToLiveResponse
            {
                Header = await group.LeaderHeaderAsync(read.MemberId, result.Revision, context.CancellationToken),
                ID = result.Id,
                TTL = result.RemainingTtlSeconds,
                GrantedTTL = result.GrantedTtlSeconds,
            };
            foreach (var key in result.Keys)
            {
                response.Keys.Add(Google.Protobuf.ByteString.CopyFrom(key.Span));
            }

            return response;
        }
        catch (KvRequestException e) when (e.Code == KvErrorCode.LeaseNotFound)
        {
            return new Proto.LeaseTimeToLiveResponse { Header = group.Header(kv.Leader, e.Revision), ID = request.ID, TTL = -1 };
        }
    }

    public override async Task<Proto.LeaseLeasesResponse> LeaseLeases(Proto.LeaseLeasesRequest request, ServerCallContext context)
    {
        var group = await gateway.GroupAsync(context);
        var kv = group.Client;
        var read = await kv.ReadAsync<LeaseListResult>(gateway.CallerOf(context, group).Wrap(new LeaseListRequest()), KvCallOptions.Linearizable, context.CancellationToken);
        var response = new Proto.LeaseLeasesResponse { Header = await group.LeaderHeaderAsync(read.MemberId, read.Result.Revision, context.CancellationToken) };
        foreach (var id in read.Result.Ids)
        {
            response.Leases.Add(new Proto.LeaseStatus { ID = id });
        }

        return response;
    }
}
