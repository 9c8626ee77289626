namespace OrleansRaft.KeyValue.Tests;

/// <summary>The store tells its leader when the replicated clock must move: never while nothing depends on time.</summary>
public sealed class ClockDemandTests
{
    [Fact]
    public void A_store_without_leases_or_sessions_never_needs_a_tick()
    {
        var store = new Store();
        store.Apply(new PutRequest(Store.B("/a"), Store.B("1")));

        Assert.Null(store.Machine.TickDueIn(epoch: 1, reading: 0));
        Assert.Null(store.Machine.TickDueIn(epoch: 7, reading: 1_000_000));
    }

    [Fact]
    public void A_new_leader_with_a_lease_needs_a_tick_at_once_to_set_its_base()
    {
        var store = new Store();
        store.Tick(1, 0);
        store.Grant(60);

        Assert.Equal(0, store.Machine.TickDueIn(epoch: 2, reading: 500));
    }

    [Fact]
    public void A_lease_makes_the_next_tick_due_at_its_deadline_or_the_checkpoint_whichever_is_first()
    {
        var store = new Store(KvLimits.Default with { LeaseCheckpointMilliseconds = 5_000 });
        store.Tick(1, 10_000);
        store.Grant(3);

        Assert.Equal(3_000, store.Machine.TickDueIn(1, 10_000));
        Assert.Equal(1_000, store.Machine.TickDueIn(1, 12_000));
        Assert.Equal(0, store.Machine.TickDueIn(1, 13_000));

        var longer = new Store(KvLimits.Default with { LeaseCheckpointMilliseconds = 5_000 });
        longer.Tick(1, 10_000);
        longer.Grant(60);
        Assert.Equal(5_000, longer.Machine.TickDueIn(1, 10_000));
        Assert.Equal(0, longer.Machine.TickDueIn(1, 15_000));
    }

    [Fact]
    public void A_session_makes_the_next_tick_due_when_it_would_expire()
    {
        var limits = KvLimits.Default with { SessionIdleTimeoutMilliseconds = 60_000 };
        var store = new Store(limits);
        store.Tick(1, 0);
        store.OpenSession();
        store.Tick(1, 20_000);

        Assert.Equal(40_000, store.Machine.TickDueIn(1, 20_000));
        Assert.Equal(0, store.Machine.TickDueIn(1, 61_000));
    }

    [Fact]
    public void Staleness_is_the_time_since_the_last_tick_of_the_same_epoch()
    {
        var store = new Store();
        store.Tick(3, 1_000);

        Assert.Equal(250, store.Machine.ClockStaleness(3, 1_250));
        Assert.Equal(0, store.Machine.ClockStaleness(3, 900));
        Assert.Null(store.Machine.ClockStaleness(4, 1_250));
    }
}
