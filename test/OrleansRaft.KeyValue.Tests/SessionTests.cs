using static OrleansRaft.KeyValue.Tests.Store;

namespace OrleansRaft.KeyValue.Tests;

public sealed class SessionTests
{
    [Fact]
    public void A_session_id_is_the_index_of_the_command_that_opened_it()
    {
        var store = new Store();
        store.Put("a", "1");
        Assert.Equal(2UL, store.OpenSession());
        Assert.Equal(3UL, store.OpenSession());
    }

    [Fact]
    public void A_retried_command_applies_once_and_gets_the_first_result()
    {
        var store = new Store();
        var session = store.OpenSession();
        var stamp = new SessionStamp(session, 1, 1);
        var put = new PutRequest(B("a"), B("1")) { PrevKv = true };

        var first = store.Apply(put, stamp);
        var retry = store.Apply(put, stamp);
        Assert.Equal(KvCodec.EncodeResult(first), KvCodec.EncodeResult(retry));
        Assert.Equal(2, store.Revision);
        Assert.Equal(1, store.Get("a")!.Version);

        // The retry returns the cached result even when the request differs: the stamp identifies the command.
        store.Apply(new PutRequest(B("a"), B("other")), stamp);
        Assert.Equal("1", store.Value("a"));
    }

    [Fact]
    public void A_refusal_is_remembered_too()
    {
        var store = new Store();
        var session = store.OpenSession();
        var stamp = new SessionStamp(session, 1, 1);
        Assert.Equal(KvErrorCode.LeaseNotFound, store.Refuse(new PutRequest(B("a"), B("1")) { Lease = 1 }, stamp));
        store.Grant(60);
        Assert.Equal(KvErrorCode.LeaseNotFound, store.Refuse(new PutRequest(B("a"), B("1")) { Lease = 1 }, stamp));
        Assert.Null(store.Get("a"));
    }

    [Fact]
    public void Distinct_sequences_apply_separately_and_out_of_order()
    {
        var store = new Store();
        var session = store.OpenSession();
        store.Apply(new PutRequest(B("b"), B("1")), new SessionStamp(session, 2, 1));
        store.Apply(new PutRequest(B("a"), B("1")), new SessionStamp(session, 1, 1));
        store.Apply(new PutRequest(B("b"), B("1")), new SessionStamp(session, 2, 1));
        Assert.Equal(3, store.Revision);
    }

    [Fact]
    public void Acknowledged_results_are_dropped_and_their_retries_refused()
    {
        var store = new Store();
        var session = store.OpenSession();
        store.Apply(new PutRequest(B("a"), B("1")), new SessionStamp(session, 1, 1));
        store.Apply(new PutRequest(B("a"), B("2")), new SessionStamp(session, 2, 2));   // acknowledges 1

        Assert.Equal(KvErrorCode.SequenceDiscarded, store.Refuse(new PutRequest(B("a"), B("1")), new SessionStamp(session, 1, 1)));
        Assert.Equal("2", store.Value("a"));
        store.Apply(new PutRequest(B("a"), B("2")), new SessionStamp(session, 2, 2));
        Assert.Equal(3, store.Revision);
    }

    [Fact]
    public void A_session_keeps_at_most_its_bound_of_results_and_drops_the_oldest()
    {
        var store = new Store(new KvLimits { MaxResponsesPerSession = 2 });
        var session = store.OpenSession();
        for (ulong seq = 1; seq <= 3; seq++)
        {
            store.Apply(new PutRequest(B($"k{seq}"), B("1")), new SessionStamp(session, seq, 1));
        }

        Assert.Equal(KvErrorCode.SequenceDiscarded, store.Refuse(new PutRequest(B("k1"), B("1")), new SessionStamp(session, 1, 1)));
        store.Apply(new PutRequest(B("k2"), B("1")), new SessionStamp(session, 2, 1));
        store.Apply(new PutRequest(B("k3"), B("1")), new SessionStamp(session, 3, 1));
        Assert.Equal(4, store.Revision);
    }

