using OrleansRaft.Abstractions;
using OrleansRaft.Client;

namespace OrleansRaft.KeyValue.Integration.Tests;

/// <summary>Which committed commands may bring a watch events, judged from a notification alone.</summary>
public sealed class KvWatchFilterTests
{
    private static readonly KvWatchFilter Prefix = new(KvBytes.From("/a/"), KeyRanges.PrefixEnd(KvBytes.From("/a/")));
    private static readonly KvWatchFilter Key = new(KvBytes.From("/a/x"), default);
    private static readonly KvWatchFilter FromKey = new(KvBytes.From("m"), KeyRanges.FromKey);

    [Theory]
    [InlineData("/a/", true)]
    [InlineData("/a/x", true)]
    [InlineData("/a", false)]
    [InlineData("/b/x", false)]
    [InlineData("/a0", false)]
    public void A_put_wakes_a_prefix_watch_exactly_when_its_key_has_the_prefix(string key, bool wakes) =>
        Assert.Equal(wakes, Prefix.MayTouch(Put(key)));

    [Fact]
    public void A_put_wakes_a_key_watch_only_on_that_key()
    {
        Assert.True(Key.MayTouch(Put("/a/x")));
        Assert.False(Key.MayTouch(Put("/a/xy")));
        Assert.False(Key.MayTouch(Put("/a/")));
    }

    [Fact]
    public void A_put_wakes_a_watch_from_a_key_on_that_key_and_every_later_one()
    {
        Assert.True(FromKey.MayTouch(Put("m")));
        Assert.True(FromKey.MayTouch(Put("zzz")));
        Assert.False(FromKey.MayTouch(Put("l")));
    }

    [Fact]
    public void A_delete_wakes_a_watch_whose_range_it_meets()
    {
        Assert.True(Prefix.MayTouch(new DeleteRangeRequest(KvBytes.From("/a/x"))));
        Assert.True(Prefix.MayTouch(new DeleteRangeRequest(KvBytes.From("/")) { RangeEnd = KeyRanges.PrefixEnd(KvBytes.From("/")) }));
        Assert.True(Prefix.MayTouch(new DeleteRangeRequest(KvBytes.From("/a/z")) { RangeEnd = KeyRanges.FromKey }));
        Assert.True(Key.MayTouch(new DeleteRangeRequest(KvBytes.From("/a/")) { RangeEnd = KvBytes.From("/a/y") }));
        Assert.False(Prefix.MayTouch(new DeleteRangeRequest(KvBytes.From("/b/")) { RangeEnd = KeyRanges.FromKey }));
        Assert.False(Prefix.MayTouch(new DeleteRangeRequest(KvBytes.From("/")) { RangeEnd = KvBytes.From("/a/") }));
        Assert.False(Key.MayTouch(new DeleteRangeRequest(KvBytes.From("/a/")) { RangeEnd = KvBytes.From("/a/x") }));
        Assert.False(Prefix.MayTouch(new DeleteRangeRequest(KvBytes.From("/a/z")) { RangeEnd = KvBytes.From("/a/b") }));
    }

    [Fact]
    public void A_transaction_wakes_a_watch_when_either_branch_may_write_in_its_range()
    {
        var elsewhere = new PutRequest(KvBytes.From("/b"), KvBytes.From("v"));
        var inside = new PutRequest(KvBytes.From("/a/1"), KvBytes.From("v"));
        Assert.True(Prefix.MayTouch(new TxnRequest { Success = [elsewhere], Failure = [inside] }));
        Assert.True(Prefix.MayTouch(new TxnRequest { Success = [new TxnRequest { Success = [inside] }] }));
        Assert.False(Prefix.MayTouch(new TxnRequest { Success = [elsewhere, new RangeRequest(KvBytes.From("/a/1"))], Failure = [elsewhere] }));
    }

    [Fact]
    public void Commands_that_may_delete_leased_keys_or_compact_always_wake_and_commands_without_a_revision_never_do()
    {
        Assert.True(Prefix.MayTouch(new LeaseRevokeRequest(7)));
        Assert.True(Prefix.MayTouch(new TickRequest(1, 1000)));
        Assert.True(Prefix.MayTouch(new CompactRequest(3)));
        Assert.False(Prefix.MayTouch(new OpenSessionRequest()));
        Assert.False(Prefix.MayTouch(new CloseSessionRequest(1)));
        Assert.False(Prefix.MayTouch(new LeaseGrantRequest(10)));
        Assert.False(Prefix.MayTouch(new LeaseKeepAliveRequest(7)));
    }

    [Fact]
    public void A_notification_wakes_when_any_of_its_commands_may_and_when_one_does_not_decode()
    {
        var outside = Entry(1, new KvCommand(new PutRequest(KvBytes.From("/b"), KvBytes.From("v"))));
        var inside = Entry(2, new KvCommand(new PutRequest(KvBytes.From("/a/1"), KvBytes.From("v")), new SessionStamp(1, 1, 0)));
        Assert.False(Prefix.MayTouch([outside]));
        Assert.True(Prefix.MayTouch([outside, inside]));
        Assert.True(Prefix.MayTouch([new RaftCommittedEntry(3, 1, new byte[] { 0xff, 0x01 })]));
    }

    private static PutRequest Put(string key) => new(KvBytes.From(key), KvBytes.From("v"));

    private static RaftCommittedEntry Entry(ulong index, KvCommand command) => new(index, 1, KvCodec.EncodeCommand(command));
}
