using static OrleansRaft.KeyValue.Tests.Store;

namespace OrleansRaft.KeyValue.Tests;

public sealed class WatchTests
{
    private static string Show(KvEvent e) =>
        $"{e.Type} {S(e.Kv.Key)}={S(e.Kv.Value)}@{e.Kv.ModRevision}" + (e.PrevKv is { } prev ? $" prev {S(prev.Value)}@{prev.ModRevision}" : "");

    private static string[] Show(EventsResult result) => result.Events.Select(Show).ToArray();

    private static Store Writes()
    {
        var store = new Store();
        store.Put("/a", "1");                     // 2
        store.Put("/b", "1");                     // 3
        store.Put("/a", "2");                     // 4
        store.Apply<TxnResult>(new TxnRequest     // 5
        {
            Success = [new PutRequest(B("/c"), B("1")), new DeleteRangeRequest(B("/a")), new PutRequest(B("x"), B("1"))],
        });
        store.Delete("/b");                       // 6
        return store;
    }

    [Fact]
    public void Events_come_in_revision_order_with_their_previous_key_values()
    {
        var store = Writes();
        var result = store.Events("/", "0", from: 1); // "0" is the prefix end of "/"
        Assert.Equal(
            [
                "Put /a=1@2",
                "Put /b=1@3",
                "Put /a=2@4 prev 1@2",
                "Put /c=1@5",
                "Delete /a=@5 prev 2@4",
                "Delete /b=@6 prev 1@3",
            ],
            Show(result));
        Assert.Equal(7, result.NextRevision);
        Assert.Equal(0, result.NextSkip);
        Assert.False(result.Compacted);
        Assert.Equal(6, result.Revision);
    }

    [Fact]
    public void A_delete_event_carries_the_key_and_the_deleting_revision_only()
    {
        var store = Writes();
        var delete = store.Events("/b", null, from: 6).Events.Single();
        Assert.Equal(KvEventType.Delete, delete.Type);
        Assert.Equal(new KeyValueEntry(B("/b"), default, 0, 6, 0, 0), delete.Kv);
        Assert.Equal(new KeyValueEntry(B("/b"), B("1"), 3, 3, 1, 0), delete.PrevKv);
    }

    [Fact]
    public void A_watch_on_one_key_sees_only_that_key()
    {
        var store = Writes();
        Assert.Equal(["Put /a=1@2", "Put /a=2@4 prev 1@2", "Delete /a=@5 prev 2@4"], Show(store.Events("/a", null, from: 1)));
        Assert.Equal(["Delete /a=@5 prev 2@4"], Show(store.Events("/a", null, from: 5)));
        Assert.Empty(store.Events("/nothing", null, from: 1).Events);
    }

    [Fact]
    public void A_watch_on_one_key_and_a_watch_on_a_range_holding_only_it_agree()
    {
        var store = Writes();
        store.Apply<CompactResult>(new CompactRequest(4));
        foreach (var key in new[] { "/a", "/b", "/c", "x" })
        {
            for (var from = 4; from <= 7; from++)
            {
                var single = store.Events(key, null, from);
                var range = store.Query<EventsResult>(new EventsRequest(B(key)) { RangeEnd = (byte[])[.. B(key), 0], FromRevision = from });
                Assert.Equal(KvCodec.EncodeResult(single), KvCodec.EncodeResult(range));
            }
        }
    }

    [Fact]
    public void A_watcher_resumes_from_the_revision_after_the_last_it_saw_without_gaps_or_duplicates()
    {
        var store = Writes();
        var all = Show(store.Events("/", "0", from: 1));
        var seen = new List<string>();
        var next = 1L;
        var skip = 0L;
        while (true)
        {
            var page = store.Events("/", "0", from: next, limit: 2, skip: skip);
            seen.AddRange(Show(page));
            if (page.Events.Count == 0)
            {
                break;
            }

            Assert.True(page.Events.Count <= 2);
            (next, skip) = (page.NextRevision, page.NextSkip);
        }

        Assert.Equal(all, seen);
        Assert.Equal(7, next);

        store.Put("/d", "1");
        Assert.Equal(["Put /d=1@7"], Show(store.Events("/", "0", from: next, skip: skip)));
    }

