using static OrleansRaft.KeyValue.Tests.Store;

namespace OrleansRaft.KeyValue.Tests;

public sealed class LeaseTests
{
    [Fact]
    public void Automatic_lease_ids_count_up_and_skip_ids_in_use()
    {
        var store = new Store();
        Assert.Equal(1, store.Grant(10));
        Assert.Equal(3, store.Grant(10, id: 3));
        Assert.Equal(2, store.Grant(10));
        Assert.Equal(4, store.Grant(10));
        Assert.Equal([1L, 2, 3, 4], store.Query<LeaseListResult>(new LeaseListRequest()).Ids);
    }

    [Fact]
    public void A_grant_takes_no_revision_and_reports_its_ttl_raised_to_the_minimum()
    {
        var store = new Store();
        var result = store.Apply<LeaseGrantResult>(new LeaseGrantRequest(1));
        Assert.Equal(KvLimits.Default.MinLeaseTtlSeconds, result.TtlSeconds);
        Assert.Equal(1, result.Revision);
        Assert.Equal(60, store.Apply<LeaseGrantResult>(new LeaseGrantRequest(60)).TtlSeconds);
        Assert.Equal(1, store.Revision);
    }

    [Fact]
    public void A_negative_id_is_granted_as_chosen_and_a_negative_ttl_gets_the_minimum_as_in_etcd()
    {
        var store = new Store(new KvLimits { MinLeaseTtlSeconds = 2 });
        var negative = store.Apply<LeaseGrantResult>(new LeaseGrantRequest(60) { Id = -7 });
        Assert.Equal((-7L, 60L), (negative.Id, negative.TtlSeconds));
        store.Put("a", "1", lease: -7);
        Assert.Equal(-7, store.Get("a")!.Lease);

        Assert.Equal(2, store.Apply<LeaseGrantResult>(new LeaseGrantRequest(-5)).TtlSeconds);
        store.Apply<LeaseRevokeResult>(new LeaseRevokeRequest(-7));
        Assert.Null(store.Get("a"));
    }

    [Fact]
    public void Bad_grants_are_refused()
    {
        var store = new Store(new KvLimits { MaxLeases = 2, MaxLeaseTtlSeconds = 100 });
        store.Grant(10, id: 5);
        Assert.Equal(KvErrorCode.LeaseExists, store.Refuse(new LeaseGrantRequest(10) { Id = 5 }));
        Assert.Equal(KvErrorCode.LeaseTtlTooLarge, store.Refuse(new LeaseGrantRequest(101)));
        store.Grant(100);
        Assert.Equal(KvErrorCode.TooManyLeases, store.Refuse(new LeaseGrantRequest(10)));
        Assert.Equal([1L, 5], store.Query<LeaseListResult>(new LeaseListRequest()).Ids);
    }

    [Fact]
    public void Revoking_a_lease_deletes_its_keys_in_one_revision()
    {
        var store = new Store();
        var lease = store.Grant(60);
        store.Put("a", "1", lease);   // 2
        store.Put("b", "1", lease);   // 3
        store.Put("c", "1");          // 4

        var result = store.Apply<LeaseRevokeResult>(new LeaseRevokeRequest(lease));
        Assert.Equal(2, result.DeletedKeys);
        Assert.Equal(5, result.Revision);
        Assert.Equal(["c"], Keys(store.Range("a", "z")));
        Assert.Equal(KvErrorCode.LeaseNotFound, store.Refuse(new LeaseRevokeRequest(lease)));
        Assert.Equal(KvErrorCode.LeaseNotFound, store.Refuse(new PutRequest(B("d"), B("1")) { Lease = lease }));
        Assert.Equal(["Delete a=@5", "Delete b=@5"], store.Events("a", "c", from: 5).Events.Select(e => $"{e.Type} {S(e.Kv.Key)}=@{e.Kv.ModRevision}").ToArray());
    }

