using static OrleansRaft.KeyValue.Tests.Store;

namespace OrleansRaft.KeyValue.Tests;

public sealed class RangeTests
{
    private static Store Abcde()
    {
        var store = new Store();
        foreach (var key in new[] { "a", "b", "c", "d", "e" })
        {
            store.Put(key, key.ToUpperInvariant());
        }

        return store;
    }

    [Fact]
    public void A_single_key_range_returns_the_key_or_nothing()
    {
        var store = Abcde();
        Assert.Equal(["c"], Keys(store.Range("c", null)));
        Assert.Empty(store.Range("cc", null).Kvs);
        Assert.Equal(0, store.Range("cc", null).Count);
    }

    [Fact]
    public void A_bounded_range_is_half_open()
    {
        var store = Abcde();
        Assert.Equal(["b", "c"], Keys(store.Range("b", "d")));
        Assert.Equal(["b", "c", "d"], Keys(store.Range("b", "da")));
    }

    [Fact]
    public void A_range_whose_end_is_not_after_its_start_is_empty()
    {
        var store = Abcde();
        Assert.Empty(store.Range("c", "c").Kvs);
        Assert.Empty(store.Range("d", "b").Kvs);
    }

    [Fact]
    public void The_range_end_zero_byte_means_every_key_from_the_start()
    {
        var store = Abcde();
        var result = store.Query<RangeResult>(new RangeRequest(B("c")) { RangeEnd = KeyRanges.FromKey });
        Assert.Equal(["c", "d", "e"], Keys(result));

        var all = store.Query<RangeResult>(new RangeRequest(new byte[] { 0 }) { RangeEnd = KeyRanges.FromKey });
        Assert.Equal(5, all.Count);
    }

    [Fact]
    public void A_prefix_range_holds_exactly_the_keys_with_the_prefix()
    {
        var store = new Store();
        foreach (var key in new[] { "/a", "/a/", "/a/b", "/a/b/c", "/a0", "/b", "/a\u007f" })
        {
            store.Put(key, "v");
        }

        Assert.Equal(["/a/", "/a/b", "/a/b/c"], Keys(store.Prefix("/a/")));
        Assert.Equal(["/a", "/a/", "/a/b", "/a/b/c", "/a0", "/a\u007f"], Keys(store.Prefix("/a")));
    }

    [Fact]
    public void PrefixEnd_increments_the_last_byte_below_0xff_and_covers_all_for_0xff_only()
    {
        Assert.Equal(B("ac"), KeyRanges.PrefixEnd(B("ab")));
        Assert.Equal(new byte[] { 0x61, 0x01 }, KeyRanges.PrefixEnd(new byte[] { 0x61, 0x00, 0xff, 0xff }));
        Assert.Equal(new byte[] { 0 }, KeyRanges.PrefixEnd(new byte[] { 0xff, 0xff }));
        Assert.Equal(new byte[] { 0 }, KeyRanges.PrefixEnd([]));
    }

    [Fact]
    public void A_limit_returns_the_first_keys_with_More_and_the_full_Count()
    {
        var store = Abcde();
        var result = store.Range("a", "z", limit: 2);
        Assert.Equal(["a", "b"], Keys(result));
        Assert.True(result.More);
        Assert.Equal(5, result.Count);

        result = store.Range("a", "z", limit: 5);
        Assert.False(result.More);
        Assert.Equal(5, result.Kvs.Count);
    }

    [Fact]
    public void CountOnly_returns_the_count_without_key_values()
    {
        var store = Abcde();
        var result = store.Query<RangeResult>(new RangeRequest(B("b")) { RangeEnd = B("z"), CountOnly = true });
        Assert.Empty(result.Kvs);
        Assert.Equal(4, result.Count);
        Assert.False(result.More);
    }

    [Fact]
    public void KeysOnly_returns_keys_and_metadata_without_values()
    {
        var store = Abcde();
        var result = store.Query<RangeResult>(new RangeRequest(B("b")) { KeysOnly = true });
        Assert.Equal(new KeyValueEntry(B("b"), default, 3, 3, 1, 0), result.Kvs.Single());
    }

    [Fact]
    public void A_range_at_a_past_revision_sees_the_store_as_it_was()
    {
        var store = new Store();
        store.Put("a", "1");             // 2
        store.Put("b", "1");             // 3
        store.Put("a", "2");             // 4
        store.Delete("b");               // 5
        store.Put("c", "1");             // 6

        Assert.Equal(["a=1"], Pairs(store.Range("a", "z", revision: 2)));
        Assert.Equal(["a=1", "b=1"], Pairs(store.Range("a", "z", revision: 3)));
        Assert.Equal(["a=2", "b=1"], Pairs(store.Range("a", "z", revision: 4)));
        Assert.Equal(["a=2"], Pairs(store.Range("a", "z", revision: 5)));
        Assert.Equal(["a=2", "c=1"], Pairs(store.Range("a", "z", revision: 6)));
        Assert.Empty(store.Range("a", "z", revision: 1).Kvs);
        Assert.Equal(6, store.Range("a", "z", revision: 3).Revision);
    }

