using OrleansRaft.Client;
using OrleansRaft.KeyValue.Integration.Tests.Infrastructure;

namespace OrleansRaft.KeyValue.Integration.Tests;

/// <summary>Watches as <see cref="IAsyncEnumerable{T}"/> through <see cref="KvClient"/>.</summary>
[Collection(SharedKvClusterCollection.Name)]
public sealed class WatchTests(SharedKvCluster shared)
{
    private KvCluster Kv => shared.Cluster;

    [Fact]
    public async Task A_watch_from_a_revision_sees_every_write_under_its_prefix_in_order_and_once()
    {
        await Kv.CreateGroupAsync("kv-watch");
        await using var client = await Kv.ConnectAsync("kv-watch");
        var first = await client.PutAsync("/w/a", "1");
        await client.PutAsync("/elsewhere", "x");
        await client.PutAsync("/w/b", "2");

        using var stop = new CancellationTokenSource(KvCluster.Bound);
        var seen = new List<string>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in client.WatchPrefixAsync("/w/", first.Revision, cancellationToken: stop.Token))
            {
                seen.Add($"{e.Type} {KvBytes.ToText(e.Kv.Key)}@{e.Kv.ModRevision}");
                if (seen.Count == 5)
                {
                    return;
                }
            }
        });
        var delete = await client.DeleteAsync("/w/a");
        var put = await client.PutAsync("/w/c", "3");
        await client.PutAsync("/elsewhere", "y");
        var last = await client.PutAsync("/w/b", "4");
        await watching;

        Assert.Equal(
            [$"Put /w/a@{first.Revision}", $"Put /w/b@{first.Revision + 2}", $"Delete /w/a@{delete.Revision}", $"Put /w/c@{put.Revision}", $"Put /w/b@{last.Revision}"],
            seen);
    }

    [Fact]
    public async Task A_watch_from_now_sees_only_writes_after_it_started()
    {
        await Kv.CreateGroupAsync("kv-watch-now");
        await using var client = await Kv.ConnectAsync("kv-watch-now");
        var before = await client.PutAsync("k", "before");

        // "Now" is when the watch's first poll is served, which this test cannot order against a single put: it
        // writes until the watch yields, and checks that what it yields came after the earlier write.
        using var stop = new CancellationTokenSource(KvCluster.Bound);
        await using var events = client.WatchAsync(KvBytes.From("k"), cancellationToken: stop.Token).GetAsyncEnumerator(stop.Token);
        var next = events.MoveNextAsync().AsTask();
        var puts = new List<long>();
        while (!next.IsCompleted)
        {
            puts.Add((await client.PutAsync("k", $"after-{puts.Count}", cancellationToken: stop.Token)).Revision);
            await Task.WhenAny(next, Task.Delay(20, stop.Token));
        }

        Assert.True(await next);
        var seen = events.Current.Kv;
        Assert.True(seen.ModRevision > before.Revision);
        Assert.Contains(seen.ModRevision, puts);
        Assert.Equal($"after-{puts.IndexOf(seen.ModRevision)}", KvBytes.ToText(seen.Value));
    }

    [Fact]
    public async Task A_watch_from_a_compacted_revision_ends_with_the_compact_revision()
    {
        await Kv.CreateGroupAsync("kv-watch-compacted");
        await using var client = await Kv.ConnectAsync("kv-watch-compacted");
        var first = await client.PutAsync("k", "1");
        var second = await client.PutAsync("k", "2");
        await client.CompactAsync(second.Revision);

        // Linearizable polls: the compaction is known applied on the leader only, and a serializable poll answered by
        // a follower that has not applied it yet would rightly serve the old events.
        var error = await Assert.ThrowsAsync<KvWatchCompactedException>(async () =>
        {
            await foreach (var e in client.WatchAsync(KvBytes.From("k"), fromRevision: first.Revision, call: KvCallOptions.Linearizable))
            {
                Assert.Fail($"A compacted watch yielded {e}.");
            }
        });

        Assert.Equal(first.Revision, error.FromRevision);
        Assert.Equal(second.Revision, error.CompactRevision);
    }
}
