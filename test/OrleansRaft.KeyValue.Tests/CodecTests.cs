using static OrleansRaft.KeyValue.Tests.Store;

namespace OrleansRaft.KeyValue.Tests;

public sealed class CodecTests
{
    private static IEnumerable<KvRequest> EveryRequest()
    {
        yield return new PutRequest(B("k"), B("v")) { Lease = 7, PrevKv = true, IgnoreLease = false };
        yield return new PutRequest(B("k"), default) { IgnoreValue = true, IgnoreLease = true };
        yield return new RangeRequest(B("a"))
        {
            RangeEnd = B("z"), Limit = 5, Revision = 9, SortOrder = SortOrder.Descend, SortTarget = SortTarget.Mod, KeysOnly = true, CountOnly = true,
        };
        yield return new RangeRequest(B("a"))
        {
            RangeEnd = B("z"), Limit = 1, MinModRevision = 2, MaxModRevision = long.MaxValue, MinCreateRevision = -4, MaxCreateRevision = 5,
        };
        yield return new DeleteRangeRequest(B("a")) { RangeEnd = KeyRanges.FromKey, PrevKv = true };
        yield return new TxnRequest
        {
            Compares =
            [
                Compare.ForValue(B("a"), CompareOperator.NotEqual, B("x")).WithRangeEnd(B("b")),
                Compare.ForVersion(B("a"), CompareOperator.Less, -3),
                Compare.ForLease(B("a"), CompareOperator.Greater, long.MaxValue),
            ],
            Success = [new PutRequest(B("a"), B("1")), new TxnRequest { Failure = [new RangeRequest(B("q"))] }],
            Failure = [new DeleteRangeRequest(B("a"))],
        };
        yield return new CompactRequest(long.MaxValue);
        yield return new LeaseGrantRequest(30) { Id = 12 };
        yield return new LeaseRevokeRequest(3);
        yield return new LeaseKeepAliveRequest(4);
        yield return new LeaseTimeToLiveRequest(5) { Keys = true };
        yield return new LeaseListRequest();
        yield return new TickRequest(long.MaxValue, long.MinValue);
        yield return new OpenSessionRequest();
        yield return new CloseSessionRequest(ulong.MaxValue);
        yield return new ListDirectoryRequest(B("/a/")) { Revision = 3, Limit = 2, After = B("/a/b"), KeysOnly = true };
        yield return new EventsRequest(B("k")) { RangeEnd = B("l"), FromRevision = 4, Skip = 2, Limit = 10 };
        yield return new StatusRequest();
        yield return new StatusRequest { IncludeSizes = true };
        yield return new HashKvRequest { Revision = 7 };
        yield return new StoreSnapshotRequest();
    }

    public static TheoryData<int> RequestIndexes() => [.. Enumerable.Range(0, EveryRequest().Count())];

    [Theory]
    [MemberData(nameof(RequestIndexes))]
    public void Every_request_survives_a_round_trip_as_a_command_and_as_a_query(int which)
    {
        var request = EveryRequest().ElementAt(which);
        var command = KvCodec.EncodeCommand(new KvCommand(request, new SessionStamp(1, 2, 3)));
        var decoded = KvCodec.DecodeCommand(command);
        Assert.Equal(new SessionStamp(1, 2, 3), decoded.Session);
        Assert.Equal(command, KvCodec.EncodeCommand(decoded));

        var query = KvCodec.EncodeQuery(request);
        Assert.Equal(query, KvCodec.EncodeQuery(KvCodec.DecodeQuery(query)));
        Assert.Null(KvCodec.DecodeCommand(KvCodec.EncodeCommand(new KvCommand(request))).Session);
    }

    [Fact]
    public void A_ranges_revision_filters_survive_a_round_trip_and_a_range_without_them_carries_none()
    {
        var filtered = (RangeRequest)KvCodec.DecodeQuery(KvCodec.EncodeQuery(new RangeRequest(B("a")) { MinModRevision = 2, MaxModRevision = 3, MinCreateRevision = 4, MaxCreateRevision = 5 }));
        Assert.Equal((2L, 3L, 4L, 5L), (filtered.MinModRevision, filtered.MaxModRevision, filtered.MinCreateRevision, filtered.MaxCreateRevision));

        var onlyOne = (RangeRequest)KvCodec.DecodeQuery(KvCodec.EncodeQuery(new RangeRequest(B("a")) { MaxCreateRevision = 7 }));
        Assert.Equal((0L, 0L, 0L, 7L), (onlyOne.MinModRevision, onlyOne.MaxModRevision, onlyOne.MinCreateRevision, onlyOne.MaxCreateRevision));

        // Four varints follow the flags only when a filter is set: log entries written before the filters read the same.
        Assert.Equal(KvCodec.EncodeQuery(new RangeRequest(B("a"))).Length + 4, KvCodec.EncodeQuery(new RangeRequest(B("a")) { MinModRevision = 1 }).Length);
    }

