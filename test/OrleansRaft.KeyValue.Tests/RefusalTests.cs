using static OrleansRaft.KeyValue.Tests.Store;

namespace OrleansRaft.KeyValue.Tests;

/// <summary>Every refusal a command can meet, in one place: each leaves the whole state as it was.</summary>
public sealed class RefusalTests
{
    private static readonly KvLimits Small = new()
    {
        MaxKeyBytes = 8, MaxValueBytes = 16, MaxRequestBytes = 64, MaxTxnOperations = 2, MaxTxnDepth = 2, MaxLeases = 2,
        MaxLeaseTtlSeconds = 1_000, MaxResponsesPerSession = 1,
    };

    /// <summary>A store with history, a compaction, two leases (the maximum) and a session whose sequence 1 was dropped.</summary>
    private static (Store Store, ulong Session) Prepared()
    {
        var store = new Store(Small);
        store.Put("a", "1");
        store.Put("a", "2");
        store.Put("b", "1");
        store.Apply<CompactResult>(new CompactRequest(3));
        store.Grant(60, id: 1);
        store.Grant(60, id: 2);
        var session = store.OpenSession();
        store.Apply(new PutRequest(B("s"), B("1")), new SessionStamp(session, 1, 1));
        store.Apply(new PutRequest(B("s"), B("2")), new SessionStamp(session, 2, 1));   // the bound of 1 drops sequence 1
        return (store, session);
    }

