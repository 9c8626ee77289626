using System.Collections.Concurrent;
using OrleansRaft.Client;
using OrleansRaft.KeyValue.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansRaft.KeyValue.Integration.Tests;

/// <summary>A notified watch across a leader's crash; the test runs on its own cluster.</summary>
[Collection(SiloFaultCollection.Name)]
public sealed class PushWatchFailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_watch_subscribed_to_the_leader_sees_every_put_once_in_order_across_the_leaders_crash()
    {
        await using var kv = await KvCluster.StartAsync(3, snapshotEveryEntries: 100);
        const string group = "kv-push-failover";
        var members = await kv.CreateGroupAsync(group);
        var options = new KvClientOptions { RequestTimeout = KvCluster.Bound, AttemptTimeout = TimeSpan.FromSeconds(1) };
        await using var writer = await kv.ConnectAsync(group, options);
        await using var watcher = await kv.ConnectAsync(group, options);
        var leader = await kv.WaitForLeaderAsync(group, members);
        await kv.ResolveMembersAsync(group, members);
        var start = await writer.PutAsync("/start", "s");

        // Two watches: one on the whole prefix, one on a single key that the writers keep overwriting.
        const int writers = 3;
        const int putsPerWriter = 50;
        using var stop = new CancellationTokenSource(KvCluster.Bound * 3);
        var all = Watch(watcher.WatchPrefixAsync("/w", start.Revision + 1, cancellationToken: stop.Token), writers * putsPerWriter + putsPerWriter);
        var one = Watch(watcher.WatchAsync(KvBytes.From("/w-shared"), fromRevision: start.Revision + 1, cancellationToken: stop.Token), putsPerWriter);

        var acknowledged = new ConcurrentDictionary<long, string>();
        var count = 0;
        using var killAt = new SemaphoreSlim(0);
        var stream = Task.WhenAll(Enumerable.Range(0, writers + 1).Select(async w =>
        {
            for (var i = 0; i < putsPerWriter; i++)
            {
                var key = w == writers ? "/w-shared" : $"/w{w}/{i:D2}";
                var put = await writer.PutAsync(key, $"{w}-{i}");
                Assert.True(acknowledged.TryAdd(put.Revision, key));
                if (Interlocked.Increment(ref count) == (writers + 1) * putsPerWriter / 3)
                {
                    killAt.Release();
                }
            }
        }));

        Assert.True(await killAt.WaitAsync(KvCluster.Bound), $"Only {Volatile.Read(ref count)} puts were acknowledged within {KvCluster.Bound}.");
        await kv.KillSiloOfAsync(leader);
        await stream.WaitAsync(KvCluster.Bound * 2);
        var next = await kv.WaitForLeaderAsync(group, members);
        output.WriteLine($"Killed the silo of leader {leader.MemberId} (term {leader.Term}); {next.MemberId} leads in term {next.Term}.");

        var expected = acknowledged.OrderBy(a => a.Key).Select(a => (a.Value, a.Key)).ToList();
        Assert.Equal(expected, await all.WaitAsync(KvCluster.Bound));
        Assert.Equal(expected.Where(e => e.Value == "/w-shared"), await one.WaitAsync(KvCluster.Bound));
        Assert.True(next.Term > leader.Term, $"the term stayed at {leader.Term}");
    }

    private static async Task<List<(string Key, long Revision)>> Watch(IAsyncEnumerable<KvEvent> watch, int count)
    {
        var seen = new List<(string, long)>();
        await foreach (var e in watch)
        {
            seen.Add((KvBytes.ToText(e.Kv.Key), e.Kv.ModRevision));
            if (seen.Count == count)
            {
                break;
            }
        }

        return seen;
    }
}
