using OrleansRaft.Abstractions;
using OrleansRaft.Client;

namespace OrleansRaft.KeyValue.Integration.Tests;

/// <summary>When a watch's observer wakes it, and how wake-ups coalesce.</summary>
public sealed class KvWatchObserverTests
{
    private static readonly TimeSpan Never = TimeSpan.FromMilliseconds(1);

    [Fact]
    public async Task The_first_notification_wakes_and_a_following_one_wakes_only_if_it_may_touch_the_range()
    {
        var observer = Observer();
        await observer.OnCommittedAsync(Notification(member: 1, first: 1, last: 2, "/b"));
        Assert.True(await observer.Signal.WaitAsync(Infrastructure.KvCluster.Bound, CancellationToken.None));

        await observer.OnCommittedAsync(Notification(member: 1, first: 3, last: 3, "/b"));
        Assert.False(await observer.Signal.WaitAsync(Never, CancellationToken.None));

        await observer.OnCommittedAsync(Notification(member: 1, first: 4, last: 4, "/a/1"));
        Assert.True(await observer.Signal.WaitAsync(Never, CancellationToken.None));
        Assert.Equal(3, observer.Received);
    }

    [Fact]
    public async Task A_gap_in_indexes_or_another_member_wakes_whatever_the_notification_carries()
    {
        var observer = Observer();
        await observer.OnCommittedAsync(Notification(member: 1, first: 1, last: 1, "/b"));
        Assert.True(await observer.Signal.WaitAsync(Never, CancellationToken.None));

        await observer.OnCommittedAsync(Notification(member: 1, first: 3, last: 3, "/b"));
        Assert.True(await observer.Signal.WaitAsync(Never, CancellationToken.None));

        await observer.OnCommittedAsync(Notification(member: 2, first: 4, last: 4, "/b"));
        Assert.True(await observer.Signal.WaitAsync(Never, CancellationToken.None));

        // A late notification of what was already seen is judged by its content.
        await observer.OnCommittedAsync(Notification(member: 2, first: 2, last: 2, "/b"));
        Assert.False(await observer.Signal.WaitAsync(Never, CancellationToken.None));
    }

    [Fact]
    public async Task A_burst_of_wake_ups_leaves_one_pending()
    {
        var signal = new KvWatchSignal();
        for (var i = 0; i < 5; i++)
        {
            signal.Set();
        }

        Assert.True(await signal.WaitAsync(Never, CancellationToken.None));
        Assert.False(await signal.WaitAsync(Never, CancellationToken.None));
    }

    private static KvWatchObserver Observer() => new(new KvWatchFilter(KvBytes.From("/a/"), KeyRanges.PrefixEnd(KvBytes.From("/a/"))));

    private static RaftCommitNotification Notification(ulong member, ulong first, ulong last, string key) =>
        new("g", member, first, last, [new RaftCommittedEntry(last, 1, KvCodec.EncodeCommand(new KvCommand(new PutRequest(KvBytes.From(key), KvBytes.From("v")))))]);
}