    [Fact]
    public void A_command_encodes_compactly()
    {
        // version, session flags, tag, key (1 + 3), value (1 + 5), lease, put flags
        Assert.Equal(15, KvCodec.EncodeCommand(new KvCommand(new PutRequest(B("foo"), B("hello")))).Length);
    }

    [Fact]
    public void Every_result_survives_a_round_trip()
    {
        var store = new Store();
        var results = new List<KvResult>();
        store.Tick(1, 0);
        var lease = store.Grant(60);
        results.Add(store.Put("/a/b", "1", lease, prevKv: true));
        results.Add(store.Put("/a/b", "2", lease, prevKv: true));
        results.Add(store.Put("/a/c/d", "1"));
        results.Add(store.Range("/", "0"));
        results.Add(store.Apply(new TxnRequest { Success = [new RangeRequest(B("/a/b")), new TxnRequest { Success = [new DeleteRangeRequest(B("/a/c/d")) { PrevKv = true }] }] }));
        results.Add(store.Apply(new CompactRequest(3)));
        results.Add(store.Apply(new LeaseKeepAliveRequest(lease)));
        results.Add(store.Query(new LeaseTimeToLiveRequest(lease) { Keys = true }));
        results.Add(store.Query(new LeaseListRequest()));
        results.Add(store.Query(new ListDirectoryRequest(B("/a/"))));
        results.Add(store.Query(new EventsRequest(B("/")) { RangeEnd = B("0"), FromRevision = 3 }));
        results.Add(store.Query(new StatusRequest { IncludeSizes = true }));
        results.Add(store.Query(new HashKvRequest()));
        results.Add(store.Query(new StoreSnapshotRequest()));
        results.Add(store.Apply(new OpenSessionRequest()));
        results.Add(store.Apply(new CloseSessionRequest(store.Index)));
        results.Add(store.Apply(new LeaseRevokeRequest(lease)));
        results.Add(store.Tick(1, 1_000));
        results.Add(store.Apply(new CompactRequest(1)));
        results.Add(store.Apply(new LeaseGrantRequest(5)));
        results.Add(store.Apply(new DeleteRangeRequest(B("/")) { RangeEnd = B("0"), PrevKv = true }));

        Assert.Equal(19, results.Select(r => r.GetType()).Distinct().Count());
        foreach (var result in results)
        {
            var bytes = KvCodec.EncodeResult(result);
            Assert.Equal(bytes, KvCodec.EncodeResult(KvCodec.DecodeResult(bytes)));
        }
    }

    [Fact]
    public void Malformed_bytes_are_refused_with_a_clear_code()
    {
        var good = KvCodec.EncodeCommand(new KvCommand(new PutRequest(B("k"), B("v"))));
        Assert.Equal(KvErrorCode.MalformedRequest, Code(() => KvCodec.DecodeCommand([])));
        Assert.Equal(KvErrorCode.MalformedRequest, Code(() => KvCodec.DecodeCommand(good[..^1])));
        Assert.Equal(KvErrorCode.MalformedRequest, Code(() => KvCodec.DecodeCommand([.. good, 0])));
        Assert.Equal(KvErrorCode.UnsupportedFormat, Code(() => KvCodec.DecodeCommand([2, .. good[1..]])));
        Assert.Equal(KvErrorCode.MalformedRequest, Code(() => KvCodec.DecodeCommand([1, 2, .. good[2..]])));
        Assert.Equal(KvErrorCode.MalformedRequest, Code(() => KvCodec.DecodeCommand([1, 0, 99])));
        Assert.Equal(KvErrorCode.MalformedRequest, Code(() => KvCodec.DecodeCommand([1, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])));
        Assert.Equal(KvErrorCode.MalformedRequest, Code(() => KvCodec.DecodeCommand([1, 0, 1, 0x7f])));
        Assert.Equal(KvErrorCode.MalformedRequest, Code(() => KvCodec.DecodeCommand([1, 0, 1, 1, (byte)'k', 0, 0, 8])));
        Assert.Equal(KvErrorCode.MalformedRequest, Code(() => KvCodec.DecodeResult([1, 0, 0, 2, 1, 0xff])));
    }

