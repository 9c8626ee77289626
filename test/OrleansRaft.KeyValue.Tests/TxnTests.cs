using static OrleansRaft.KeyValue.Tests.Store;

namespace OrleansRaft.KeyValue.Tests;

public sealed class TxnTests
{
    private static Store WithA()
    {
        var store = new Store();
        store.Put("a", "1");   // 2
        store.Put("a", "2");   // 3: a has create 2, mod 3, version 2
        return store;
    }

    private static bool Holds(Store store, Compare compare) =>
        store.Query<TxnResult>(new TxnRequest { Compares = [compare] }).Succeeded;

    [Theory]
    [InlineData(CompareOperator.Equal, 2, true)]
    [InlineData(CompareOperator.Equal, 1, false)]
    [InlineData(CompareOperator.NotEqual, 1, true)]
    [InlineData(CompareOperator.NotEqual, 2, false)]
    [InlineData(CompareOperator.Greater, 1, true)]
    [InlineData(CompareOperator.Greater, 2, false)]
    [InlineData(CompareOperator.Less, 3, true)]
    [InlineData(CompareOperator.Less, 2, false)]
    public void Version_compares_use_every_operator(CompareOperator op, long operand, bool expected)
    {
        Assert.Equal(expected, Holds(WithA(), Compare.ForVersion(B("a"), op, operand)));
    }

    [Fact]
    public void Create_mod_lease_and_value_compares_read_their_fields()
    {
        var store = WithA();
        Assert.True(Holds(store, Compare.ForCreateRevision(B("a"), CompareOperator.Equal, 2)));
        Assert.True(Holds(store, Compare.ForModRevision(B("a"), CompareOperator.Equal, 3)));
        Assert.True(Holds(store, Compare.ForModRevision(B("a"), CompareOperator.Greater, 2)));
        Assert.True(Holds(store, Compare.ForLease(B("a"), CompareOperator.Equal, 0)));
        Assert.True(Holds(store, Compare.ForValue(B("a"), CompareOperator.Equal, B("2"))));
        Assert.True(Holds(store, Compare.ForValue(B("a"), CompareOperator.Less, B("3"))));
        Assert.True(Holds(store, Compare.ForValue(B("a"), CompareOperator.Greater, B("10"))));
        Assert.False(Holds(store, Compare.ForValue(B("a"), CompareOperator.NotEqual, B("2"))));

        var lease = store.Grant(60);
        store.Put("b", "x", lease);
        Assert.True(Holds(store, Compare.ForLease(B("b"), CompareOperator.Equal, lease)));
    }

    [Fact]
    public void A_missing_key_has_zero_fields_and_no_value()
    {
        var store = WithA();
        Assert.True(Holds(store, Compare.ForVersion(B("zz"), CompareOperator.Equal, 0)));
        Assert.True(Holds(store, Compare.ForCreateRevision(B("zz"), CompareOperator.Equal, 0)));
        Assert.True(Holds(store, Compare.ForModRevision(B("zz"), CompareOperator.Less, 1)));
        Assert.True(Holds(store, Compare.ForLease(B("zz"), CompareOperator.Equal, 0)));
        Assert.False(Holds(store, Compare.ForValue(B("zz"), CompareOperator.Equal, default)));
        Assert.False(Holds(store, Compare.ForValue(B("zz"), CompareOperator.NotEqual, B("x"))));
    }

    [Fact]
    public void A_compare_over_a_range_needs_every_key_to_hold()
    {
        var store = new Store();
        store.Put("k1", "1");
        store.Put("k2", "1");
        store.Put("k2", "2");

        var range = B("k");
        var end = KeyRanges.PrefixEnd(B("k"));
        Assert.True(Holds(store, Compare.ForVersion(range, CompareOperator.Greater, 0).WithRangeEnd(end)));
        Assert.False(Holds(store, Compare.ForVersion(range, CompareOperator.Equal, 1).WithRangeEnd(end)));
        Assert.True(Holds(store, Compare.ForVersion(B("x"), CompareOperator.Equal, 0).WithRangeEnd(B("y"))));
    }

