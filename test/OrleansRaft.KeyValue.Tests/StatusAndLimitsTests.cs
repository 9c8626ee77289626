using static OrleansRaft.KeyValue.Tests.Store;

namespace OrleansRaft.KeyValue.Tests;

public sealed class StatusAndLimitsTests
{
    [Fact]
    public void Status_reports_revisions_index_and_sizes()
    {
        var store = new Store();
        store.Tick(1, 0);
        store.Tick(1, 250);
        store.Put("a", "1");
        store.Put("b", "1");
        store.Delete("a");
        store.Grant(60);
        store.OpenSession();
        store.Apply<CompactResult>(new CompactRequest(3));

        var status = store.Query<StatusResult>(new StatusRequest { IncludeSizes = true });
        Assert.Equal(4, status.Revision);
        Assert.Equal(3, status.CompactRevision);
        Assert.Equal(8UL, status.AppliedIndex);
        Assert.Equal(1, status.KeyCount);
        Assert.Equal(1, status.LeaseCount);
        Assert.Equal(1, status.SessionCount);
        Assert.Equal(250, status.ClockMilliseconds);

        // Retained after compacting at 3: a=1 (visible at 3), a's tombstone, b=1.
        Assert.Equal(5, status.DataBytes);
        Assert.Equal(store.Machine.Snapshot().Length, status.SnapshotBytes);
        Assert.Equal((0L, 0L), (store.Query<StatusResult>(new StatusRequest()).DataBytes, store.Query<StatusResult>(new StatusRequest()).SnapshotBytes));
    }

    [Fact]
    public void HashKv_is_the_same_for_the_same_history_and_covers_only_revisions_up_to_the_one_asked()
    {
        Store Build()
        {
            var store = new Store();
            store.Put("a", "1");
            store.Put("b", "2");
            store.Delete("a");
            return store;
        }

        var one = Build();
        var two = Build();
        var atFour = one.Query<HashKvResult>(new HashKvRequest());
        Assert.Equal(4, atFour.HashRevision);
        Assert.Equal(atFour.Hash, two.Query<HashKvResult>(new HashKvRequest()).Hash);
        Assert.NotEqual(atFour.Hash, one.Query<HashKvResult>(new HashKvRequest { Revision = 3 }).Hash);

        one.Put("c", "3");
        Assert.Equal(atFour.Hash, one.Query<HashKvResult>(new HashKvRequest { Revision = 4 }).Hash);
        Assert.NotEqual(atFour.Hash, one.Query<HashKvResult>(new HashKvRequest()).Hash);
        two.Put("c", "4");
        Assert.NotEqual(one.Query<HashKvResult>(new HashKvRequest()).Hash, two.Query<HashKvResult>(new HashKvRequest()).Hash);

        Assert.Equal(KvErrorCode.FutureRevision, one.RefuseQuery(new HashKvRequest { Revision = 6 }));
        one.Apply<CompactResult>(new CompactRequest(4));
        Assert.Equal(KvErrorCode.Compacted, one.RefuseQuery(new HashKvRequest { Revision = 3 }));
        Assert.Equal(4, one.Query<HashKvResult>(new HashKvRequest()).CompactRevision);

        // A restored member hashes as the member its snapshot came from.
        var restored = new KvStateMachine();
        restored.Restore(one.Machine.Snapshot());
        Assert.Equal(one.Query<HashKvResult>(new HashKvRequest()).Hash, new Store(restored).Query<HashKvResult>(new HashKvRequest()).Hash);
    }

    [Fact]
    public void Limits_that_make_no_sense_are_refused_up_front()
    {
        Assert.Throws<ArgumentException>(() => new KvStateMachine(new KvLimits { MaxKeyBytes = 0 }));
        Assert.Throws<ArgumentException>(() => new KvStateMachine(new KvLimits { MinLeaseTtlSeconds = 10, MaxLeaseTtlSeconds = 5 }));
        Assert.Throws<ArgumentException>(() => new KvStateMachine(new KvLimits { MaxLeaseTtlSeconds = long.MaxValue }));
        Assert.Throws<ArgumentException>(() => new KvStateMachine(new KvLimits { SessionIdleTimeoutMilliseconds = -1 }));
    }

    [Fact]
    public void The_default_limits_are_the_documented_ones()
    {
        var limits = KvLimits.Default;
        Assert.Equal(8 * 1024, limits.MaxKeyBytes);
        Assert.Equal(1024 * 1024, limits.MaxValueBytes);
        Assert.Equal(1536 * 1024, limits.MaxRequestBytes);
        Assert.Equal(128, limits.MaxTxnOperations);
        Assert.Equal(8, limits.MaxTxnDepth);
        Assert.Equal(10_000, limits.MaxResultCount);
        Assert.Equal(4L * 1024 * 1024, limits.MaxResultBytes);
        Assert.Equal(100_000, limits.MaxLeases);
        Assert.Equal(2, limits.MinLeaseTtlSeconds);
        Assert.Equal(9_000_000_000, limits.MaxLeaseTtlSeconds);
        Assert.Equal(4_096, limits.MaxSessions);
        Assert.Equal(256, limits.MaxResponsesPerSession);
    }

    [Fact]
    public void A_value_at_the_default_limit_fits_in_a_command_at_the_default_request_limit()
    {
        var store = new Store();
        var put = new PutRequest(new byte[KvLimits.Default.MaxKeyBytes], new byte[KvLimits.Default.MaxValueBytes]);
        Assert.True(KvCodec.EncodeCommand(new KvCommand(put)).Length <= KvLimits.Default.MaxRequestBytes);
        store.Apply<PutResult>(put);
        Assert.Equal(2, store.Revision);
    }

    [Fact]
    public void The_library_depends_on_the_base_class_library_only()
    {
        var references = typeof(KvStateMachine).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.All(references, name => Assert.True(name.StartsWith("System", StringComparison.Ordinal), $"OrleansRaft.KeyValue references {name}"));
    }
}