    public static TheoryData<string, KvErrorCode> Refusals() => new()
    {
        { "negative limit", KvErrorCode.InvalidArgument },
        { "empty key", KvErrorCode.EmptyKey },
        { "key too large", KvErrorCode.KeyTooLarge },
        { "value too large", KvErrorCode.ValueTooLarge },
        { "request too large", KvErrorCode.RequestTooLarge },
        { "encoded command too large", KvErrorCode.RequestTooLarge },
        { "too many operations", KvErrorCode.TooManyOperations },
        { "too deep", KvErrorCode.TxnTooDeep },
        { "duplicate key", KvErrorCode.DuplicateKey },
        { "compacted read", KvErrorCode.Compacted },
        { "compacted compaction", KvErrorCode.Compacted },
        { "future read", KvErrorCode.FutureRevision },
        { "future compaction", KvErrorCode.FutureRevision },
        { "ignore value of a missing key", KvErrorCode.KeyNotFound },
        { "ignore value with a value", KvErrorCode.ValueProvided },
        { "ignore lease with a lease", KvErrorCode.LeaseProvided },
        { "missing lease", KvErrorCode.LeaseNotFound },
        { "existing lease", KvErrorCode.LeaseExists },
        { "ttl too large", KvErrorCode.LeaseTtlTooLarge },
        { "too many leases", KvErrorCode.TooManyLeases },
        { "unknown session", KvErrorCode.SessionExpired },
        { "discarded sequence", KvErrorCode.SequenceDiscarded },
        { "malformed bytes", KvErrorCode.MalformedRequest },
        { "unknown format", KvErrorCode.UnsupportedFormat },
        { "query as command", KvErrorCode.NotACommand },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_refused_command_leaves_the_state_and_the_revision_unchanged(string what, KvErrorCode expected)
    {
        var (store, session) = Prepared();
        var before = store.StateBytes();
        var revision = store.Revision;

        byte[] command = what switch
        {
            "negative limit" => Encode(new RangeRequest(B("a")) { Limit = -1 }),
            "empty key" => Encode(new PutRequest(default, B("1"))),
            "key too large" => Encode(new PutRequest(B("123456789"), B("1"))),
            "value too large" => Encode(new PutRequest(B("a"), new byte[17])),
            "request too large" => Encode(new TxnRequest { Success = [new PutRequest(B("c"), new byte[16]), new PutRequest(B("d"), new byte[16])], Failure = [new PutRequest(B("e"), new byte[16]), new PutRequest(B("f"), new byte[16])] }),
            "encoded command too large" => [.. Encode(new PutRequest(B("c"), B("1"))), .. new byte[64]],
            "too many operations" => Encode(new TxnRequest { Success = [new RangeRequest(B("a")), new RangeRequest(B("a")), new RangeRequest(B("a"))] }),
            "too deep" => Encode(new TxnRequest { Success = [new TxnRequest { Success = [new TxnRequest()] }] }),
            "duplicate key" => Encode(new TxnRequest { Success = [new PutRequest(B("c"), B("1")), new PutRequest(B("c"), B("2"))] }),
            "compacted read" => Encode(new TxnRequest { Success = [new PutRequest(B("c"), B("1")), new RangeRequest(B("a")) { Revision = 2 }] }),
            "compacted compaction" => Encode(new CompactRequest(3)),
            "future read" => Encode(new RangeRequest(B("a")) { Revision = 99 }),
            "future compaction" => Encode(new CompactRequest(99)),
            "ignore value of a missing key" => Encode(new PutRequest(B("zz"), default) { IgnoreValue = true }),
            "ignore value with a value" => Encode(new PutRequest(B("a"), B("x")) { IgnoreValue = true }),
            "ignore lease with a lease" => Encode(new PutRequest(B("a"), B("x")) { IgnoreLease = true, Lease = 1 }),
            "missing lease" => Encode(new PutRequest(B("a"), B("x")) { Lease = 9 }),
            "existing lease" => Encode(new LeaseGrantRequest(10) { Id = 1 }),
            "ttl too large" => Encode(new LeaseGrantRequest(1_001)),
            "too many leases" => Encode(new LeaseGrantRequest(10)),
            "unknown session" => KvCodec.EncodeCommand(new KvCommand(new PutRequest(B("a"), B("x")), new SessionStamp(session + 1, 1, 1))),
            "discarded sequence" => KvCodec.EncodeCommand(new KvCommand(new PutRequest(B("a"), B("x")), new SessionStamp(session, 1, 1))),
            "malformed bytes" => [KvCodec.FormatVersion, 0, 200],
            "unknown format" => [7, 0, 1],
            "query as command" => Encode(new StatusRequest()),
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };

        var index = store.Index + 1;
        var result = Assert.IsType<ErrorResult>(KvCodec.DecodeResult(store.Machine.Apply(index, command)));
        Assert.Equal(expected, result.Code);
        Assert.Equal(revision, result.Revision);
        Assert.False(string.IsNullOrWhiteSpace(result.Message));
        Assert.Equal(before, store.StateBytes());
    }

    [Fact]
    public void Every_error_code_is_covered_here_or_by_its_own_path()
    {
        var covered = Refusals().Select(row => (KvErrorCode)row[1]).ToHashSet();
        covered.Add(KvErrorCode.NotAQuery);        // refused queries: PutTests, TxnTests
        covered.Add(KvErrorCode.InvalidSnapshot);  // refused restores: SnapshotTests
        covered.UnionWith([                        // auth refusals: AuthTests
            KvErrorCode.AuthNotEnabled, KvErrorCode.AuthFailed, KvErrorCode.UserEmpty, KvErrorCode.UserNotFound, KvErrorCode.UserExists,
            KvErrorCode.RoleEmpty, KvErrorCode.RoleNotFound, KvErrorCode.RoleExists, KvErrorCode.RoleNotGranted, KvErrorCode.PermissionNotGranted,
            KvErrorCode.PermissionDenied, KvErrorCode.RootUserNotExist, KvErrorCode.RootRoleNotExist, KvErrorCode.InvalidAuthManagement,
            KvErrorCode.InvalidAuthToken]);
        Assert.Equal(Enum.GetValues<KvErrorCode>().ToHashSet(), covered);
    }

    private static byte[] Encode(KvRequest request) => KvCodec.EncodeCommand(new KvCommand(request));
}