    [Fact]
    public void The_success_branch_runs_when_every_compare_holds_and_the_failure_branch_otherwise()
    {
        var store = WithA();
        var cas = new TxnRequest
        {
            Compares = [Compare.ForValue(B("a"), CompareOperator.Equal, B("2"))],
            Success = [new PutRequest(B("a"), B("3"))],
            Failure = [new RangeRequest(B("a"))],
        };

        var first = store.Apply<TxnResult>(cas);
        Assert.True(first.Succeeded);
        Assert.IsType<PutResult>(Assert.Single(first.Responses));
        Assert.Equal(4, first.Revision);

        var second = store.Apply<TxnResult>(cas);
        Assert.False(second.Succeeded);
        var read = Assert.IsType<RangeResult>(Assert.Single(second.Responses));
        Assert.Equal("3", S(read.Kvs[0].Value));
        Assert.Equal(4, second.Revision);
        Assert.Equal(4, store.Revision);
    }

    [Fact]
    public void Every_write_of_a_transaction_shares_one_revision()
    {
        var store = WithA();
        var result = store.Apply<TxnResult>(new TxnRequest
        {
            Success =
            [
                new PutRequest(B("b"), B("1")),
                new PutRequest(B("c"), B("1")),
                new DeleteRangeRequest(B("a")) { PrevKv = true },
            ],
        });

        Assert.Equal(4, result.Revision);
        Assert.Equal(4, store.Revision);
        Assert.Equal(4, store.Get("b")!.ModRevision);
        Assert.Equal(4, store.Get("c")!.ModRevision);
        Assert.All(result.Responses, r => Assert.Equal(4, r.Revision));
        Assert.Equal(["b", "c"], Keys(store.Range("a", "z")));
    }

    [Fact]
    public void A_range_inside_a_transaction_sees_the_writes_before_it()
    {
        var store = WithA();
        var result = store.Apply<TxnResult>(new TxnRequest
        {
            Success =
            [
                new RangeRequest(B("a")) { RangeEnd = B("z") },
                new PutRequest(B("b"), B("new")),
                new DeleteRangeRequest(B("a")),
                new RangeRequest(B("a")) { RangeEnd = B("z") },
                new RangeRequest(B("a")) { RangeEnd = B("z"), Revision = 3 },
            ],
        });

        var before = (RangeResult)result.Responses[0];
        var after = (RangeResult)result.Responses[3];
        var past = (RangeResult)result.Responses[4];
        Assert.Equal(["a"], Keys(before));
        Assert.Equal(["b"], Keys(after));
        Assert.Equal(4, after.Kvs[0].ModRevision);
        Assert.Equal(["a"], Keys(past));
    }

    [Fact]
    public void A_transaction_without_writes_takes_no_revision()
    {
        var store = WithA();
        var result = store.Apply<TxnResult>(new TxnRequest
        {
            Success = [new RangeRequest(B("a")), new DeleteRangeRequest(B("missing"))],
        });
        Assert.Equal(3, result.Revision);
        Assert.Equal(3, store.Revision);
    }

    [Fact]
    public void Nested_transactions_choose_their_branch_from_the_state_before_the_outer_one()
    {
        var store = WithA();
        var result = store.Apply<TxnResult>(new TxnRequest
        {
            Success =
            [
                new PutRequest(B("a"), B("changed")),
                new TxnRequest
                {
                    // Sees a = "2", although the put above ran first.
                    Compares = [Compare.ForValue(B("a"), CompareOperator.Equal, B("2"))],
                    Success = [new PutRequest(B("inner-success"), B("1"))],
                    Failure = [new PutRequest(B("inner-failure"), B("1"))],
                },
            ],
        });

        var inner = Assert.IsType<TxnResult>(result.Responses[1]);
        Assert.True(inner.Succeeded);
        Assert.Equal("changed", store.Value("a"));
        Assert.Equal("1", store.Value("inner-success"));
        Assert.Null(store.Get("inner-failure"));
        Assert.Equal(4, store.Get("inner-success")!.ModRevision);
    }

