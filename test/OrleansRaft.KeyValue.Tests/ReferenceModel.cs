using System.Collections.Immutable;

namespace OrleansRaft.KeyValue.Tests;

/// <summary>
/// The store done the obvious way: a full copy of the key space at every revision, events kept as written, leases
/// as a dictionary. Slow and plainly right; the randomized test holds the state machine to it. It covers puts,
/// deletes, ranges, flat transactions, compaction, leases, ticks and event queries, and answers in the form of
/// <see cref="Describe"/>.
/// </summary>
internal sealed class ReferenceModel
{
    private readonly List<ImmutableSortedDictionary<string, Kv>> states = [ImmutableSortedDictionary.Create<string, Kv>(StringComparer.Ordinal), ImmutableSortedDictionary.Create<string, Kv>(StringComparer.Ordinal)];
    private readonly List<Event> events = [];
    private readonly SortedDictionary<long, (long Ttl, long Deadline)> leases = [];
    private long nextLeaseId = 1;
    private long clock;
    private long epoch;
    private long reading;

    public sealed record Kv(string Key, string Value, long Create, long Mod, long Version, long Lease)
    {
        public override string ToString() => $"{Key}={Value}/{Create}/{Mod}/{Version}/{Lease}";
    }

    private sealed record Event(long Revision, string Key, Kv? Now, Kv? Prev)
    {
        public override string ToString() =>
            Now is { } kv ? $"PUT {kv} prev {Show(Prev)}" : $"DEL {Key}@{Revision} prev {Show(Prev)}";
    }

    public long Revision => states.Count - 1;

    public long CompactRevision { get; private set; }

    public IReadOnlyCollection<long> LeaseIds => leases.Keys;

    private ImmutableSortedDictionary<string, Kv> Current => states[^1];

    private static string Show(Kv? kv) => kv?.ToString() ?? "-";

    private static bool InRange(string key, string start, string? end) =>
        end is null ? key == start
        : end == "\0" ? string.CompareOrdinal(key, start) >= 0
        : string.CompareOrdinal(key, start) >= 0 && string.CompareOrdinal(key, end) < 0;

    public string Apply(KvRequest request) => request switch
    {
        PutRequest or DeleteRangeRequest or RangeRequest => Txn(new TxnRequest { Success = [request] }, unwrap: true),
        TxnRequest txn => Txn(txn, unwrap: false),
        CompactRequest compact => Compact(compact.Revision),
        LeaseGrantRequest grant => Grant(grant),
        LeaseRevokeRequest revoke => leases.ContainsKey(revoke.Id) ? $"revoke @{RevokeLease(revoke.Id, out var n)} {revoke.Id} {n}" : "error LeaseNotFound",
        LeaseKeepAliveRequest keepAlive => KeepAlive(keepAlive.Id),
        TickRequest tick => Tick(tick),
        _ => throw new ArgumentException(request.GetType().Name),
    };

    public string Events(string key, string? end, long from)
    {
        var start = from == 0 ? Revision + 1 : from;
        if (start < CompactRevision)
        {
            return $"events compacted True {CompactRevision} next {start} []";
        }

        var matching = events.Where(e => e.Revision >= start && e.Revision >= CompactRevision && InRange(e.Key, key, end));
        return $"events compacted False {CompactRevision} next {Math.Max(start, Revision + 1)} [{string.Join(" ", matching)}]";
    }