    [Fact]
    public void A_range_in_the_future_is_refused()
    {
        var store = Abcde();
        Assert.Equal(KvErrorCode.FutureRevision, store.RefuseQuery(new RangeRequest(B("a")) { Revision = 7 }));
        store.Query<RangeResult>(new RangeRequest(B("a")) { Revision = 6 });
    }

    [Theory]
    [InlineData(SortTarget.Key, SortOrder.Ascend, "a b c d e")]
    [InlineData(SortTarget.Key, SortOrder.Descend, "e d c b a")]
    [InlineData(SortTarget.Key, SortOrder.None, "a b c d e")]
    [InlineData(SortTarget.Value, SortOrder.Ascend, "b e d a c")]
    [InlineData(SortTarget.Value, SortOrder.Descend, "c a d e b")]
    [InlineData(SortTarget.Value, SortOrder.None, "b e d a c")]
    [InlineData(SortTarget.Version, SortOrder.Ascend, "b c d e a")]
    [InlineData(SortTarget.Version, SortOrder.Descend, "a e d c b")]
    [InlineData(SortTarget.Create, SortOrder.Descend, "e d c b a")]
    [InlineData(SortTarget.Mod, SortOrder.Ascend, "b c d e a")]
    [InlineData(SortTarget.Mod, SortOrder.Descend, "a e d c b")]
    public void Sorting_orders_by_the_target_and_breaks_ties_by_key(SortTarget target, SortOrder order, string expected)
    {
        var store = new Store();
        store.Put("a", "3");
        store.Put("b", "0");
        store.Put("c", "4");
        store.Put("d", "2");
        store.Put("e", "1");
        store.Put("a", "3"); // a: version 2, latest mod revision

        var result = store.Query<RangeResult>(new RangeRequest(B("a")) { RangeEnd = B("z"), SortTarget = target, SortOrder = order });
        Assert.Equal(expected, string.Join(" ", Keys(result)));
    }

    [Fact]
    public void A_limit_applies_after_sorting()
    {
        var store = Abcde();
        var result = store.Query<RangeResult>(new RangeRequest(B("a")) { RangeEnd = B("z"), SortOrder = SortOrder.Descend, Limit = 2 });
        Assert.Equal(["e", "d"], Keys(result));
        Assert.True(result.More);
        Assert.Equal(5, result.Count);

        result = store.Query<RangeResult>(new RangeRequest(B("a")) { RangeEnd = B("z"), SortTarget = SortTarget.Create, SortOrder = SortOrder.Descend, Limit = 2 });
        Assert.Equal(["e", "d"], Keys(result));
    }

    [Fact]
    public void A_range_returns_at_most_the_result_count_limit_with_More()
    {
        var store = new Store(new KvLimits { MaxResultCount = 3 });
        for (var i = 0; i < 5; i++)
        {
            store.Put($"k{i}", "v");
        }

        var result = store.Range("k", "l");
        Assert.Equal(["k0", "k1", "k2"], Keys(result));
        Assert.True(result.More);
        Assert.Equal(5, result.Count);
        Assert.Equal(3, store.Range("k", "l", limit: 10).Kvs.Count);
    }

    [Fact]
    public void A_range_stops_at_the_result_byte_limit_but_returns_at_least_one_key_value()
    {
        var store = new Store(new KvLimits { MaxResultBytes = 10 });
        store.Put("a", "12345678");   // 9 bytes
        store.Put("b", "1");          // 2 bytes: 11 in all
        store.Put("c", "123456789012");

        var result = store.Range("a", "z");
        Assert.Equal(["a"], Keys(result));
        Assert.True(result.More);

        Assert.Equal(["c"], Keys(store.Range("c", "z")));
        Assert.Equal(["a", "b"], Keys(store.Query<RangeResult>(new RangeRequest(B("a")) { RangeEnd = B("z"), KeysOnly = true, Limit = 2 })));
    }

    [Fact]
    public void Bad_range_arguments_are_refused()
    {
        var store = new Store(new KvLimits { MaxKeyBytes = 4 });
        Assert.Equal(KvErrorCode.EmptyKey, store.RefuseQuery(new RangeRequest(default)));
        Assert.Equal(KvErrorCode.KeyTooLarge, store.RefuseQuery(new RangeRequest(B("abcde"))));
        Assert.Equal(KvErrorCode.KeyTooLarge, store.RefuseQuery(new RangeRequest(B("a")) { RangeEnd = B("abcde") }));
        Assert.Equal(KvErrorCode.InvalidArgument, store.RefuseQuery(new RangeRequest(B("a")) { Limit = -1 }));
        Assert.Equal(KvErrorCode.InvalidArgument, store.RefuseQuery(new RangeRequest(B("a")) { Revision = -1 }));
        Assert.Equal(KvErrorCode.InvalidArgument, store.RefuseQuery(new RangeRequest(B("a")) { SortOrder = (SortOrder)3 }));
        Assert.Equal(KvErrorCode.InvalidArgument, store.RefuseQuery(new RangeRequest(B("a")) { SortTarget = (SortTarget)9 }));
    }

