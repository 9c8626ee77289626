using Google.Protobuf;
using Grpc.Core;
using OrleansRaft.Etcd.Concurrency;
using OrleansRaft.KeyValue;
using LockProto = OrleansRaft.Etcd.Protocol.Lock;

namespace OrleansRaft.Etcd.Services;

/// <summary>
/// etcd's Lock service (v3lockpb). Lock puts the caller's key <c>name/lease-in-hex</c> on its lease (or finds it there
/// from an earlier Lock of the same lease), then waits until every key of the name created before it is gone: the
/// holder is the contender whose key was created first. The lock ends with Unlock (the key deleted) or with the lease
/// (expired or revoked: the store deletes its keys). A Lock whose call ends before it holds deletes its key.
/// </summary>
internal sealed class LockService(EtcdGateway gateway) : LockProto.Lock.LockBase
{
    public override async Task<LockProto.LockResponse> Lock(LockProto.LockRequest request, ServerCallContext context)
    {
        var store = await RecipeStore.ForAsync(gateway, context);
        var lease = await store.SessionLeaseAsync(request.Lease);
        var prefix = RecipeStore.Prefix(request.Name);
        var key = RecipeStore.KeyOf(prefix, lease);
        var (txn, header) = await store.TxnAsync(new TxnRequest
        {
            Compares = [Compare.ForCreateRevision(key, CompareOperator.Equal, 0)],
            Success = [new PutRequest(key, ReadOnlyMemory<byte>.Empty) { Lease = lease }, RecipeStore.FirstCreated(prefix)],
            Failure = [new RangeRequest(key), RecipeStore.FirstCreated(prefix)],
        });
        var mine = txn.Succeeded ? txn.Revision : ((RangeResult)txn.Responses[0]).Kvs[0].CreateRevision;
        var owner = ((RangeResult)txn.Responses[1]).Kvs;
        if (owner.Count > 0 && owner[0].CreateRevision != mine)
        {
            try
            {
                header = await store.WaitDeletesAsync(prefix, mine - 1);
            }
            catch (Exception)
            {
                // The call ended (or failed) while waiting: the key must not take the lock later for nobody.
                await store.AbandonAsync(key);
                throw;
            }
        }

        return new LockProto.LockResponse { Header = header, Key = ByteString.CopyFrom(key) };
    }

    public override async Task<LockProto.UnlockResponse> Unlock(LockProto.UnlockRequest request, ServerCallContext context)
    {
        var store = await RecipeStore.ForAsync(gateway, context);
        return new LockProto.UnlockResponse { Header = await store.DeleteAsync(request.Key.Memory) };
    }
}