    [Fact]
    public void A_key_written_twice_is_refused_in_any_combination()
    {
        var store = WithA();
        var twoPuts = new TxnRequest { Success = [new PutRequest(B("x"), B("1")), new PutRequest(B("x"), B("2"))] };
        var putInDelete = new TxnRequest { Success = [new DeleteRangeRequest(B("w")) { RangeEnd = B("y") }, new PutRequest(B("x"), B("1"))] };
        var nestedPut = new TxnRequest
        {
            Success = [new PutRequest(B("x"), B("1")), new TxnRequest { Failure = [new PutRequest(B("x"), B("2"))] }],
        };
        var nestedDelete = new TxnRequest
        {
            Failure = [new PutRequest(B("x"), B("1")), new TxnRequest { Success = [new DeleteRangeRequest(B("x"))] }],
        };

        Assert.Equal(KvErrorCode.DuplicateKey, store.Refuse(twoPuts));
        Assert.Equal(KvErrorCode.DuplicateKey, store.Refuse(putInDelete));
        Assert.Equal(KvErrorCode.DuplicateKey, store.Refuse(nestedPut));
        Assert.Equal(KvErrorCode.DuplicateKey, store.Refuse(nestedDelete));
        Assert.Equal(3, store.Revision);
        Assert.Null(store.Get("x"));
    }

    [Fact]
    public void The_two_branches_may_write_the_same_key_and_deletes_may_overlap()
    {
        var store = WithA();
        store.Apply<TxnResult>(new TxnRequest
        {
            Success = [new PutRequest(B("x"), B("s"))],
            Failure = [new PutRequest(B("x"), B("f"))],
        });
        Assert.Equal("s", store.Value("x"));

        var result = store.Apply<TxnResult>(new TxnRequest
        {
            Success = [new DeleteRangeRequest(B("a")) { RangeEnd = B("y") }, new DeleteRangeRequest(B("x")) { PrevKv = true }],
        });
        Assert.Equal(2, ((DeleteRangeResult)result.Responses[0]).Deleted);
        Assert.Equal(0, ((DeleteRangeResult)result.Responses[1]).Deleted);
        Assert.Equal(5, store.Revision);
    }

    [Fact]
    public void A_refused_transaction_leaves_the_state_and_revision_unchanged()
    {
        var store = WithA();
        var lease = store.Grant(60);
        var before = store.Dump();

        // The put of "b" passes every check; the failing operation comes after it.
        var refusals = new (KvRequest Request, KvErrorCode Code)[]
        {
            (new TxnRequest { Success = [new PutRequest(B("b"), B("1")), new PutRequest(B("c"), B("1")) { Lease = 999 }] }, KvErrorCode.LeaseNotFound),
            (new TxnRequest { Success = [new PutRequest(B("b"), B("1")), new RangeRequest(B("a")) { Revision = 50 }] }, KvErrorCode.FutureRevision),
            (new TxnRequest { Success = [new PutRequest(B("b"), B("1")), new PutRequest(B("zz"), default) { IgnoreValue = true }] }, KvErrorCode.KeyNotFound),
            (new TxnRequest { Success = [new PutRequest(B("b"), B("1")), new TxnRequest { Success = [new PutRequest(B("c"), B("1")) { Lease = 999 }] }] }, KvErrorCode.LeaseNotFound),
            (new TxnRequest { Success = [new DeleteRangeRequest(B("a")), new PutRequest(default, B("1"))] }, KvErrorCode.EmptyKey),
            (new TxnRequest { Success = [new DeleteRangeRequest(B("a")), new LeaseRevokeRequest(lease)] }, KvErrorCode.InvalidArgument),
        };
        foreach (var (request, code) in refusals)
        {
            Assert.Equal(code, store.Refuse(request));
            Assert.Equal(before, store.Dump());
        }
    }

    [Fact]
    public void Operations_in_the_branch_not_taken_are_checked_only_for_their_form()
    {
        var store = WithA();
        var result = store.Apply<TxnResult>(new TxnRequest
        {
            Compares = [Compare.ForVersion(B("a"), CompareOperator.Equal, 2)],
            Success = [new PutRequest(B("b"), B("1"))],
            Failure = [new PutRequest(B("c"), B("1")) { Lease = 999 }],
        });
        Assert.True(result.Succeeded);

        Assert.Equal(KvErrorCode.ValueTooLarge, store.Refuse(new TxnRequest
        {
            Success = [new PutRequest(B("b"), B("1"))],
            Failure = [new PutRequest(B("c"), new byte[KvLimits.Default.MaxValueBytes + 1])],
        }));
    }

