using static OrleansRaft.KeyValue.Tests.Store;

namespace OrleansRaft.KeyValue.Tests;

/// <summary>
/// Random requests over a few keys, so that writes collide, ranges overlap and leases hold several keys. Revisions
/// and lease ids are drawn around the live ones, so that some requests are refused (compacted, future, missing lease).
/// </summary>
internal sealed class Workload(Random random)
{
    private static readonly string[] KeySpace = ["a", "b", "c", "d", "e", "f", "/x/a", "/x/b", "/x/y/c"];
    private long epoch = 1;
    private long now;

    public string Key() => KeySpace[random.Next(KeySpace.Length)];

    /// <summary>A key, and a range end: none (the key alone), a later key, "\0" (every key from it) or a prefix end.</summary>
    public (string Key, string? End) Range()
    {
        var key = Key();
        return random.Next(4) switch
        {
            0 => (key, null),
            1 => (key, ((char)(key[0] + 1 + random.Next(3))).ToString()),
            2 => (key, "\0"),
            _ => (key[..1], ((char)(key[0] + 1)).ToString()),
        };
    }

    private static ReadOnlyMemory<byte> End(string? end) => end is null ? default : B(end);

    public long Revision(long current) => random.Next(4) == 0 ? 0 : Math.Max(0, current - random.Next(8) + random.Next(2));

    public long LeaseId(IReadOnlyCollection<long> live) =>
        live.Count > 0 && random.Next(4) != 0 ? live.ElementAt(random.Next(live.Count)) : random.Next(1, 8);

    public KvRequest Put(IReadOnlyCollection<long> leases, string? key = null) => new PutRequest(B(key ?? Key()), B($"v{random.Next(100)}"))
    {
        PrevKv = random.Next(2) == 0,
        Lease = random.Next(3) == 0 ? LeaseId(leases) : 0,
    };

    public KvRequest Delete()
    {
        var (key, end) = Range();
        return new DeleteRangeRequest(B(key)) { RangeEnd = End(end), PrevKv = random.Next(2) == 0 };
    }

    public RangeRequest Read(long revision)
    {
        var (key, end) = Range();

        // One read in four filters on revisions, with bounds around the current one.
        var filter = random.Next(4) == 0 ? random.Next(4) : -1;
        long Bound() => Math.Max(1, revision - random.Next(0, 6));
        return new RangeRequest(B(key))
        {
            MinModRevision = filter == 0 ? Bound() : 0,
            MaxModRevision = filter == 1 ? Bound() : 0,
            MinCreateRevision = filter == 2 ? Bound() : 0,
            MaxCreateRevision = filter == 3 ? Bound() : 0,
            RangeEnd = End(end),
            Revision = Revision(revision),
            Limit = random.Next(3) == 0 ? random.Next(1, 4) : 0,
            SortOrder = (SortOrder)random.Next(3),
            SortTarget = (SortTarget)random.Next(5),
            KeysOnly = random.Next(5) == 0,
            CountOnly = random.Next(8) == 0,
        };
    }

    public Compare Compare(long revision)
    {
        var key = B(Key());
        var op = (CompareOperator)random.Next(4);
        var compare = random.Next(5) switch
        {
            0 => KeyValue.Compare.ForValue(key, op, B($"v{random.Next(100)}")),
            1 => KeyValue.Compare.ForVersion(key, op, random.Next(4)),
            2 => KeyValue.Compare.ForCreateRevision(key, op, Revision(revision)),
            3 => KeyValue.Compare.ForModRevision(key, op, Revision(revision)),
            _ => KeyValue.Compare.ForLease(key, op, random.Next(3)),
        };
        return random.Next(4) == 0 ? compare.WithRangeEnd(B("\0")) : compare;
    }

    /// <summary>A flat transaction; its branches may write a key twice (refused) now and then.</summary>
    public TxnRequest Txn(long revision, IReadOnlyCollection<long> leases, bool nested = false)
    {
        KvRequest[] Branch() => Enumerable.Range(0, random.Next(4)).Select(_ => random.Next(4) switch
        {
            0 => Put(leases),
            1 => Delete(),
            2 when nested && random.Next(2) == 0 => Txn(revision, leases, nested: false),
            _ => Read(revision),
        }).ToArray();

        return new TxnRequest
        {
            Compares = Enumerable.Range(0, random.Next(3)).Select(_ => Compare(revision)).ToArray(),
            Success = Branch(),
            Failure = Branch(),
        };
    }

    public TickRequest Tick()
    {
        if (random.Next(10) == 0)
        {
            epoch++;
            now = random.Next(1_000_000);
        }
        else
        {
            now += random.Next(0, 4_000);
        }

        return new TickRequest(epoch, now);
    }

    /// <summary>One request of the kinds the reference model knows.</summary>
    public KvRequest Next(long revision, long compactRevision, IReadOnlyCollection<long> leases) => random.Next(20) switch
    {
        < 6 => Put(leases),
        < 8 => Delete(),
        < 10 => Read(revision),
        < 13 => Txn(revision, leases),
        13 => new CompactRequest(compactRevision + random.Next(0, 4)),
        14 => new LeaseGrantRequest(random.Next(1, 12)) { Id = random.Next(3) == 0 ? random.Next(1, 8) : 0 },
        15 => new LeaseRevokeRequest(LeaseId(leases)),
        16 => new LeaseKeepAliveRequest(LeaseId(leases)),
        _ => Tick(),
    };
}