    [Fact]
    public void A_command_of_an_unknown_or_closed_session_is_refused_and_not_applied()
    {
        var store = new Store();
        Assert.Equal(KvErrorCode.SessionExpired, store.Refuse(new PutRequest(B("a"), B("1")), new SessionStamp(77, 1, 1)));
        var session = store.OpenSession();
        store.Apply<SessionClosedResult>(new CloseSessionRequest(session));
        Assert.Equal(KvErrorCode.SessionExpired, store.Refuse(new PutRequest(B("a"), B("1")), new SessionStamp(session, 1, 1)));
        Assert.Equal(KvErrorCode.SessionExpired, store.Refuse(new CloseSessionRequest(session)));
        Assert.Null(store.Get("a"));
    }

    [Fact]
    public void Opening_beyond_the_bound_evicts_the_least_recently_used_session()
    {
        var store = new Store(new KvLimits { MaxSessions = 2 });
        var first = store.OpenSession();
        var second = store.OpenSession();
        store.Apply(new PutRequest(B("a"), B("1")), new SessionStamp(first, 1, 1));   // first is now the most recent
        var third = store.OpenSession();

        Assert.Equal(2L, store.Machine.Status().SessionCount);
        Assert.Equal(KvErrorCode.SessionExpired, store.Refuse(new PutRequest(B("b"), B("1")), new SessionStamp(second, 1, 1)));
        store.Apply<PutResult>(new PutRequest(B("b"), B("1")), new SessionStamp(first, 2, 1));
        store.Apply<PutResult>(new PutRequest(B("c"), B("1")), new SessionStamp(third, 1, 1));
    }

    [Fact]
    public void A_session_idle_past_the_timeout_on_the_replicated_clock_expires_at_a_tick()
    {
        var store = new Store(new KvLimits { SessionIdleTimeoutMilliseconds = 1_000 });
        store.Tick(1, 0);
        var idle = store.OpenSession();
        var busy = store.OpenSession();
        store.Tick(1, 600);
        store.Apply(new PutRequest(B("a"), B("1")), new SessionStamp(busy, 1, 1));

        Assert.Empty(store.Tick(1, 999).ExpiredSessions);
        Assert.Equal([idle], store.Tick(1, 1_000).ExpiredSessions);
        Assert.Equal([busy], store.Tick(1, 1_600).ExpiredSessions);
        Assert.Equal(KvErrorCode.SessionExpired, store.Refuse(new PutRequest(B("a"), B("1")), new SessionStamp(busy, 1, 1)));
    }

    [Fact]
    public void Bad_stamps_and_session_bound_requests_are_refused()
    {
        var store = new Store();
        var session = store.OpenSession();
        Assert.Equal(KvErrorCode.InvalidArgument, store.Refuse(new PutRequest(B("a"), B("1")), new SessionStamp(session, 0, 0)));
        Assert.Equal(KvErrorCode.InvalidArgument, store.Refuse(new PutRequest(B("a"), B("1")), new SessionStamp(0, 1, 1)));
        Assert.Equal(KvErrorCode.InvalidArgument, store.Refuse(new PutRequest(B("a"), B("1")), new SessionStamp(session, 1, 2)));
        Assert.Equal(KvErrorCode.InvalidArgument, store.Refuse(new TickRequest(1, 1), new SessionStamp(session, 1, 1)));
        Assert.Equal(KvErrorCode.InvalidArgument, store.Refuse(new OpenSessionRequest(), new SessionStamp(session, 1, 1)));
        Assert.Null(store.Get("a"));

        // None of these took sequence 1.
        store.Apply<PutResult>(new PutRequest(B("a"), B("1")), new SessionStamp(session, 1, 1));
    }

    [Fact]
    public void Sessions_and_their_results_survive_a_snapshot()
    {
        var store = new Store();
        var session = store.OpenSession();
        var stamp = new SessionStamp(session, 1, 1);
        var first = store.Apply(new TxnRequest { Success = [new PutRequest(B("a"), B("1")), new RangeRequest(B("a"))] }, stamp);

        var restored = new KvStateMachine();
        restored.Restore(store.Machine.Snapshot());
        var retry = restored.Apply(store.Index + 1, new KvCommand(new PutRequest(B("a"), B("2")), stamp));
        Assert.Equal(KvCodec.EncodeResult(first), KvCodec.EncodeResult(retry));
        Assert.Equal(2, restored.Revision);
    }
}