    [Fact]
    public void Too_many_operations_or_too_deep_a_nesting_is_refused()
    {
        var store = new Store(new KvLimits { MaxTxnOperations = 3, MaxTxnDepth = 2 });
        KvRequest[] Puts(int n) => Enumerable.Range(0, n).Select(i => (KvRequest)new PutRequest(B($"k{i}"), B("v"))).ToArray();
        Compare[] Compares(int n) => Enumerable.Range(0, n).Select(_ => Compare.ForVersion(B("a"), CompareOperator.Equal, 0)).ToArray();

        store.Apply<TxnResult>(new TxnRequest { Compares = Compares(3), Success = Puts(3), Failure = Puts(3) });
        Assert.Equal(KvErrorCode.TooManyOperations, store.Refuse(new TxnRequest { Success = Puts(4) }));
        Assert.Equal(KvErrorCode.TooManyOperations, store.Refuse(new TxnRequest { Failure = Puts(4) }));
        Assert.Equal(KvErrorCode.TooManyOperations, store.Refuse(new TxnRequest { Compares = Compares(4) }));
        Assert.Equal(KvErrorCode.TooManyOperations, store.Refuse(new TxnRequest { Success = [new TxnRequest { Success = Puts(4) }] }));

        store.Apply<TxnResult>(new TxnRequest { Success = [new TxnRequest()] });
        Assert.Equal(KvErrorCode.TxnTooDeep, store.Refuse(new TxnRequest { Success = [new TxnRequest { Failure = [new TxnRequest()] }] }));
        Assert.Equal(2, store.Revision);
    }

    [Fact]
    public void A_transaction_carrying_too_many_bytes_is_refused()
    {
        var store = new Store(new KvLimits { MaxRequestBytes = 100, MaxValueBytes = 60 });
        var value = new byte[50];
        Assert.Equal(KvErrorCode.RequestTooLarge, store.Refuse(new TxnRequest
        {
            Success = [new PutRequest(B("a"), value), new PutRequest(B("b"), value)],
        }));
        Assert.Equal(KvErrorCode.RequestTooLarge, store.Refuse(new TxnRequest
        {
            Compares = [Compare.ForValue(B("a"), CompareOperator.Equal, value)],
            Success = [new PutRequest(B("b"), value)],
        }));
        Assert.Equal(1, store.Revision);
    }

    [Fact]
    public void Bad_compares_are_refused()
    {
        var store = WithA();
        Assert.Equal(KvErrorCode.EmptyKey, store.Refuse(new TxnRequest { Compares = [Compare.ForVersion(default, CompareOperator.Equal, 0)] }));
        Assert.Equal(KvErrorCode.InvalidArgument, store.Refuse(new TxnRequest { Compares = [Compare.ForVersion(B("a"), (CompareOperator)7, 0)] }));
        Assert.Equal(KvErrorCode.InvalidArgument, Assert.IsType<ErrorResult>(store.ApplyTyped(new TxnRequest { Compares = [null!] })).Code);
        Assert.Equal(KvErrorCode.InvalidArgument, Assert.IsType<ErrorResult>(store.ApplyTyped(new TxnRequest { Success = null! })).Code);
        Assert.Equal(KvErrorCode.InvalidArgument, Assert.IsType<ErrorResult>(store.ApplyTyped(new TxnRequest { Success = [null!] })).Code);
        Assert.Throws<ArgumentException>(() => KvCodec.EncodeCommand(new KvCommand(new TxnRequest { Compares = [null!] })));
    }

    [Fact]
    public void A_read_only_transaction_is_a_query_and_one_with_writes_is_not()
    {
        var store = WithA();
        var read = store.Query<TxnResult>(new TxnRequest
        {
            Compares = [Compare.ForVersion(B("a"), CompareOperator.Equal, 2)],
            Success = [new RangeRequest(B("a")), new TxnRequest { Success = [new RangeRequest(B("a")) { Revision = 2 }] }],
        });
        Assert.True(read.Succeeded);
        Assert.Equal("1", S(((RangeResult)((TxnResult)read.Responses[1]).Responses[0]).Kvs[0].Value));

        Assert.Equal(KvErrorCode.NotAQuery, store.RefuseQuery(new TxnRequest { Failure = [new PutRequest(B("b"), B("1"))] }));
        Assert.Equal(KvErrorCode.NotAQuery, store.RefuseQuery(new TxnRequest { Success = [new TxnRequest { Success = [new DeleteRangeRequest(B("a"))] }] }));
    }
}
