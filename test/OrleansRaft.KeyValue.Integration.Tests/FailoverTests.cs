using System.Collections.Concurrent;
using OrleansRaft.Client;
using OrleansRaft.KeyValue.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansRaft.KeyValue.Integration.Tests;

/// <summary>The client across a leader's crash; each test runs on its own cluster.</summary>
[Collection(SiloFaultCollection.Name)]
public sealed class FailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_the_leaders_silo_during_a_stream_of_puts_loses_no_acknowledged_put_applies_none_twice_and_a_watch_sees_each_once()
    {
        await using var kv = await KvCluster.StartAsync(3, snapshotEveryEntries: 100);
        const string group = "kv-failover";
        var members = await kv.CreateGroupAsync(group);
        var options = new KvClientOptions { RequestTimeout = KvCluster.Bound, AttemptTimeout = TimeSpan.FromSeconds(1) };
        await using var client = await kv.ConnectAsync(group, options);
        var leader = await kv.WaitForLeaderAsync(group, members);
        await kv.ResolveMembersAsync(group, members);

        // A watch on every key from the first revision, across the fail-over.
        using var stopWatch = new CancellationTokenSource(KvCluster.Bound * 3);
        var watched = new List<(string Key, long Revision)>();
        const int writers = 4;
        const int putsPerWriter = 60;
        var acknowledged = new ConcurrentDictionary<string, long>();
        var count = 0;
        using var killAt = new SemaphoreSlim(0);
        var watch = Task.Run(async () =>
        {
            await foreach (var e in client.WatchPrefixAsync("/", fromRevision: 1, cancellationToken: stopWatch.Token))
            {
                watched.Add((KvBytes.ToText(e.Kv.Key), e.Kv.ModRevision));
                if (watched.Count == writers * putsPerWriter)
                {
                    return;
                }
            }
        });
        var stream = Task.WhenAll(Enumerable.Range(0, writers).Select(async w =>
        {
            for (var i = 0; i < putsPerWriter; i++)
            {
                var key = $"/w{w}/{i:D3}";
                var put = await client.PutAsync(key, key);
                acknowledged[key] = put.Revision;
                if (Interlocked.Increment(ref count) == writers * putsPerWriter / 4)
                {
                    killAt.Release();
                }
            }
        }));

        Assert.True(await killAt.WaitAsync(KvCluster.Bound), $"Only {Volatile.Read(ref count)} puts were acknowledged within {KvCluster.Bound}.");
        var ackedBeforeKill = acknowledged.Count;
        await kv.KillSiloOfAsync(leader);
        await stream.WaitAsync(KvCluster.Bound * 2);
        // The killed member may be activated again on a surviving silo and even lead again: a new term is what
        // proves that the group elected a leader after the kill.
        var next = await kv.WaitForLeaderAsync(group, members);
        output.WriteLine($"{ackedBeforeKill} puts acknowledged before the kill of member {leader.MemberId}; {next.MemberId} leads in term {next.Term}.");

        var stored = await client.RangeAsync(new RangeRequest(KvBytes.From("/")) { RangeEnd = KeyRanges.PrefixEnd(KvBytes.From("/")) }, KvCallOptions.Linearizable);
        Assert.Equal(writers * putsPerWriter, acknowledged.Count);
        Assert.Equal(acknowledged.Keys.Order(StringComparer.Ordinal), stored.Kvs.Select(kv => KvBytes.ToText(kv.Key)));
        foreach (var entry in stored.Kvs)
        {
            var key = KvBytes.ToText(entry.Key);
            Assert.Equal(key, KvBytes.ToText(entry.Value));
            Assert.Equal(1, entry.Version);
            Assert.Equal(acknowledged[key], entry.ModRevision);
        }

        await watch.WaitAsync(KvCluster.Bound);
        Assert.Equal(Enumerable.Range(2, writers * putsPerWriter).Select(r => (long)r), watched.Select(w => w.Revision));
        Assert.All(watched, w => Assert.Equal(acknowledged[w.Key], w.Revision));
        Assert.True(next.Term > leader.Term, $"the term stayed at {leader.Term}");
        Assert.Equal(writers * putsPerWriter + 1, stored.Revision);
    }
}
