using static OrleansRaft.KeyValue.Tests.Store;

namespace OrleansRaft.KeyValue.Tests;

/// <summary>Renders results as short text, the form the reference model produces, so that a mismatch reads plainly.</summary>
internal static class Describe
{
    public static string Kv(KeyValueEntry? kv) =>
        kv is null ? "-" : $"{S(kv.Key)}={S(kv.Value)}/{kv.CreateRevision}/{kv.ModRevision}/{kv.Version}/{kv.Lease}";

    public static string Result(KvResult result) => result switch
    {
        ErrorResult error => $"error {error.Code}",
        PutResult put => $"put @{put.Revision} prev {Kv(put.PrevKv)}",
        RangeResult range => $"range @{range.Revision} count {range.Count} more {range.More} [{string.Join(" ", range.Kvs.Select(Kv))}]",
        DeleteRangeResult delete => $"delete @{delete.Revision} n {delete.Deleted} [{string.Join(" ", delete.PrevKvs.Select(Kv))}]",
        TxnResult txn => $"txn @{txn.Revision} {txn.Succeeded} ({string.Join("; ", txn.Responses.Select(Result))})",
        CompactResult compact => $"compact @{compact.Revision} {compact.CompactRevision}",
        LeaseGrantResult grant => $"grant @{grant.Revision} {grant.Id} {grant.TtlSeconds}",
        LeaseRevokeResult revoke => $"revoke @{revoke.Revision} {revoke.Id} {revoke.DeletedKeys}",
        LeaseKeepAliveResult keepAlive => $"keepalive @{keepAlive.Revision} {keepAlive.Id} {keepAlive.TtlSeconds}",
        TickResult tick => $"tick @{tick.Revision} {tick.ClockMilliseconds} [{string.Join(" ", tick.ExpiredLeases)}]",
        EventsResult events => $"events compacted {events.Compacted} {events.CompactRevision} next {events.NextRevision} [{string.Join(" ", events.Events.Select(Event))}]",
        _ => result.GetType().Name,
    };

    public static string Event(KvEvent e) =>
        e.Type == KvEventType.Put ? $"PUT {Kv(e.Kv)} prev {Kv(e.PrevKv)}" : $"DEL {S(e.Kv.Key)}@{e.Kv.ModRevision} prev {Kv(e.PrevKv)}";
}
