using Google.Protobuf;
using Grpc.Core;
using OrleansRaft.Etcd.Concurrency;
using OrleansRaft.Etcd.Mapping;
using OrleansRaft.KeyValue;
using ElectionProto = OrleansRaft.Etcd.Protocol.Election;

namespace OrleansRaft.Etcd.Services;

/// <summary>
/// etcd's Election service (v3electionpb). A candidate's key is <c>name/lease-in-hex</c> on its lease, its value the
/// proclamation; the leader is the candidate whose key was created first, and a campaign waits until every key of the
/// name created before its own is gone. Leadership is proved by the key still having the create revision the
/// campaign returned (<see cref="ElectionProto.LeaderKey.Rev"/>): Proclaim and Resign compare it. Leadership ends with
/// Resign or with the lease (expired or revoked).
/// </summary>
internal sealed class ElectionService(EtcdGateway gateway) : ElectionProto.Election.ElectionBase
{
    /// <summary>etcd's messages; its election server returns them as they are, which gRPC answers as Unknown.</summary>
    private const string NotLeader = "election: not leader";

    private const string NoLeader = "election: no leader";

    private const string MissingLeaderKey = "\"leader\" field must be provided";

    public override async Task<ElectionProto.CampaignResponse> Campaign(ElectionProto.CampaignRequest request, ServerCallContext context)
    {
        var store = await RecipeStore.ForAsync(gateway, context);
        var lease = await store.SessionLeaseAsync(request.Lease);
        var prefix = RecipeStore.Prefix(request.Name);
        var key = RecipeStore.KeyOf(prefix, lease);
        var (txn, header) = await store.TxnAsync(new TxnRequest
        {
            Compares = [Compare.ForCreateRevision(key, CompareOperator.Equal, 0)],
            Success = [new PutRequest(key, request.Value.Memory) { Lease = lease }],
            Failure = [new RangeRequest(key)],
        });
        var leader = new ElectionProto.LeaderKey { Name = request.Name, Key = ByteString.CopyFrom(key), Rev = txn.Revision, Lease = lease };
        if (!txn.Succeeded)
        {
            // The lease campaigns already (an earlier call): the same key, with this call's value.
            var existing = ((RangeResult)txn.Responses[0]).Kvs[0];
            leader.Rev = existing.CreateRevision;
            if (!existing.Value.Span.SequenceEqual(request.Value.Span))
            {
                try
                {
                    await ProclaimAsync(store, leader, request.Value);
                }
                catch (Exception)
                {
                    await ResignAsync(store, leader);
                    throw;
                }
            }
        }

        try
        {
            await store.WaitDeletesAsync(prefix, leader.Rev - 1);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The caller gave up: its key must not take the lead later for nobody.
            await store.AbandonAsync(key);
            throw;
        }

        return new ElectionProto.CampaignResponse { Header = header, Leader = leader };
    }

    public override async Task<ElectionProto.ProclaimResponse> Proclaim(ElectionProto.ProclaimRequest request, ServerCallContext context)
    {
        var leader = request.Leader ?? throw Unknown(MissingLeaderKey);
        var store = await RecipeStore.ForAsync(gateway, context);
        return new ElectionProto.ProclaimResponse { Header = await ProclaimAsync(store, leader, request.Value) };
    }

    public override async Task<ElectionProto.ResignResponse> Resign(ElectionProto.ResignRequest request, ServerCallContext context)
    {
        var leader = request.Leader ?? throw Unknown(MissingLeaderKey);
        var store = await RecipeStore.ForAsync(gateway, context);
        return new ElectionProto.ResignResponse { Header = await ResignAsync(store, leader) };
    }

    public override async Task<ElectionProto.LeaderResponse> Leader(ElectionProto.LeaderRequest request, ServerCallContext context)
    {
        var store = await RecipeStore.ForAsync(gateway, context);
        var (first, header) = await store.ReadAsync(RecipeStore.FirstCreated(RecipeStore.Prefix(request.Name)));
        if (first.Kvs.Count == 0)
        {
            throw Unknown(NoLeader);
        }

        return new ElectionProto.LeaderResponse { Header = header, Kv = StoreMapping.ToProto(first.Kvs[0]) };
    }

    /// <summary>
    /// The leader, then each of its proclamations, then the next leader once its key is gone, and so on until the call
    /// ends. While nobody leads, waits for the first key put under the name.
    /// </summary>
    public override async Task Observe(ElectionProto.LeaderRequest request, IServerStreamWriter<ElectionProto.LeaderResponse> responseStream, ServerCallContext context)
    {
        var store = await RecipeStore.ForAsync(gateway, context);
        var prefix = RecipeStore.Prefix(request.Name);
        while (true)
        {
            var (first, header) = await store.ReadAsync(RecipeStore.FirstCreated(prefix));
            KeyValueEntry leader;
            if (first.Kvs.Count > 0)
            {
                leader = first.Kvs[0];
            }
            else
            {
                leader = await FirstPutAsync(store, prefix, first.Revision);
                header = store.EventHeader(leader.ModRevision);
            }

            await responseStream.WriteAsync(new ElectionProto.LeaderResponse { Header = header, Kv = StoreMapping.ToProto(leader) }, context.CancellationToken);
            await foreach (var e in store.WatchAsync(leader.Key, default, header.Revision + 1))
            {
                if (e.Type == KvEventType.Delete)
                {
                    break;
                }

                await responseStream.WriteAsync(
                    new ElectionProto.LeaderResponse { Header = store.EventHeader(e.Kv.ModRevision), Kv = StoreMapping.ToProto(e.Kv) }, context.CancellationToken);
            }
        }
    }

    private static async Task<KeyValueEntry> FirstPutAsync(RecipeStore store, byte[] prefix, long fromRevision)
    {
        await foreach (var e in store.WatchAsync(prefix, KeyRanges.PrefixEnd(prefix), fromRevision))
        {
            if (e.Type == KvEventType.Put)
            {
                return e.Kv;
            }
        }

        throw new OperationCanceledException();
    }

    /// <summary>Replaces the leader's value, keeping its lease, while its key has the campaign's create revision.</summary>
    private static async Task<Protocol.ResponseHeader> ProclaimAsync(RecipeStore store, ElectionProto.LeaderKey leader, ByteString value)
    {
        var key = leader.Key.Memory;
        var (txn, header) = await store.TxnAsync(new TxnRequest
        {
            Compares = [Compare.ForCreateRevision(key, CompareOperator.Equal, leader.Rev)],
            Success = [new PutRequest(key, value.Memory) { IgnoreLease = true }],
        });
        return txn.Succeeded ? header : throw Unknown(NotLeader);
    }

    /// <summary>Deletes the leader's key while it has the campaign's create revision; a key that is gone already is no error.</summary>
    private static async Task<Protocol.ResponseHeader> ResignAsync(RecipeStore store, ElectionProto.LeaderKey leader)
    {
        var key = leader.Key.Memory;
        var (_, header) = await store.TxnAsync(new TxnRequest
        {
            Compares = [Compare.ForCreateRevision(key, CompareOperator.Equal, leader.Rev)],
            Success = [new DeleteRangeRequest(key)],
        });
        return header;
    }

    private static RpcException Unknown(string message) => new(new Status(StatusCode.Unknown, message));
}
