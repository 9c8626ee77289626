using OrleansRaft.Abstractions;
using OrleansRaft.Client;
using OrleansRaft.KeyValue.Integration.Tests.Infrastructure;

namespace OrleansRaft.KeyValue.Integration.Tests;

/// <summary>
/// Several key-value groups (keyspaces) in one cluster, used together: each is its own Raft group with its own store,
/// revisions, watches and leader.
/// </summary>
[Collection(SharedKvClusterCollection.Name)]
public sealed class KeyspaceTests(SharedKvCluster shared)
{
    private KvCluster Kv => shared.Cluster;

    [Fact]
    public async Task Writes_to_one_keyspace_never_show_in_another_and_each_counts_its_own_revisions()
    {
        await Kv.CreateGroupAsync("ks-keys-a");
        await Kv.CreateGroupAsync("ks-keys-b");
        await using var a = await Kv.ConnectAsync("ks-keys-a");
        await using var b = await Kv.ConnectAsync("ks-keys-b");

        var aFirst = await a.PutAsync("/k", "a1");
        var bFirst = await b.PutAsync("/k", "b1");
        var aOnly = await a.PutAsync("/only-a", "x");
        var aRevisions = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            aRevisions.Add((await a.PutAsync($"/a/{i}", "v")).Revision);
        }

        // A store starts at revision 1, and each write raises its own store's revision alone.
        Assert.Equal(2, aFirst.Revision);
        Assert.Equal(2, bFirst.Revision);
        Assert.Equal(3, aOnly.Revision);
        Assert.Equal([4L, 5, 6, 7, 8], aRevisions);
        Assert.Equal(8, (await a.StatusAsync()).Revision);
        Assert.Equal(2, (await b.StatusAsync()).Revision);
        Assert.Equal("a1", KvBytes.ToText((await a.GetAsync("/k"))!.Value));
        Assert.Equal("b1", KvBytes.ToText((await b.GetAsync("/k"))!.Value));
        Assert.Null(await b.GetAsync("/only-a"));
        Assert.Equal(["/k"], (await b.GetPrefixAsync("/")).Kvs.Select(kv => KvBytes.ToText(kv.Key)));
        Assert.Equal(["/a/0", "/a/1", "/a/2", "/a/3", "/a/4", "/k", "/only-a"], (await a.GetPrefixAsync("/")).Kvs.Select(kv => KvBytes.ToText(kv.Key)));
        Assert.Equal(1, (await b.GetAsync("/k"))!.Version);
    }

    [Fact]
    public async Task A_client_gives_a_client_of_another_keyspace_with_its_own_session()
    {
        await Kv.CreateGroupAsync("ks-for-a");
        await Kv.CreateGroupAsync("ks-for-b");
        await using var a = await Kv.ConnectAsync("ks-for-a");
        await a.PutAsync("/k", "a");
        await using var b = await a.ForGroupAsync("ks-for-b");
        await b.PutAsync("/k", "b");

        Assert.Equal("ks-for-b", b.GroupId);
        Assert.Equal(new ulong[] { 1, 2, 3 }, b.Members.Order());
        Assert.NotEqual(0UL, b.SessionId);
        Assert.Equal("a", KvBytes.ToText((await a.GetAsync("/k"))!.Value));
        Assert.Equal("b", KvBytes.ToText((await b.GetAsync("/k"))!.Value));
        await Assert.ThrowsAsync<RaftGroupNotFoundException>(() => a.ForGroupAsync("ks-for-missing"));
    }

    [Fact]
    public async Task A_watch_on_one_keyspace_sees_nothing_of_another()
    {
        await Kv.CreateGroupAsync("ks-watch-a");
        await Kv.CreateGroupAsync("ks-watch-b");
        await using var a = await Kv.ConnectAsync("ks-watch-a");
        await using var b = await Kv.ConnectAsync("ks-watch-b");
        var bStart = await b.PutAsync("/k", "b1");

        using var stop = new CancellationTokenSource(KvCluster.Bound);
        await using var events = b.WatchPrefixAsync("/", fromRevision: bStart.Revision + 1, cancellationToken: stop.Token).GetAsyncEnumerator(stop.Token);
        var first = events.MoveNextAsync().AsTask();

        // Keys and revisions that the watched keyspace will also have: only the keyspace tells them apart.
        for (var i = 0; i < 5; i++)
        {
            await a.PutAsync("/k", $"a{i}");
        }

        await a.DeleteAsync("/k");
        var sentinel = await b.PutAsync("/k", "b2");

        Assert.True(await first.WaitAsync(KvCluster.Bound));
        Assert.Equal((KvEventType.Put, "/k", "b2", sentinel.Revision), (events.Current.Type, KvBytes.ToText(events.Current.Kv.Key), KvBytes.ToText(events.Current.Kv.Value), events.Current.Kv.ModRevision));
        Assert.Equal(bStart.Revision + 1, sentinel.Revision);
    }

    [Fact]
    public async Task Deleting_a_keyspace_leaves_the_others_with_their_data_and_working()
    {
        await Kv.CreateGroupAsync("ks-delete-a");
        await Kv.CreateGroupAsync("ks-delete-b");
        await Kv.CreateGroupAsync("ks-delete-gone");
        await using var a = await Kv.ConnectAsync("ks-delete-a");
        await using var b = await Kv.ConnectAsync("ks-delete-b");
        await using var gone = await Kv.ConnectAsync("ks-delete-gone");
        await a.PutAsync("/k", "a");
        await b.PutAsync("/k", "b");
        await gone.PutAsync("/k", "gone");

        Assert.True(await Kv.Client.GetGrain<IRaftGroupGrain>("ks-delete-gone").DeleteAsync(KvCluster.AdminToken));

        await Assert.ThrowsAsync<RaftGroupNotFoundException>(() => gone.PutAsync("/k", "again"));
        await Assert.ThrowsAsync<RaftGroupNotFoundException>(() => Kv.ConnectAsync("ks-delete-gone"));
        var aPut = await a.PutAsync("/k2", "a2");
        var bPut = await b.PutAsync("/k2", "b2");
        Assert.Equal(3, aPut.Revision);
        Assert.Equal(3, bPut.Revision);
        Assert.Equal(["/k=a", "/k2=a2"], (await a.GetPrefixAsync("/")).Kvs.Select(kv => $"{KvBytes.ToText(kv.Key)}={KvBytes.ToText(kv.Value)}"));
        Assert.Equal(["/k=b", "/k2=b2"], (await b.GetPrefixAsync("/")).Kvs.Select(kv => $"{KvBytes.ToText(kv.Key)}={KvBytes.ToText(kv.Value)}"));
    }
}
