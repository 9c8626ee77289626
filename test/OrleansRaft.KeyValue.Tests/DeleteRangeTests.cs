using static OrleansRaft.KeyValue.Tests.Store;

namespace OrleansRaft.KeyValue.Tests;

public sealed class DeleteRangeTests
{
    [Fact]
    public void Deleting_a_key_removes_it_at_a_new_revision_and_keeps_it_in_history()
    {
        var store = new Store();
        store.Put("a", "1");
        var result = store.Delete("a");

        Assert.Equal(1, result.Deleted);
        Assert.Equal(3, result.Revision);
        Assert.Null(store.Get("a"));
        Assert.Equal("1", store.Value("a", revision: 2));
    }

    [Fact]
    public void Deleting_nothing_does_not_raise_the_revision()
    {
        var store = new Store();
        store.Put("a", "1");
        var result = store.Delete("b");
        Assert.Equal(0, result.Deleted);
        Assert.Equal(2, result.Revision);
        Assert.Equal(2, store.Revision);

        store.Delete("a");
        Assert.Equal(0, store.Delete("a").Deleted);
        Assert.Equal(3, store.Revision);
    }

    [Fact]
    public void A_range_delete_removes_every_key_in_one_revision_and_returns_them_with_PrevKv()
    {
        var store = new Store();
        store.Put("a", "1");
        store.Put("b", "2");
        store.Put("c", "3");
        store.Put("d", "4");

        var result = store.Delete("b", "d", prevKv: true);
        Assert.Equal(2, result.Deleted);
        Assert.Equal(6, result.Revision);
        Assert.Equal(["b", "c"], result.PrevKvs.Select(kv => S(kv.Key)).ToArray());
        Assert.Equal(new KeyValueEntry(B("b"), B("2"), 3, 3, 1, 0), result.PrevKvs[0]);
        Assert.Equal(["a", "d"], Keys(store.Range("a", "z")));
    }

    [Fact]
    public void Without_PrevKv_a_delete_returns_only_the_count()
    {
        var store = new Store();
        store.Put("a", "1");
        var result = store.Delete("a");
        Assert.Empty(result.PrevKvs);
    }

    [Fact]
    public void A_prefix_delete_is_a_recursive_delete()
    {
        var store = new Store();
        foreach (var key in new[] { "/a", "/a/x", "/a/b/c", "/a/b/d/e", "/ab" })
        {
            store.Put(key, "v");
        }

        Assert.Equal(3, store.DeletePrefix("/a/").Deleted);
        Assert.Equal(["/a", "/ab"], Keys(store.Prefix("/")));
    }

    [Fact]
    public void A_from_key_delete_removes_everything_from_the_key_on()
    {
        var store = new Store();
        foreach (var key in new[] { "a", "b", "c" })
        {
            store.Put(key, "v");
        }

        store.Apply<DeleteRangeResult>(new DeleteRangeRequest(B("b")) { RangeEnd = KeyRanges.FromKey });
        Assert.Equal(["a"], Keys(store.Range("a", "z")));
    }

    [Fact]
    public void Bad_delete_arguments_are_refused_and_change_nothing()
    {
        var store = new Store(new KvLimits { MaxKeyBytes = 4 });
        store.Put("a", "1");
        Assert.Equal(KvErrorCode.EmptyKey, store.Refuse(new DeleteRangeRequest(default)));
        Assert.Equal(KvErrorCode.KeyTooLarge, store.Refuse(new DeleteRangeRequest(B("abcde"))));
        Assert.Equal(KvErrorCode.KeyTooLarge, store.Refuse(new DeleteRangeRequest(B("a")) { RangeEnd = B("zzzzz") }));
        Assert.Equal("1", store.Value("a"));
        Assert.Equal(2, store.Revision);
    }
}
