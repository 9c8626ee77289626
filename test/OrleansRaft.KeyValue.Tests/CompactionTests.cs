using static OrleansRaft.KeyValue.Tests.Store;

namespace OrleansRaft.KeyValue.Tests;

public sealed class CompactionTests
{
    /// <summary>a: 1@2, 2@3, deleted@5; b: 1@4, 2@6; c: 1@7 deleted@8.</summary>
    private static Store History()
    {
        var store = new Store();
        store.Put("a", "1");   // 2
        store.Put("a", "2");   // 3
        store.Put("b", "1");   // 4
        store.Delete("a");     // 5
        store.Put("b", "2");   // 6
        store.Put("c", "1");   // 7
        store.Delete("c");     // 8
        return store;
    }

    [Fact]
    public void Compaction_refuses_reads_before_the_compact_revision_and_keeps_reads_at_and_after_it()
    {
        var store = History();
        var result = store.Apply<CompactResult>(new CompactRequest(4));
        Assert.Equal(4, result.CompactRevision);
        Assert.Equal(8, result.Revision);
        Assert.Equal(4, store.Machine.CompactRevision);
        Assert.Equal(8, store.Revision);

        Assert.Equal(KvErrorCode.Compacted, store.RefuseQuery(new RangeRequest(B("a")) { Revision = 3 }));
        Assert.Equal(KvErrorCode.Compacted, store.RefuseQuery(new RangeRequest(B("a")) { Revision = 1 }));
        Assert.Equal("2", store.Value("a", revision: 4));
        Assert.Equal("1", store.Value("b", revision: 4));
        Assert.Null(store.Get("a", revision: 5));
        Assert.Equal("2", store.Value("b", revision: 6));
        Assert.Equal("1", store.Value("c", revision: 7));
        Assert.Equal(["b"], Keys(store.Range("a", "z")));
    }

    [Fact]
    public void A_compacted_read_carries_a_clear_message()
    {
        var store = History();
        store.Apply<CompactResult>(new CompactRequest(4));
        var e = Assert.Throws<KvException>(() => store.Machine.Range(new RangeRequest(B("a")) { Revision = 2 }));
        Assert.Equal(KvErrorCode.Compacted, e.Code);
        Assert.Equal("revision 2 is compacted; the compact revision is 4", e.Message);
    }

    [Fact]
    public void Compaction_keeps_create_revision_and_version_of_surviving_keys()
    {
        var store = History();
        store.Apply<CompactResult>(new CompactRequest(8));
        Assert.Equal(new KeyValueEntry(B("b"), B("2"), 4, 6, 2, 0), store.Get("b"));
        store.Put("b", "3");
        Assert.Equal(new KeyValueEntry(B("b"), B("3"), 4, 9, 3, 0), store.Get("b"));
    }

    [Fact]
    public void Compacting_again_at_or_below_the_compact_revision_or_in_the_future_is_refused()
    {
        var store = History();
        store.Apply<CompactResult>(new CompactRequest(5));
        Assert.Equal(KvErrorCode.Compacted, store.Refuse(new CompactRequest(5)));
        Assert.Equal(KvErrorCode.Compacted, store.Refuse(new CompactRequest(3)));
        Assert.Equal(KvErrorCode.FutureRevision, store.Refuse(new CompactRequest(9)));
        store.Apply<CompactResult>(new CompactRequest(8));
        Assert.Equal(8, store.Machine.CompactRevision);
    }

    [Fact]
    public void Compaction_does_not_change_the_revision_nor_any_read_it_allows()
    {
        var store = History();
        var reads = Enumerable.Range(6, 3).Select(rev => Keys(store.Range("a", "z", revision: rev))).ToList();
        store.Apply<CompactResult>(new CompactRequest(6));
        Assert.Equal(reads, Enumerable.Range(6, 3).Select(rev => Keys(store.Range("a", "z", revision: rev))).ToList());
        Assert.Equal(8, store.Revision);
    }

    [Fact]
    public void A_key_deleted_before_the_compact_revision_disappears_and_can_be_created_again()
    {
        var store = History();
        store.Apply<CompactResult>(new CompactRequest(8));
        Assert.Equal(1, store.Machine.Status().KeyCount);
        store.Put("a", "new");
        Assert.Equal(new KeyValueEntry(B("a"), B("new"), 9, 9, 1, 0), store.Get("a"));
        Assert.Null(store.Get("a", revision: 8));
    }

    [Fact]
    public void Compaction_in_steps_equals_compaction_in_one_go()
    {
        var stepwise = History();
        var direct = History();
        for (var rev = 2; rev <= 8; rev++)
        {
            stepwise.Apply<CompactResult>(new CompactRequest(rev));
        }

        direct.Apply<CompactResult>(new CompactRequest(8));
        Assert.Equal(direct.Dump(), stepwise.Dump());
    }

    [Fact]
    public void Compaction_forgets_superseded_versions()
    {
        var store = new Store();
        for (var i = 0; i < 100; i++)
        {
            store.Put("k", $"v{i}");
        }

        var before = store.Machine.Snapshot().Length;
        store.Apply<CompactResult>(new CompactRequest(store.Revision));
        var after = store.Machine.Snapshot().Length;
        Assert.True(after < before / 10, $"snapshot shrank from {before} to {after} bytes only");
        Assert.Equal("v99", store.Value("k"));
    }

    [Fact]
    public void A_compacted_directory_listing_is_refused()
    {
        var store = History();
        store.Apply<CompactResult>(new CompactRequest(4));
        Assert.Equal(KvErrorCode.Compacted, store.RefuseQuery(new ListDirectoryRequest(B("/")) { Revision = 2 }));
    }
}