    [Fact]
    public void Revoking_a_lease_without_keys_takes_no_revision()
    {
        var store = new Store();
        var lease = store.Grant(60);
        Assert.Equal(0, store.Apply<LeaseRevokeResult>(new LeaseRevokeRequest(lease)).DeletedKeys);
        Assert.Equal(1, store.Revision);
    }

    [Fact]
    public void A_key_belongs_to_the_lease_of_its_latest_put_and_leaves_it_when_deleted()
    {
        var store = new Store();
        var one = store.Grant(60);
        var two = store.Grant(60);
        store.Put("a", "1", one);
        store.Put("b", "1", one);
        store.Put("a", "2", two);
        store.Put("b", "2");
        store.Put("c", "1", two);
        store.Delete("c");

        Assert.Empty(store.Machine.LeaseTimeToLive(one, keys: true).Keys);
        Assert.Equal(["a"], store.Machine.LeaseTimeToLive(two, keys: true).Keys.Select(S).ToArray());

        store.Apply<LeaseRevokeResult>(new LeaseRevokeRequest(one));
        Assert.Equal("2", store.Value("a"));
        Assert.Equal("2", store.Value("b"));
    }

    [Fact]
    public void A_lease_expires_when_the_replicated_clock_passes_its_deadline_and_its_keys_go()
    {
        var store = new Store();
        store.Tick(1, 1_000);
        var lease = store.Grant(10);
        store.Put("a", "1", lease);

        Assert.Empty(store.Tick(1, 10_999).ExpiredLeases);
        Assert.Equal("1", store.Value("a"));
        Assert.Equal(1, store.Machine.LeaseTimeToLive(lease).RemainingMilliseconds);
        Assert.Equal(1, store.Machine.LeaseTimeToLive(lease).RemainingTtlSeconds);

        var tick = store.Tick(1, 11_000);
        Assert.Equal([lease], tick.ExpiredLeases);
        Assert.Equal(3, tick.Revision);
        Assert.Equal(10_000, tick.ClockMilliseconds);
        Assert.Null(store.Get("a"));
        Assert.Equal(KvErrorCode.LeaseNotFound, store.RefuseQuery(new LeaseTimeToLiveRequest(lease)));
    }

    [Fact]
    public void A_keepalive_restarts_the_ttl_from_the_current_replicated_time()
    {
        var store = new Store();
        store.Tick(1, 0);
        var lease = store.Grant(10);
        store.Tick(1, 8_000);
        var result = store.Apply<LeaseKeepAliveResult>(new LeaseKeepAliveRequest(lease));
        Assert.Equal(10, result.TtlSeconds);
        Assert.Equal(10_000, store.Machine.LeaseTimeToLive(lease).RemainingMilliseconds);

        Assert.Empty(store.Tick(1, 17_999).ExpiredLeases);
        Assert.Equal([lease], store.Tick(1, 18_000).ExpiredLeases);
        Assert.Equal(KvErrorCode.LeaseNotFound, store.Refuse(new LeaseKeepAliveRequest(lease)));
    }

    [Fact]
    public void A_new_epoch_sets_the_clock_base_without_advancing_and_an_old_epoch_is_ignored()
    {
        var store = new Store();
        store.Tick(1, 1_000);
        store.Tick(1, 4_000);
        Assert.Equal(3_000, store.Machine.ClockMilliseconds);

        // A new leader's clock is unrelated: its first tick only sets the base, however far its reading.
        store.Tick(2, 900_000);
        Assert.Equal(3_000, store.Machine.ClockMilliseconds);
        store.Tick(2, 902_000);
        Assert.Equal(5_000, store.Machine.ClockMilliseconds);

        // A deposed leader's tick, committed late, and a reading that goes back, move nothing.
        store.Tick(1, 9_999_999);
        store.Tick(2, 901_000);
        Assert.Equal(5_000, store.Machine.ClockMilliseconds);
        store.Tick(2, 903_000);
        Assert.Equal(6_000, store.Machine.ClockMilliseconds);
    }