    [Fact]
    public void Deeply_nested_input_is_refused_without_exhausting_the_stack()
    {
        var bytes = new List<byte> { 1, 0 };
        for (var i = 0; i < 100_000; i++)
        {
            bytes.AddRange([(byte)4, 0, 1]);   // a txn: no compares, one success operation, ...
        }

        Assert.Equal(KvErrorCode.MalformedRequest, Code(() => KvCodec.DecodeCommand(bytes.ToArray())));
    }

    [Fact]
    public void Applying_garbage_never_throws_and_a_refused_command_never_changes_the_store()
    {
        var store = new Store();
        store.Put("a", "1");
        var random = new Random(2718);
        var good = KvCodec.EncodeCommand(new KvCommand(new TxnRequest
        {
            Compares = [Compare.ForVersion(B("a"), CompareOperator.Greater, 0)],
            Success = [new PutRequest(B("a"), B("2")), new DeleteRangeRequest(B("b"))],
        }));

        var before = store.StateBytes();
        var index = store.Index;
        var refused = 0;
        for (var i = 0; i < 3_000; i++)
        {
            byte[] bytes;
            if (i % 2 == 0)
            {
                bytes = new byte[random.Next(0, 40)];
                random.NextBytes(bytes);
                if (bytes.Length > 1 && random.Next(2) == 0)
                {
                    bytes[0] = KvCodec.FormatVersion;
                    bytes[1] = 0;
                }
            }
            else
            {
                // One flipped bit in a valid command: often still valid, often not.
                bytes = good.ToArray();
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            }

            var result = KvCodec.DecodeResult(store.Machine.Apply(++index, bytes));
            if (result is ErrorResult)
            {
                refused++;
                Assert.Equal(before, store.StateBytes());
            }
            else
            {
                before = store.StateBytes();
            }
        }

        Assert.InRange(refused, 1_500, 3_000);
    }

    [Fact]
    public void A_command_beyond_the_request_size_limit_is_refused_before_decoding()
    {
        var store = new Store(new KvLimits { MaxRequestBytes = 64 });
        var bytes = KvCodec.EncodeCommand(new KvCommand(new PutRequest(B("k"), new byte[60])));
        var result = Assert.IsType<ErrorResult>(KvCodec.DecodeResult(store.Machine.Apply(1, bytes)));
        Assert.Equal(KvErrorCode.RequestTooLarge, result.Code);
        Assert.Equal($"the command has {bytes.Length} bytes; the limit is 64", result.Message);
        Assert.Equal(1, store.Revision);
    }

    [Fact]
    public void Commands_apply_in_index_order_only()
    {
        var machine = new KvStateMachine();
        machine.Apply(5, new KvCommand(new PutRequest(B("a"), B("1"))));
        Assert.Throws<ArgumentOutOfRangeException>(() => machine.Apply(5, new KvCommand(new PutRequest(B("a"), B("2")))));
        Assert.Throws<ArgumentOutOfRangeException>(() => machine.Apply(4, KvCodec.EncodeCommand(new KvCommand(new PutRequest(B("a"), B("2"))))));
        Assert.Equal(5UL, machine.AppliedIndex);
        Assert.Equal(2, machine.Revision);
    }

    [Fact]
    public void Refused_queries_come_back_encoded()
    {
        var machine = new KvStateMachine();
        var answer = KvCodec.DecodeResult(machine.Query([9, 9, 9]));
        Assert.Equal(KvErrorCode.UnsupportedFormat, Assert.IsType<ErrorResult>(answer).Code);
        Assert.Equal(KvErrorCode.MalformedRequest, Assert.IsType<ErrorResult>(KvCodec.DecodeResult(machine.Query([1, 0xee]))).Code);
    }

    private static KvErrorCode Code(Action action) => Assert.Throws<KvException>(action).Code;
}