    [Fact]
    public void A_page_can_end_inside_a_revision_and_the_next_one_skips_what_was_returned()
    {
        var store = new Store();
        store.Apply<TxnResult>(new TxnRequest
        {
            Success = [new PutRequest(B("a"), B("1")), new PutRequest(B("b"), B("1")), new PutRequest(B("c"), B("1"))],
        });

        var first = store.Events("a", "z", from: 2, limit: 2);
        Assert.Equal(["Put a=1@2", "Put b=1@2"], Show(first));
        Assert.Equal(2, first.NextRevision);
        Assert.Equal(2, first.NextSkip);

        var second = store.Events("a", "z", from: first.NextRevision, limit: 2, skip: first.NextSkip);
        Assert.Equal(["Put c=1@2"], Show(second));
        Assert.Equal(3, second.NextRevision);
        Assert.Equal(0, second.NextSkip);
    }

    [Fact]
    public void Events_of_one_revision_keep_the_order_the_transaction_wrote_them_in()
    {
        var store = new Store();
        store.Put("a", "0");
        store.Apply<TxnResult>(new TxnRequest
        {
            Success = [new PutRequest(B("c"), B("1")), new DeleteRangeRequest(B("a")), new PutRequest(B("b"), B("1"))],
        });
        Assert.Equal(["Put c=1@3", "Delete a=@3 prev 0@2", "Put b=1@3"], Show(store.Events("a", "z", from: 3)));
    }

    [Fact]
    public void A_watch_from_before_the_compact_revision_is_answered_with_the_compact_revision()
    {
        var store = Writes();
        store.Apply<CompactResult>(new CompactRequest(4));

        var result = store.Events("/", "0", from: 3);
        Assert.True(result.Compacted);
        Assert.Equal(4, result.CompactRevision);
        Assert.Empty(result.Events);

        var single = store.Events("/a", null, from: 2);
        Assert.True(single.Compacted);
        Assert.Equal(4, single.CompactRevision);
    }

    [Fact]
    public void A_watch_from_the_compact_revision_itself_still_gets_its_events_with_previous_values()
    {
        var store = Writes();
        var before = Show(store.Events("/", "0", from: 4));
        store.Apply<CompactResult>(new CompactRequest(4));
        var after = store.Events("/", "0", from: 4);
        Assert.False(after.Compacted);
        Assert.Equal(before, Show(after));
        Assert.Equal("Put /a=2@4 prev 1@2", Show(after.Events[0]));
    }

    [Fact]
    public void A_watch_from_revision_zero_or_the_future_returns_nothing_and_where_to_continue()
    {
        var store = Writes();
        var now = store.Events("/", "0", from: 0);
        Assert.Empty(now.Events);
        Assert.Equal(7, now.NextRevision);

        var future = store.Events("/", "0", from: 10, skip: 1);
        Assert.Empty(future.Events);
        Assert.Equal(10, future.NextRevision);
        Assert.Equal(1, future.NextSkip);
    }

    [Fact]
    public void Event_pages_respect_the_byte_limit_but_always_hold_one_event()
    {
        var store = new Store(new KvLimits { MaxResultBytes = 10 });
        store.Put("a", "123456789");
        store.Put("b", "1");
        var first = store.Events("a", "z", from: 1);
        Assert.Single(first.Events);
        Assert.Equal(3, first.NextRevision);
        Assert.Single(store.Events("a", "z", from: 3).Events);
    }

    [Fact]
    public void Bad_event_queries_are_refused()
    {
        var store = Writes();
        Assert.Equal(KvErrorCode.EmptyKey, store.RefuseQuery(new EventsRequest(default)));
        Assert.Equal(KvErrorCode.InvalidArgument, store.RefuseQuery(new EventsRequest(B("a")) { FromRevision = -1 }));
        Assert.Equal(KvErrorCode.InvalidArgument, store.RefuseQuery(new EventsRequest(B("a")) { Skip = -1 }));
        Assert.Equal(KvErrorCode.InvalidArgument, store.RefuseQuery(new EventsRequest(B("a")) { Limit = -1 }));
        Assert.Equal(KvErrorCode.NotACommand, store.Refuse(new EventsRequest(B("a"))));
    }
}
