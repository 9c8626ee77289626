using Grpc.Core;
using OrleansRaft.Client;
using OrleansRaft.Etcd.Auth;
using OrleansRaft.Etcd.Mapping;
using OrleansRaft.KeyValue;
using Proto = OrleansRaft.Etcd.Protocol;

namespace OrleansRaft.Etcd.Services;

/// <summary>
/// Serves a range as etcd does: limit 0 means every key. The store answers at most a page (see
/// <see cref="KvLimits.MaxResultCount"/> and <see cref="KvLimits.MaxResultBytes"/>), so a range sorted by key
/// continues page by page at the first page's revision, from any member that reached it.
/// </summary>
internal static class RangeReader
{
    public static async Task<Proto.RangeResponse> ReadAsync(EtcdGroup group, EtcdCaller caller, Proto.RangeRequest request, CallFloor floor, CancellationToken cancellationToken)
    {
        var kv = group.Client;
        var first = StoreMapping.ToStore(request);
        var consistency = request.Serializable ? floor.Serializable : KvCallOptions.Linearizable;
        var read = await kv.ReadAsync<RangeResult>(caller.Wrap(first), consistency, cancellationToken);
        var result = read.Result;
        floor.Answered(result.Revision);
        var header = request.Serializable
            ? group.Header(read.MemberId, result.Revision)
            : await group.LeaderHeaderAsync(read.MemberId, result.Revision, cancellationToken);
        var wanted = request.Limit > 0 ? request.Limit : long.MaxValue;
        if (!result.More || request.CountOnly || result.Kvs.Count >= wanted)
        {
            return StoreMapping.ToProto(result, header);
        }

        if (first.SortTarget != SortTarget.Key)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"OrleansRaft etcd gateway: the range holds {result.Count} keys; a range sorted by {request.SortTarget} is served up to {result.Kvs.Count} keys. Set a limit, or sort by key."));
        }

        var descending = first.SortOrder == SortOrder.Descend;
        var at = first.Revision > 0 ? first.Revision : result.Revision;
        var kvs = new List<KeyValueEntry>(result.Kvs);
        var more = true;
        while (more && kvs.Count < wanted)
        {
            var last = kvs[^1].Key;
            var next = new RangeRequest(descending ? first.Key : After(last))
            {
                RangeEnd = descending ? last : first.RangeEnd,
                Revision = at,
                Limit = wanted == long.MaxValue ? 0 : wanted - kvs.Count,
                SortOrder = first.SortOrder,
                KeysOnly = first.KeysOnly,
                MinModRevision = first.MinModRevision,
                MaxModRevision = first.MaxModRevision,
                MinCreateRevision = first.MinCreateRevision,
                MaxCreateRevision = first.MaxCreateRevision,
            };

            // Every member that reached the pinned revision answers the same page.
            var page = (await kv.ReadAsync<RangeResult>(caller.Wrap(next), KvCallOptions.Serializable with { MinRevision = at }, cancellationToken)).Result;
            kvs.AddRange(page.Kvs);
            more = page.More;
        }

        // The count is every key of the range, the revision filters left aside (as etcd's): the last page says
        // whether more key-values passed them.
        var response = new Proto.RangeResponse { Header = header, More = more, Count = result.Count };
        foreach (var kv1 in kvs)
        {
            response.Kvs.Add(StoreMapping.ToProto(kv1));
        }

        return response;
    }

    /// <summary>The smallest key after <paramref name="key"/>: the key with a zero byte appended.</summary>
    private static byte[] After(ReadOnlyMemory<byte> key)
    {
        var next = new byte[key.Length + 1];
        key.Span.CopyTo(next);
        return next;
    }
}