    private string Txn(TxnRequest txn, bool unwrap)
    {
        // Checks on the request alone: no key written twice in one branch.
        foreach (var branch in new[] { txn.Success, txn.Failure })
        {
            var puts = branch.OfType<PutRequest>().Select(p => Store.S(p.Key)).ToList();
            var deletes = branch.OfType<DeleteRangeRequest>().ToList();
            if (puts.Distinct().Count() != puts.Count
                || puts.Any(k => deletes.Any(d => InRange(k, Store.S(d.Key), d.RangeEnd.IsEmpty ? null : Store.S(d.RangeEnd)))))
            {
                return "error DuplicateKey";
            }
        }

        var succeeded = txn.Compares.All(Holds);
        var ops = succeeded ? txn.Success : txn.Failure;
        foreach (var op in ops)
        {
            if (op is RangeRequest { Revision: var rev } && rev > Revision)
            {
                return "error FutureRevision";
            }

            if (op is RangeRequest { Revision: var past } && past != 0 && past < CompactRevision)
            {
                return "error Compacted";
            }

            if (op is PutRequest { Lease: var lease } && lease != 0 && !leases.ContainsKey(lease))
            {
                return "error LeaseNotFound";
            }
        }

        var working = Current.ToBuilder();
        var pending = new List<Event>();
        var next = Revision + 1;
        var answers = new List<Func<long, string>>();
        foreach (var op in ops)
        {
            switch (op)
            {
                case PutRequest put:
                {
                    var key = Store.S(put.Key);
                    var prev = working.GetValueOrDefault(key);
                    var kv = new Kv(key, Store.S(put.Value), prev?.Create ?? next, next, (prev?.Version ?? 0) + 1, put.Lease);
                    working[key] = kv;
                    pending.Add(new Event(next, key, kv, prev));
                    answers.Add(h => $"put @{h} prev {(put.PrevKv ? Show(prev) : "-")}");
                    break;
                }

                case DeleteRangeRequest delete:
                {
                    var end = delete.RangeEnd.IsEmpty ? null : Store.S(delete.RangeEnd);
                    var doomed = working.Values.Where(kv => InRange(kv.Key, Store.S(delete.Key), end)).ToList();
                    foreach (var kv in doomed)
                    {
                        working.Remove(kv.Key);
                        pending.Add(new Event(next, kv.Key, null, kv));
                    }

                    answers.Add(h => $"delete @{h} n {doomed.Count} [{string.Join(" ", delete.PrevKv ? doomed.Select(Show) : [])}]");
                    break;
                }

                case RangeRequest range:
                {
                    var snapshot = range.Revision == 0 ? working.ToImmutable() : states[(int)range.Revision];
                    answers.Add(h => Range(range, snapshot, h));
                    break;
                }
            }
        }

        var header = pending.Count > 0 ? next : Revision;
        if (pending.Count > 0)
        {
            states.Add(working.ToImmutable());
            events.AddRange(pending);
        }

        var results = answers.Select(a => a(header)).ToList();
        return unwrap ? results[0] : $"txn @{header} {succeeded} ({string.Join("; ", results)})";
    }

    private static string Range(RangeRequest range, ImmutableSortedDictionary<string, Kv> state, long header)
    {
        var end = range.RangeEnd.IsEmpty ? null : Store.S(range.RangeEnd);
        var all = state.Values.Where(kv => InRange(kv.Key, Store.S(range.Key), end)).ToList();
        var order = range.SortOrder == SortOrder.None && range.SortTarget != SortTarget.Key ? SortOrder.Ascend : range.SortOrder;
        Func<Kv, Kv, int> byTarget = range.SortTarget switch
        {
            SortTarget.Version => (x, y) => x.Version.CompareTo(y.Version),
            SortTarget.Create => (x, y) => x.Create.CompareTo(y.Create),
            SortTarget.Mod => (x, y) => x.Mod.CompareTo(y.Mod),
            SortTarget.Value => (x, y) => string.CompareOrdinal(x.Value, y.Value),
            _ => (_, _) => 0,
        };
        all.Sort((x, y) =>
        {
            var c = byTarget(x, y);
            c = c != 0 ? c : string.CompareOrdinal(x.Key, y.Key);
            return order == SortOrder.Descend ? -c : c;
        });
        if (range.CountOnly)
        {
            return $"range @{header} count {all.Count} more False []";
        }

        // etcd's revision filters: each applies when not 0; the count leaves them aside.
        var passed = all.Where(kv =>
            (range.MinModRevision == 0 || kv.Mod >= range.MinModRevision) && (range.MaxModRevision == 0 || kv.Mod <= range.MaxModRevision)
            && (range.MinCreateRevision == 0 || kv.Create >= range.MinCreateRevision) && (range.MaxCreateRevision == 0 || kv.Create <= range.MaxCreateRevision)).ToList();
        var page = range.Limit == 0 ? passed : passed.Take((int)range.Limit).ToList();
        var shown = page.Select(kv => range.KeysOnly ? kv with { Value = "" } : kv);
        return $"range @{header} count {all.Count} more {page.Count < passed.Count} [{string.Join(" ", shown)}]";
    }

