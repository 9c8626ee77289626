using static OrleansRaft.KeyValue.Tests.Store;

namespace OrleansRaft.KeyValue.Tests;

public sealed class DirectoryTests
{
    private static Store Tree()
    {
        var store = new Store();
        foreach (var key in new[] { "/", "/a", "/a/", "/a/b", "/a/c/d", "/a/c/e/f", "/a/g/", "/a/h", "/a0", "/b/x", "/c" })
        {
            store.Put(key, "v:" + key);
        }

        return store;
    }

    private static string[] List(Store store, string directory, long revision = 0, long limit = 0, string? after = null) =>
        Names(store.Query<DirectoryListing>(new ListDirectoryRequest(B(directory))
        {
            Revision = revision,
            Limit = limit,
            After = after is null ? default : B(after),
        }));

    private static string[] Names(DirectoryListing listing) =>
        listing.Entries.Select(e => e.IsDirectory ? S(e.Path) + " (dir)" : S(e.Path)).ToArray();

    [Fact]
    public void A_listing_holds_the_immediate_keys_and_sub_directories_in_key_order()
    {
        var store = Tree();
        Assert.Equal(["/a", "/a/ (dir)", "/a0", "/b/ (dir)", "/c"], List(store, "/"));
        Assert.Equal(["/a/b", "/a/c/ (dir)", "/a/g/ (dir)", "/a/h"], List(store, "/a/"));
        Assert.Equal(["/a/c/d", "/a/c/e/ (dir)"], List(store, "/a/c/"));
        Assert.Empty(List(store, "/nothing/"));
    }

    [Fact]
    public void Child_keys_carry_their_key_values_unless_keys_only()
    {
        var store = Tree();
        var listing = store.Query<DirectoryListing>(new ListDirectoryRequest(B("/a/")));
        Assert.Equal("v:/a/b", S(listing.Entries[0].Kv!.Value));
        Assert.Null(listing.Entries[1].Kv);

        listing = store.Query<DirectoryListing>(new ListDirectoryRequest(B("/a/")) { KeysOnly = true });
        Assert.True(listing.Entries[0].Kv!.Value.IsEmpty);
        Assert.Equal(5, listing.Entries[0].Kv!.ModRevision);
    }

    [Fact]
    public void A_sub_directory_whose_keys_are_all_deleted_is_gone()
    {
        var store = Tree();
        var before = store.Revision;
        store.DeletePrefix("/a/c/");
        Assert.Equal(["/a/b", "/a/g/ (dir)", "/a/h"], List(store, "/a/"));
        Assert.Equal(["/a/b", "/a/c/ (dir)", "/a/g/ (dir)", "/a/h"], List(store, "/a/", revision: before));
    }

    [Fact]
    public void A_listing_pages_with_a_limit_and_continues_after_the_last_child()
    {
        var store = Tree();
        var first = store.Query<DirectoryListing>(new ListDirectoryRequest(B("/")) { Limit = 2 });
        Assert.Equal(["/a", "/a/ (dir)"], Names(first));
        Assert.True(first.More);

        Assert.Equal(["/a0", "/b/ (dir)"], List(store, "/", limit: 2, after: "/a/"));
        var last = store.Query<DirectoryListing>(new ListDirectoryRequest(B("/")) { Limit = 2, After = B("/b/") });
        Assert.Equal(["/c"], Names(last));
        Assert.False(last.More);
        Assert.Equal(["/a/ (dir)", "/a0", "/b/ (dir)", "/c"], List(store, "/", after: "/a"));
    }

    [Fact]
    public void A_listing_of_many_children_is_bounded_by_the_result_limit()
    {
        var store = new Store(new KvLimits { MaxResultCount = 3 });
        for (var i = 0; i < 5; i++)
        {
            store.Put($"/d/{i}/x", "v");
        }

        var listing = store.Query<DirectoryListing>(new ListDirectoryRequest(B("/d/")));
        Assert.Equal(["/d/0/ (dir)", "/d/1/ (dir)", "/d/2/ (dir)"], Names(listing));
        Assert.True(listing.More);
    }

    [Fact]
    public void Bad_listings_are_refused()
    {
        var store = Tree();
        Assert.Equal(KvErrorCode.InvalidArgument, store.RefuseQuery(new ListDirectoryRequest(B("/a"))));
        Assert.Equal(KvErrorCode.EmptyKey, store.RefuseQuery(new ListDirectoryRequest(default)));
        Assert.Equal(KvErrorCode.InvalidArgument, store.RefuseQuery(new ListDirectoryRequest(B("/a/")) { After = B("/b/x") }));
        Assert.Equal(KvErrorCode.InvalidArgument, store.RefuseQuery(new ListDirectoryRequest(B("/a/")) { Limit = -1 }));
        Assert.Equal(KvErrorCode.FutureRevision, store.RefuseQuery(new ListDirectoryRequest(B("/a/")) { Revision = 99 }));
        Assert.Equal(KvErrorCode.NotACommand, store.Refuse(new ListDirectoryRequest(B("/a/"))));
        Assert.Throws<KvException>(() => store.Machine.ListDirectory(new ListDirectoryRequest(B("/a"))));
    }
}
