using System.Collections.Concurrent;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using OrleansRaft.Testing;

namespace OrleansRaft.Etcd.Tests.Infrastructure;

/// <summary>
/// The recipes applications build on dotnet-etcd: a lock (etcd's Lock service) guarding a read-modify-write, a leader
/// election (Campaign, Proclaim, Leader, Observe, Resign) with writes fenced by the leader key, and a compare-and-swap
/// retry loop. Each runs several workers at once and returns its outcome as text, which must be the same on every
/// server. A call that fails as etcd's clients retry (Unavailable, DeadlineExceeded) is retried: each retried step is
/// idempotent (Lock and Campaign with the same lease find their key again; a swap's value names its writer).
/// </summary>
public static class DotnetEtcdRecipes
{
    private static readonly TimeSpan WaitBound = TimeSpan.FromSeconds(60);

    /// <summary>Workers take the lock in turn, each to increment a counter by reading and writing it.</summary>
    public static async Task<string> LockAsync(EtcdClient client, string prefix, int workers, int rounds)
    {
        var overlaps = 0;
        await Task.WhenAll(Enumerable.Range(1, workers).Select(worker => Task.Run(async () =>
        {
            for (var round = 0; round < rounds; round++)
            {
                var lease = (await RetryAsync(() => client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 60 }, deadline: Deadline()))).ID;
                var held = await RetryAsync(() => client.LockAsync(prefix + "lock", lease, deadline: DateTime.UtcNow.Add(WaitBound)));
                await RetryAsync(() => client.PutAsync(prefix + "holder", $"{worker}", deadline: Deadline()));
                var count = int.Parse(await RetryAsync(() => client.GetValAsync(prefix + "counter", deadline: Deadline())) is { Length: > 0 } v ? v : "0");
                await RetryAsync(() => client.PutAsync(prefix + "counter", $"{count + 1}", deadline: Deadline()));
                if (await RetryAsync(() => client.GetValAsync(prefix + "holder", deadline: Deadline())) != $"{worker}")
                {
                    Interlocked.Increment(ref overlaps);
                }

                await RetryAsync(() => client.UnlockAsync(held.Key.ToStringUtf8(), deadline: Deadline()));
                await RevokeAsync(client, lease);
            }
        })));

        var left = await RetryAsync(() => client.GetRangeAsync(prefix + "lock/", deadline: Deadline()));
        return $"counter {await client.GetValAsync(prefix + "counter", deadline: Deadline())}, overlapping holders {overlaps}, lock keys left {left.Count}";
    }

    /// <summary>
    /// Candidates campaign in turn; each leader proclaims, checks that Leader names it, and adds one to a term counter
    /// with a transaction fenced by its leader key's create revision, then resigns. An observer follows along.
    /// </summary>
    public static async Task<string> ElectionAsync(EtcdClient client, string prefix, int candidates, int rounds)
    {
        var name = prefix + "election";
        var observed = new ConcurrentQueue<string>();
        using var stopObserving = new CancellationTokenSource();
        var observer = Task.Run(async () =>
        {
            await foreach (var response in client.ObserveAsync(new V3Electionpb.LeaderRequest { Name = ByteString.CopyFromUtf8(name) }, cancellationToken: stopObserving.Token))
            {
                observed.Enqueue(response.Kv.Value.ToStringUtf8());
            }
        });
        var (wrongLeader, unfenced) = (0, 0);
        await Task.WhenAll(Enumerable.Range(1, candidates).Select(candidate => Task.Run(async () =>
        {
            for (var round = 0; round < rounds; round++)
            {
                var lease = (await RetryAsync(() => client.LeaseGrantAsync(new LeaseGrantRequest { TTL = 60 }, deadline: Deadline()))).ID;
                var campaign = await RetryAsync(() => client.CampaignAsync(name, lease, $"c{candidate}r{round}", deadline: DateTime.UtcNow.Add(WaitBound)));
                var proclaimed = $"c{candidate}r{round} leads";
                await RetryAsync(() => client.ProclaimAsync(campaign.Leader, proclaimed, deadline: Deadline()));
                if ((await RetryAsync(() => client.LeaderAsync(name, deadline: Deadline()))).Kv.Value.ToStringUtf8() != proclaimed)
                {
                    Interlocked.Increment(ref wrongLeader);
                }

                if (!await FencedIncrementAsync(client, prefix + "terms", campaign.Leader))
                {
                    Interlocked.Increment(ref unfenced);
                }

                await RetryAsync(() => client.ResignAsync(campaign.Leader, deadline: Deadline()));
                await RevokeAsync(client, lease);
            }
        })));

        // The observer sees leaders and proclamations in order, but may skip a leader that came and went between its reads.
        await EtcdGatewayCluster.WaitUntilAsync(() => Task.FromResult(observed.Any(v => v.EndsWith(" leads", StringComparison.Ordinal))), "the observer to see a proclamation");
        await stopObserving.CancelAsync();
        await observer.ContinueWith(_ => { }, TaskScheduler.Default);
        var values = Enumerable.Range(1, candidates).SelectMany(c => Enumerable.Range(0, rounds).SelectMany(r => new[] { $"c{c}r{r}", $"c{c}r{r} leads" })).ToHashSet();
        var left = await RetryAsync(() => client.GetRangeAsync(name + "/", deadline: Deadline()));
        return $"terms {await client.GetValAsync(prefix + "terms", deadline: Deadline())}, Leader named another {wrongLeader}, fenced writes refused {unfenced}, "
            + $"observed only candidates' values {observed.All(values.Contains)}, candidate keys left {left.Count}";
    }

    /// <summary>Workers each add one to a counter <paramref name="rounds"/> times: read, then swap if unchanged, else again.</summary>
    public static async Task<string> CompareAndSwapAsync(EtcdClient client, string prefix, int workers, int rounds)
    {
        var key = prefix + "counter";
        await Task.WhenAll(Enumerable.Range(1, workers).Select(worker => Task.Run(async () =>
        {
            for (var round = 0; round < rounds; round++)
            {
                var mine = $"{worker}.{round}";
                while (true)
                {
                    var current = await RetryAsync(() => client.GetAsync(key, deadline: Deadline()));
                    var kv = current.Kvs.SingleOrDefault();
                    var (count, writer) = kv is null ? (0, "") : Parse(kv.Value.ToStringUtf8());
                    if (writer == mine)
                    {
                        // A swap whose answer was lost, found applied.
                        break;
                    }

                    var swap = new TxnRequest
                    {
                        Compare = { new Compare { Key = ByteString.CopyFromUtf8(key), Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = kv?.ModRevision ?? 0 } },
                        Success = { new RequestOp { RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8($"{count + 1} {mine}") } } },
                    };
                    try
                    {
                        if ((await client.TransactionAsync(swap, deadline: Deadline())).Succeeded)
                        {
                            break;
                        }
                    }
                    catch (RpcException e) when (Retryable(e))
                    {
                        // Applied or not: the next read tells.
                    }
                }
            }
        })));

        var (total, _) = Parse(await client.GetValAsync(key, deadline: Deadline()));
        return $"counter {total}";
    }

    private static async Task<bool> FencedIncrementAsync(EtcdClient client, string key, V3Electionpb.LeaderKey leader)
    {
        while (true)
        {
            var current = await RetryAsync(() => client.GetAsync(key, deadline: Deadline()));
            var kv = current.Kvs.SingleOrDefault();
            var txn = new TxnRequest
            {
                Compare =
                {
                    new Compare { Key = leader.Key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = leader.Rev },
                    new Compare { Key = ByteString.CopyFromUtf8(key), Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = kv?.ModRevision ?? 0 },
                },
                Success = { new RequestOp { RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8($"{(kv is null ? 0 : int.Parse(kv.Value.ToStringUtf8())) + 1}") } } },
            };
            try
            {
                return (await client.TransactionAsync(txn, deadline: Deadline())).Succeeded;
            }
            catch (RpcException e) when (Retryable(e))
            {
                // Only the leader writes the counter: a read shows whether the lost answer's write applied.
                var after = (await RetryAsync(() => client.GetAsync(key, deadline: Deadline()))).Kvs.SingleOrDefault();
                if (after is not null && after.ModRevision != kv?.ModRevision)
                {
                    return true;
                }
            }
        }
    }

    /// <summary>Revokes a lease; a retried revoke whose first answer was lost finds it gone, which is what it wanted.</summary>
    private static async Task RevokeAsync(EtcdClient client, long lease)
    {
        try
        {
            await RetryAsync(() => client.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease }, deadline: Deadline()));
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
        }
    }

    private static (int Count, string Writer) Parse(string value)
    {
        var parts = value.Split(' ');
        return (int.Parse(parts[0]), parts.Length > 1 ? parts[1] : "");
    }

    private static DateTime Deadline() => EtcdClients.Deadline();

    private static bool Retryable(RpcException e) => e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded;

    /// <summary>Calls until the answer is not one that says to retry, as etcd's own clients do, within <see cref="WaitBound"/>.</summary>
    private static async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        T result = default!;
        await RaftWait.UntilAsync(async () =>
        {
            try
            {
                result = await call();
                return true;
            }
            catch (RpcException e) when (Retryable(e))
            {
                return false;
            }
        }, WaitBound, "an etcd call to be answered other than with a retry");
        return result;
    }
}
