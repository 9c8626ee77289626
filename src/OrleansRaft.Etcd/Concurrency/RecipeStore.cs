using System.Globalization;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using OrleansRaft.Client;
using OrleansRaft.Etcd.Auth;
using OrleansRaft.Etcd.Diagnostics;
using OrleansRaft.KeyValue;
using Proto = OrleansRaft.Etcd.Protocol;

namespace OrleansRaft.Etcd.Concurrency;

/// <summary>
/// The store operations that etcd's lock and election services are built from, as etcd builds them (clientv3's
/// concurrency package): a session is a lease; a contender's key is <c>name/lease-in-hex</c>, created on that lease;
/// contenders are ordered by create revision, and each waits until no key of the name created before its own is left.
/// Every read is linearizable and every write goes through the log, so the order is the log's. A store refusal is
/// answered as etcd's lock and election servers answer it: they call the store through etcd's client, so the error
/// reaches the caller with etcd's message and gRPC's Unknown code.
/// </summary>
internal sealed class RecipeStore(EtcdGroup group, EtcdCaller caller, CallFloor floor, CancellationToken cancellationToken)
{
    /// <summary>The lease a call without one gets, as etcd's server-side session: 60 s, and nobody keeps it alive.</summary>
    public const long SessionTtlSeconds = 60;

    private KvClient Kv => group.Client;

    /// <summary>The store of the group that serves the call, as its caller, raising its connection's read floor.</summary>
    public static async Task<RecipeStore> ForAsync(EtcdGateway gateway, ServerCallContext context)
    {
        var group = await gateway.GroupAsync(context);
        return new RecipeStore(group, gateway.CallerOf(context, group), CallFloor.Of(context, group), context.CancellationToken);
    }

    public EtcdGroup Group => group;

    /// <summary>The call's lease: <paramref name="requested"/>, or a new one of <see cref="SessionTtlSeconds"/> for 0.</summary>
    public async Task<long> SessionLeaseAsync(long requested)
    {
        if (requested != 0)
        {
            return requested;
        }

        var granted = await RefusedAsUnknown(Kv.WriteAsync<LeaseGrantResult>(new LeaseGrantRequest(SessionTtlSeconds), cancellationToken: cancellationToken));
        return granted.Result.Id;
    }

    /// <summary><c>name/</c>: every contender's key starts with it.</summary>
    public static byte[] Prefix(ByteString name)
    {
        var prefix = new byte[name.Length + 1];
        name.Span.CopyTo(prefix);
        prefix[^1] = (byte)'/';
        return prefix;
    }

    /// <summary>The contender's key of <paramref name="lease"/>: the prefix and the lease id in lower-case hex (Go's <c>%x</c>).</summary>
    public static byte[] KeyOf(byte[] prefix, long lease)
    {
        var hex = lease >= 0
            ? lease.ToString("x", CultureInfo.InvariantCulture)
            : "-" + ((ulong)-(lease + 1) + 1).ToString("x", CultureInfo.InvariantCulture);
        return [.. prefix, .. Encoding.ASCII.GetBytes(hex)];
    }

    /// <summary>A transaction through the log, and its header.</summary>
    public async Task<(TxnResult Result, Proto.ResponseHeader Header)> TxnAsync(TxnRequest txn)
    {
        var write = await RefusedAsUnknown(Kv.WriteAsync<TxnResult>(caller.Wrap(txn), cancellationToken: cancellationToken));
        floor.Answered(write.Result.Revision);
        return (write.Result, await group.LeaderHeaderAsync(write.MemberId, write.Result.Revision, cancellationToken));
    }

    /// <summary>Deletes <paramref name="key"/> through the log.</summary>
    public async Task<Proto.ResponseHeader> DeleteAsync(ReadOnlyMemory<byte> key)
    {
        var write = await RefusedAsUnknown(Kv.WriteAsync<DeleteRangeResult>(caller.Wrap(new DeleteRangeRequest(key)), cancellationToken: cancellationToken));
        floor.Answered(write.Result.Revision);
        return await group.LeaderHeaderAsync(write.MemberId, write.Result.Revision, cancellationToken);
    }