    [Fact]
    public void A_range_can_also_be_applied_through_the_log_without_changing_anything()
    {
        var store = Abcde();
        var result = store.Apply<RangeResult>(new RangeRequest(B("b")) { RangeEnd = B("d") });
        Assert.Equal(["b", "c"], Keys(result));
        Assert.Equal(6, store.Revision);
    }

    [Fact]
    public void The_typed_range_method_throws_a_typed_exception()
    {
        var store = Abcde();
        Assert.Equal(["a"], Keys(store.Machine.Range(new RangeRequest(B("a")))));
        var e = Assert.Throws<KvException>(() => store.Machine.Range(new RangeRequest(B("a")) { Revision = 99 }));
        Assert.Equal(KvErrorCode.FutureRevision, e.Code);
        Assert.Equal("revision 99 is in the future; the current revision is 6", e.Message);
    }

    private static string[] Pairs(RangeResult result) => result.Kvs.Select(kv => $"{S(kv.Key)}={S(kv.Value)}").ToArray();

    /// <summary>a, b, c, d and e created in that order, then b and d modified.</summary>
    private static Store Modified()
    {
        var store = Abcde();
        store.Put("b", "B2");
        store.Put("d", "D2");
        return store;
    }

    [Fact]
    public void Revision_filters_keep_the_key_values_within_their_bounds_and_leave_the_count_whole()
    {
        var store = Modified();
        var created = Keys(store.Range("a", "z"));
        Assert.Equal(["a", "b", "c", "d", "e"], created);
        var revisions = store.Range("a", "z").Kvs.ToDictionary(kv => S(kv.Key), kv => (kv.CreateRevision, kv.ModRevision));
        var (cCreate, _) = revisions["c"];
        var (_, bMod) = revisions["b"];

        var modifiedLately = Filtered(store, new RangeRequest(B("a")) { RangeEnd = B("z"), MinModRevision = bMod });
        Assert.Equal(["b", "d"], Keys(modifiedLately));
        Assert.Equal(5, modifiedLately.Count);
        Assert.False(modifiedLately.More);

        Assert.Equal(["a", "c", "e"], Keys(Filtered(store, new RangeRequest(B("a")) { RangeEnd = B("z"), MaxModRevision = bMod - 1 })));
        Assert.Equal(["c", "d", "e"], Keys(Filtered(store, new RangeRequest(B("a")) { RangeEnd = B("z"), MinCreateRevision = cCreate })));
        Assert.Equal(["a", "b"], Keys(Filtered(store, new RangeRequest(B("a")) { RangeEnd = B("z"), MaxCreateRevision = cCreate - 1 })));
        Assert.Equal(["b"], Keys(Filtered(store, new RangeRequest(B("a")) { RangeEnd = B("z"), MaxCreateRevision = cCreate - 1, MinModRevision = bMod })));
    }

    [Fact]
    public void A_limit_cuts_what_passed_the_filters_and_More_says_whether_more_passed()
    {
        var store = Modified();
        var cCreate = store.Range("c", null).Kvs[0].CreateRevision;

        // What clientv3's lock asks: the newest key created before mine, one of them.
        var lastBefore = Filtered(store, new RangeRequest(B("a")) { RangeEnd = B("z"), MaxCreateRevision = cCreate - 1, SortTarget = SortTarget.Create, SortOrder = SortOrder.Descend, Limit = 1 });
        Assert.Equal(["b"], Keys(lastBefore));
        Assert.True(lastBefore.More);
        Assert.Equal(5, lastBefore.Count);

        var onlyOnePassed = Filtered(store, new RangeRequest(B("a")) { RangeEnd = B("z"), MaxCreateRevision = cCreate - 2, Limit = 1 });
        Assert.Equal(["a"], Keys(onlyOnePassed));
        Assert.False(onlyOnePassed.More);

        var descending = Filtered(store, new RangeRequest(B("a")) { RangeEnd = B("z"), MinCreateRevision = cCreate, SortOrder = SortOrder.Descend, Limit = 2 });
        Assert.Equal(["e", "d"], Keys(descending));
        Assert.True(descending.More);
    }

    [Fact]
    public void Revision_filters_read_the_store_at_the_ranges_revision_and_count_only_ignores_them()
    {
        var store = Modified();
        var bMod = store.Range("b", null).Kvs[0].ModRevision;
        Assert.Empty(Filtered(store, new RangeRequest(B("a")) { RangeEnd = B("z"), MinModRevision = bMod, Revision = bMod - 1 }).Kvs);

        var counted = Filtered(store, new RangeRequest(B("a")) { RangeEnd = B("z"), MinModRevision = bMod, CountOnly = true });
        Assert.Empty(counted.Kvs);
        Assert.Equal(5, counted.Count);
    }

    private static RangeResult Filtered(Store store, RangeRequest request)
    {
        // The filters travel in the query's bytes, so every read here goes through the codec too.
        var decoded = (RangeRequest)KvCodec.DecodeQuery(KvCodec.EncodeQuery(request));
        return store.Query<RangeResult>(decoded);
    }
}