    [Fact]
    public void A_leader_change_extends_leases_rather_than_shortening_them()
    {
        var store = new Store();
        store.Tick(1, 0);
        var lease = store.Grant(10);
        store.Tick(1, 9_000);
        store.Tick(2, 50);            // the new leader's base: the time in between is not counted
        Assert.Empty(store.Tick(2, 999).ExpiredLeases);
        Assert.Equal([lease], store.Tick(2, 1_050).ExpiredLeases);
    }

    [Fact]
    public void Leases_expire_in_deadline_order_and_at_most_the_per_tick_limit_at_once()
    {
        var store = new Store(new KvLimits { MaxLeasesExpiredPerTick = 2, MinLeaseTtlSeconds = 1 });
        store.Tick(1, 0);
        var late = store.Grant(3, id: 10);
        var early = store.Grant(1, id: 20);
        var middle = store.Grant(2, id: 30);
        var tie = store.Grant(2, id: 5);
        foreach (var id in new[] { late, early, middle, tie })
        {
            store.Put($"k{id}", "v", id);
        }

        var first = store.Tick(1, 10_000);
        Assert.Equal([early, tie], first.ExpiredLeases);
        Assert.Equal(7, first.Revision);
        Assert.Equal([middle, late], store.Tick(1, 10_000).ExpiredLeases);
        Assert.Empty(store.Range("k", "l").Kvs);
        Assert.Equal(9, store.Revision);
    }

    [Fact]
    public void Time_to_live_reports_granted_and_remaining_ttl_and_the_keys_on_request()
    {
        var store = new Store();
        store.Tick(1, 0);
        var lease = store.Grant(30);
        store.Put("b", "1", lease);
        store.Put("a", "1", lease);
        store.Tick(1, 10_500);

        var ttl = store.Query<LeaseTimeToLiveResult>(new LeaseTimeToLiveRequest(lease) { Keys = true });
        Assert.Equal(30, ttl.GrantedTtlSeconds);
        Assert.Equal(19_500, ttl.RemainingMilliseconds);
        Assert.Equal(20, ttl.RemainingTtlSeconds);
        Assert.Equal(["a", "b"], ttl.Keys.Select(S).ToArray());
        Assert.Empty(store.Query<LeaseTimeToLiveResult>(new LeaseTimeToLiveRequest(lease)).Keys);
        Assert.Equal(KvErrorCode.LeaseNotFound, store.RefuseQuery(new LeaseTimeToLiveRequest(99)));
        Assert.Throws<KvException>(() => store.Machine.LeaseTimeToLive(99));
    }

    [Fact]
    public void Bad_ticks_are_refused_and_queries_are_not_commands()
    {
        var store = new Store();
        Assert.Equal(KvErrorCode.InvalidArgument, store.Refuse(new TickRequest(-1, 0)));
        Assert.Equal(KvErrorCode.InvalidArgument, store.Refuse(new TickRequest(0, -1)));
        Assert.Equal(KvErrorCode.NotACommand, store.Refuse(new LeaseTimeToLiveRequest(1)));
        Assert.Equal(KvErrorCode.NotACommand, store.Refuse(new LeaseListRequest()));
        Assert.Equal(KvErrorCode.NotAQuery, store.RefuseQuery(new LeaseGrantRequest(10)));
        Assert.Equal(KvErrorCode.NotAQuery, store.RefuseQuery(new TickRequest(1, 1)));
    }

    [Fact]
    public void Extreme_clock_readings_saturate_instead_of_overflowing()
    {
        var store = new Store();
        store.Tick(1, 0);
        store.Tick(1, long.MaxValue);
        store.Tick(2, 0);
        store.Tick(2, long.MaxValue);
        Assert.Equal(long.MaxValue / 4, store.Machine.ClockMilliseconds);

        var lease = store.Grant(KvLimits.Default.MaxLeaseTtlSeconds);
        Assert.Equal(KvLimits.Default.MaxLeaseTtlSeconds * 1000, store.Machine.LeaseTimeToLive(lease).RemainingMilliseconds);
    }
}