    /// <summary>
    /// Deletes the key of a wait that ended without the caller holding (its call cancelled, or a failure), with a
    /// bound of its own since the call's token may have ended. Best effort: the key's lease ends it otherwise.
    /// </summary>
    public async Task AbandonAsync(ReadOnlyMemory<byte> key)
    {
        try
        {
            using var bound = new CancellationTokenSource(group.Options.Client.RequestTimeout);
            await Kv.WriteAsync<DeleteRangeResult>(caller.Wrap(new DeleteRangeRequest(key)), cancellationToken: bound.Token);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or OrleansException or KvRequestException)
        {
            EtcdLogMessages.AbandonFailed(group.Logger, group.GroupId, e);
        }
    }

    /// <summary>The range of the name's keys, the first created first, one of them: who holds the lock or leads.</summary>
    public static RangeRequest FirstCreated(byte[] prefix) => new(prefix)
    {
        RangeEnd = KeyRanges.PrefixEnd(prefix),
        SortTarget = SortTarget.Create,
        SortOrder = SortOrder.Ascend,
        Limit = 1,
    };

    /// <summary>Reads <paramref name="range"/> linearizably, with its header.</summary>
    public async Task<(RangeResult Result, Proto.ResponseHeader Header)> ReadAsync(RangeRequest range)
    {
        var read = await RefusedAsUnknown(Kv.ReadAsync<RangeResult>(caller.Wrap(range), KvCallOptions.Linearizable, cancellationToken));
        floor.Answered(read.Result.Revision);
        return (read.Result, await group.LeaderHeaderAsync(read.MemberId, read.Result.Revision, cancellationToken));
    }

    /// <summary>
    /// Waits until no key of the name created at <paramref name="maxCreateRevision"/> or before is left: each round
    /// reads the last one created, and waits for its deletion. Returns the header of the read that found none.
    /// </summary>
    public async Task<Proto.ResponseHeader> WaitDeletesAsync(byte[] prefix, long maxCreateRevision)
    {
        while (true)
        {
            var (last, header) = await ReadAsync(new RangeRequest(prefix)
            {
                RangeEnd = KeyRanges.PrefixEnd(prefix),
                MaxCreateRevision = maxCreateRevision,
                SortTarget = SortTarget.Create,
                SortOrder = SortOrder.Descend,
                Limit = 1,
            });
            if (last.Kvs.Count == 0)
            {
                return header;
            }

            await WaitDeleteAsync(last.Kvs[0].Key, last.Revision);
        }
    }

    /// <summary>The events on a key or range from <paramref name="fromRevision"/> on, until the call ends, read as the caller.</summary>
    public IAsyncEnumerable<KvEvent> WatchAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> rangeEnd, long fromRevision) =>
        Kv.WatchAsync(key, rangeEnd, fromRevision, null, caller.Wrap, cancellationToken);

    /// <summary>A header for an event of a watch: the leader as the client knows it, at the event's revision.</summary>
    public Proto.ResponseHeader EventHeader(long revision) => group.Header(Kv.Leader, revision);

    private static async Task<T> RefusedAsUnknown<T>(Task<T> call)
    {
        try
        {
            return await call;
        }
        catch (KvRequestException refused)
        {
            throw new RpcException(new Status(StatusCode.Unknown, EtcdErrors.FromStore(refused.Code, refused.Message).Detail));
        }
    }

    private async Task WaitDeleteAsync(ReadOnlyMemory<byte> key, long fromRevision)
    {
        await foreach (var e in WatchAsync(key, default, fromRevision))
        {
            if (e.Type == KvEventType.Delete)
            {
                return;
            }
        }
    }
}
