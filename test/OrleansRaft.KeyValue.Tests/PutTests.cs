using static OrleansRaft.KeyValue.Tests.Store;

namespace OrleansRaft.KeyValue.Tests;

public sealed class PutTests
{
    [Fact]
    public void An_empty_store_is_at_revision_1_and_each_put_raises_the_revision_by_one()
    {
        var store = new Store();
        Assert.Equal(1, store.Revision);

        Assert.Equal(2, store.Put("a", "1").Revision);
        Assert.Equal(3, store.Put("b", "1").Revision);
        Assert.Equal(3, store.Revision);
    }

    [Fact]
    public void A_put_sets_create_revision_mod_revision_and_version()
    {
        var store = new Store();
        store.Put("a", "1");
        store.Put("b", "x");
        store.Put("a", "2");

        var kv = store.Get("a")!;
        Assert.Equal("2", S(kv.Value));
        Assert.Equal(2, kv.CreateRevision);
        Assert.Equal(4, kv.ModRevision);
        Assert.Equal(2, kv.Version);
        Assert.Equal(0, kv.Lease);
    }

    [Fact]
    public void A_put_after_a_delete_starts_a_new_generation()
    {
        var store = new Store();
        store.Put("a", "1");
        store.Put("a", "2");
        store.Delete("a");
        store.Put("a", "3");

        var kv = store.Get("a")!;
        Assert.Equal(5, kv.CreateRevision);
        Assert.Equal(5, kv.ModRevision);
        Assert.Equal(1, kv.Version);
    }

    [Fact]
    public void PrevKv_returns_the_replaced_key_value_and_nothing_for_a_new_key()
    {
        var store = new Store();
        Assert.Null(store.Put("a", "1", prevKv: true).PrevKv);

        var prev = store.Put("a", "2", prevKv: true).PrevKv!;
        Assert.Equal(new KeyValueEntry(B("a"), B("1"), 2, 2, 1, 0), prev);

        Assert.Null(store.Put("a", "3").PrevKv);
    }

    [Fact]
    public void An_empty_value_is_a_value()
    {
        var store = new Store();
        store.Put("a", "");
        Assert.Equal("", store.Value("a"));
        Assert.Equal(1, store.Range("a", null).Count);
    }

    [Fact]
    public void IgnoreValue_keeps_the_value_and_IgnoreLease_keeps_the_lease()
    {
        var store = new Store();
        var lease = store.Grant(60);
        store.Put("a", "1", lease);

        store.Apply<PutResult>(new PutRequest(B("a"), default) { IgnoreValue = true });
        var kv = store.Get("a")!;
        Assert.Equal("1", S(kv.Value));
        Assert.Equal(0, kv.Lease);
        Assert.Equal(2, kv.Version);

        store.Put("a", "2", lease);
        store.Apply<PutResult>(new PutRequest(B("a"), B("3")) { IgnoreLease = true });
        kv = store.Get("a")!;
        Assert.Equal("3", S(kv.Value));
        Assert.Equal(lease, kv.Lease);
    }

    [Fact]
    public void Keys_are_byte_strings_in_ordinal_order()
    {
        var store = new Store();
        store.Apply<PutResult>(new PutRequest(new byte[] { 0xff, 0x00 }, B("high")));
        store.Apply<PutResult>(new PutRequest(new byte[] { 0x00 }, B("zero")));
        store.Apply<PutResult>(new PutRequest(new byte[] { 0x7f, 0x80 }, B("mid")));
        store.Apply<PutResult>(new PutRequest(new byte[] { 0x7f }, B("mid-short")));

        var all = store.Query<RangeResult>(new RangeRequest(new byte[] { 0 }) { RangeEnd = KeyRanges.FromKey });
        Assert.Equal(
            new[] { "00", "7F", "7F80", "FF00" },
            all.Kvs.Select(kv => Convert.ToHexString(kv.Key.Span)).ToArray());
    }

    [Fact]
    public void The_store_keeps_its_own_copy_of_keys_and_values()
    {
        var store = new Store();
        var key = B("k");
        var value = B("v");
        store.Machine.Apply(1, new KvCommand(new PutRequest(key, value)));
        key[0] = (byte)'x';
        value[0] = (byte)'x';

        Assert.Equal("v", store.Value("k"));
    }

    [Theory]
    [InlineData("", KvErrorCode.EmptyKey)]
    public void A_put_with_an_empty_key_is_refused(string key, KvErrorCode code)
    {
        var store = new Store();
        Assert.Equal(code, store.Refuse(new PutRequest(B(key), B("v"))));
        Assert.Equal(1, store.Revision);
    }

    [Fact]
    public void A_put_beyond_the_key_or_value_limit_is_refused_and_one_at_the_limit_is_not()
    {
        var store = new Store(new KvLimits { MaxKeyBytes = 4, MaxValueBytes = 8 });
        Assert.Equal(KvErrorCode.KeyTooLarge, store.Refuse(new PutRequest(B("abcde"), B("v"))));
        Assert.Equal(KvErrorCode.ValueTooLarge, store.Refuse(new PutRequest(B("k"), new byte[9])));
        Assert.Equal(1, store.Revision);

        store.Apply<PutResult>(new PutRequest(B("abcd"), new byte[8]));
        Assert.Equal(2, store.Revision);
    }

    [Fact]
    public void A_put_naming_a_missing_lease_is_refused()
    {
        var store = new Store();
        Assert.Equal(KvErrorCode.LeaseNotFound, store.Refuse(new PutRequest(B("a"), B("1")) { Lease = 42 }));
        Assert.Equal(KvErrorCode.LeaseNotFound, store.Refuse(new PutRequest(B("a"), B("1")) { Lease = -1 }));
        Assert.Null(store.Get("a"));
        Assert.Equal(1, store.Revision);
    }

    [Fact]
    public void Ignore_flags_are_refused_on_a_missing_key_or_with_an_operand()
    {
        var store = new Store();
        Assert.Equal(KvErrorCode.KeyNotFound, store.Refuse(new PutRequest(B("a"), default) { IgnoreValue = true }));
        Assert.Equal(KvErrorCode.KeyNotFound, store.Refuse(new PutRequest(B("a"), B("1")) { IgnoreLease = true }));

        store.Put("a", "1");
        Assert.Equal(KvErrorCode.ValueProvided, store.Refuse(new PutRequest(B("a"), B("2")) { IgnoreValue = true }));
        Assert.Equal(KvErrorCode.LeaseProvided, store.Refuse(new PutRequest(B("a"), B("2")) { IgnoreLease = true, Lease = 7 }));

        store.Delete("a");
        Assert.Equal(KvErrorCode.KeyNotFound, store.Refuse(new PutRequest(B("a"), default) { IgnoreValue = true }));
        Assert.Equal(3, store.Revision);
    }

    [Fact]
    public void A_put_cannot_be_served_as_a_query()
    {
        var store = new Store();
        Assert.Equal(KvErrorCode.NotAQuery, store.RefuseQuery(new PutRequest(B("a"), B("1"))));
        Assert.Equal(KvErrorCode.NotAQuery, store.RefuseQuery(new DeleteRangeRequest(B("a"))));
        Assert.Equal(KvErrorCode.NotAQuery, store.RefuseQuery(new CompactRequest(1)));
        Assert.Equal(1, store.Revision);
    }
}
