using OrleansRaft.Client;
using OrleansRaft.KeyValue.Integration.Tests.Infrastructure;

namespace OrleansRaft.KeyValue.Integration.Tests;

/// <summary>
/// Watches woken by members' commit notifications. The clients here poll every <see cref="NoPoll"/>, far beyond
/// <see cref="KvCluster.Bound"/>: only a notification can deliver an event within a test's bound.
/// </summary>
[Collection(SharedKvClusterCollection.Name)]
public sealed class PushWatchTests(SharedKvCluster shared)
{
    private static readonly TimeSpan NoPoll = TimeSpan.FromMinutes(10);

    private static readonly KvClientOptions PushOnly = new() { WatchPollInterval = NoPoll };

    private KvCluster Kv => shared.Cluster;

    [Fact]
    public async Task A_notification_delivers_each_put_long_before_the_fallback_poll()
    {
        const string group = "kv-push-deliver";
        await Kv.CreateGroupAsync(group);
        await using var writer = await Kv.ConnectAsync(group);
        await using var watcher = await Kv.ConnectAsync(group, PushOnly);
        var first = await writer.PutAsync("/p/0", "0");

        // Each put waits for the event of the one before: once the watch is up to date and subscribed, nothing but a
        // notification wakes it before the ten-minute poll.
        using var stop = new CancellationTokenSource(KvCluster.Bound);
        await using var events = watcher.WatchPrefixAsync("/p/", first.Revision, cancellationToken: stop.Token).GetAsyncEnumerator(stop.Token);
        var expected = new List<long> { first.Revision };
        var seen = new List<long>();
        for (var i = 1; i <= 6; i++)
        {
            Assert.True(await events.MoveNextAsync());
            seen.Add(events.Current.Kv.ModRevision);
            expected.Add((await writer.PutAsync($"/p/{i}", $"{i}", cancellationToken: stop.Token)).Revision);
        }

        Assert.True(await events.MoveNextAsync());
        seen.Add(events.Current.Kv.ModRevision);
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task Several_watches_on_one_client_each_see_their_own_range_in_order_and_once()
    {
        const string group = "kv-push-several";
        using var observers = new ObserverCount(group);
        await Kv.CreateGroupAsync(group);
        await using var client = await Kv.ConnectAsync(group, PushOnly);
        var start = await client.PutAsync("/start", "s");

        using var stop = new CancellationTokenSource(KvCluster.Bound);
        var a = Collect(client.WatchPrefixAsync("/a/", start.Revision, cancellationToken: stop.Token), count: 3);
        var b = Collect(client.WatchPrefixAsync("/b/", start.Revision, cancellationToken: stop.Token), count: 2);
        var x = Collect(client.WatchAsync(KvBytes.From("/a/x"), fromRevision: start.Revision, cancellationToken: stop.Token), count: 2);
        await observers.WaitForAsync(3);

        var a1 = await client.PutAsync("/a/1", "1");
        var b1 = await client.PutAsync("/b/1", "1");
        var ax = await client.PutAsync("/a/x", "x");
        await client.PutAsync("/c/1", "1");
        var b2 = await client.PutAsync("/b/2", "2");
        var axDeleted = await client.DeleteAsync("/a/x");

        Assert.Equal([$"Put /a/1@{a1.Revision}", $"Put /a/x@{ax.Revision}", $"Delete /a/x@{axDeleted.Revision}"], await a);
        Assert.Equal([$"Put /b/1@{b1.Revision}", $"Put /b/2@{b2.Revision}"], await b);
        Assert.Equal([$"Put /a/x@{ax.Revision}", $"Delete /a/x@{axDeleted.Revision}"], await x);
        await observers.WaitForAsync(0);
    }

    [Fact]
    public async Task A_cancelled_watch_unsubscribes_from_its_member()
    {
        const string group = "kv-push-unsubscribe";
        using var observers = new ObserverCount(group);
        await Kv.CreateGroupAsync(group);
        await using var client = await Kv.ConnectAsync(group, PushOnly);
        var put = await client.PutAsync("k", "v");

        using var stop = new CancellationTokenSource();
        var events = client.WatchAsync(KvBytes.From("k"), fromRevision: put.Revision, cancellationToken: stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(KvCluster.Bound));
        var waiting = events.MoveNextAsync().AsTask();
        await observers.WaitForAsync(1);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(KvCluster.Bound));
        await events.DisposeAsync();

        // A subscription not withdrawn would stay for ObserverExpiration (five minutes).
        await observers.WaitForAsync(0);
    }

    [Fact]
    public async Task A_grain_in_a_silo_watches_through_notifications_and_unsubscribes()
    {
        const string group = "kv-push-in-silo";
        using var observers = new ObserverCount(group);
        await Kv.CreateGroupAsync(group);
        await using var writer = await Kv.ConnectAsync(group);
        var first = await writer.PutAsync("/g/0", "0");

        var watching = Kv.Client.GetGrain<IKvWatchingGrain>(group);
        await watching.StartAsync(group, "/g/", first.Revision, NoPoll);
        var expected = new List<long> { first.Revision };
        for (var i = 1; i <= 4; i++)
        {
            await WaitForSeenAsync(watching, expected);
            expected.Add((await writer.PutAsync($"/g/{i}", $"{i}")).Revision);
        }

        await WaitForSeenAsync(watching, expected);
        Assert.Equal(1, observers.Value);
        await watching.StopAsync();
        await observers.WaitForAsync(0);
    }

    private static Task WaitForSeenAsync(IKvWatchingGrain watching, IReadOnlyList<long> expected) =>
        KvCluster.WaitUntilAsync(async () =>
        {
            var seen = await watching.SeenAsync();
            Assert.Equal(expected.Take(seen.Length), seen);
            return seen.Length == expected.Count;
        }, $"the grain's watch to see revisions {string.Join(", ", expected)}");

    private static async Task<List<string>> Collect(IAsyncEnumerable<KvEvent> watch, int count)
    {
        var seen = new List<string>();
        await foreach (var e in watch)
        {
            seen.Add($"{e.Type} {KvBytes.ToText(e.Kv.Key)}@{e.Kv.ModRevision}");
            if (seen.Count == count)
            {
                break;
            }
        }

        return seen;
    }
}