    private bool Holds(Compare compare)
    {
        var end = compare.RangeEnd.IsEmpty ? null : Store.S(compare.RangeEnd);
        var kvs = Current.Values.Where(kv => InRange(kv.Key, Store.S(compare.Key), end)).ToList();
        if (kvs.Count == 0)
        {
            if (compare.Target == CompareTarget.Value)
            {
                return false;
            }

            kvs.Add(new Kv("", "", 0, 0, 0, 0));
        }

        return kvs.All(kv =>
        {
            var c = compare.Target switch
            {
                CompareTarget.Value => string.CompareOrdinal(kv.Value, Store.S(compare.Value)),
                CompareTarget.Version => kv.Version.CompareTo(compare.Number),
                CompareTarget.Create => kv.Create.CompareTo(compare.Number),
                CompareTarget.Mod => kv.Mod.CompareTo(compare.Number),
                _ => kv.Lease.CompareTo(compare.Number),
            };
            return compare.Operator switch
            {
                CompareOperator.Equal => c == 0,
                CompareOperator.NotEqual => c != 0,
                CompareOperator.Greater => c > 0,
                _ => c < 0,
            };
        });
    }

    private string Compact(long revision)
    {
        if (revision <= CompactRevision)
        {
            return "error Compacted";
        }

        if (revision > Revision)
        {
            return "error FutureRevision";
        }

        CompactRevision = revision;
        return $"compact @{Revision} {revision}";
    }

    private string Grant(LeaseGrantRequest grant)
    {
        var id = grant.Id;
        if (id == 0)
        {
            id = nextLeaseId;
            while (leases.ContainsKey(id))
            {
                id++;
            }

            nextLeaseId = id + 1;
        }
        else if (leases.ContainsKey(id))
        {
            return "error LeaseExists";
        }

        var ttl = Math.Max(grant.TtlSeconds, KvLimits.Default.MinLeaseTtlSeconds);
        leases[id] = (ttl, clock + (ttl * 1000));
        return $"grant @{Revision} {id} {ttl}";
    }

    private string KeepAlive(long id)
    {
        if (!leases.TryGetValue(id, out var lease))
        {
            return "error LeaseNotFound";
        }

        leases[id] = (lease.Ttl, clock + (lease.Ttl * 1000));
        return $"keepalive @{Revision} {id} {lease.Ttl}";
    }

    private string Tick(TickRequest tick)
    {
        if (tick.Epoch > epoch)
        {
            (epoch, reading) = (tick.Epoch, tick.NowMilliseconds);
        }
        else if (tick.Epoch == epoch && tick.NowMilliseconds > reading)
        {
            clock += tick.NowMilliseconds - reading;
            reading = tick.NowMilliseconds;
        }

        var due = leases.Where(l => l.Value.Deadline <= clock).OrderBy(l => l.Value.Deadline).ThenBy(l => l.Key).Select(l => l.Key).ToList();
        foreach (var id in due)
        {
            RevokeLease(id, out _);
        }

        return $"tick @{Revision} {clock} [{string.Join(" ", due)}]";
    }

    private long RevokeLease(long id, out int deleted)
    {
        leases.Remove(id);
        var doomed = Current.Values.Where(kv => kv.Lease == id).ToList();
        deleted = doomed.Count;
        if (doomed.Count > 0)
        {
            var next = Revision + 1;
            var working = Current.ToBuilder();
            foreach (var kv in doomed)
            {
                working.Remove(kv.Key);
                events.Add(new Event(next, kv.Key, null, kv));
            }

            states.Add(working.ToImmutable());
        }

        return Revision;
    }
}
