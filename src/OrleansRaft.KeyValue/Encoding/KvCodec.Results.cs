namespace OrleansRaft.KeyValue;

public static partial class KvCodec
{
    internal static void WriteResult(KvWriter w, KvResult result)
    {
        w.Byte((byte)result.Kind);
        w.Var(result.Revision);
        switch (result)
        {
            case ErrorResult error:
                w.Var((int)error.Code);
                w.String(error.Message);
                break;
            case PutResult put:
                WriteOptionalKv(w, put.PrevKv);
                break;
            case RangeResult range:
                WriteKvs(w, range.Kvs);
                w.Bool(range.More);
                w.Var(range.Count);
                break;
            case DeleteRangeResult delete:
                w.Var(delete.Deleted);
                WriteKvs(w, delete.PrevKvs);
                break;
            case TxnResult txn:
                w.Bool(txn.Succeeded);
                w.UVar((ulong)txn.Responses.Count);
                foreach (var response in txn.Responses)
                {
                    WriteResult(w, response);
                }

                break;
            case CompactResult compact:
                w.Var(compact.CompactRevision);
                break;
            case LeaseGrantResult grant:
                w.Var(grant.Id);
                w.Var(grant.TtlSeconds);
                break;
            case LeaseRevokeResult revoke:
                w.Var(revoke.Id);
                w.Var(revoke.DeletedKeys);
                break;
            case LeaseKeepAliveResult keepAlive:
                w.Var(keepAlive.Id);
                w.Var(keepAlive.TtlSeconds);
                break;
            case LeaseTimeToLiveResult ttl:
                w.Var(ttl.Id);
                w.Var(ttl.GrantedTtlSeconds);
                w.Var(ttl.RemainingMilliseconds);
                w.UVar((ulong)ttl.Keys.Count);
                foreach (var key in ttl.Keys)
                {
                    w.Bytes(key.Span);
                }

                break;
            case LeaseListResult list:
                w.UVar((ulong)list.Ids.Count);
                foreach (var id in list.Ids)
                {
                    w.Var(id);
                }

                break;
            case TickResult tick:
                w.Var(tick.ClockMilliseconds);
                w.UVar((ulong)tick.ExpiredLeases.Count);
                foreach (var id in tick.ExpiredLeases)
                {
                    w.Var(id);
                }

                w.UVar((ulong)tick.ExpiredSessions.Count);
                foreach (var id in tick.ExpiredSessions)
                {
                    w.UVar(id);
                }

                break;
            case SessionOpenedResult opened:
                w.UVar(opened.SessionId);
                break;
            case SessionClosedResult closed:
                w.UVar(closed.SessionId);
                break;
            case DirectoryListing listing:
                w.UVar((ulong)listing.Entries.Count);
                foreach (var entry in listing.Entries)
                {
                    if (entry.Kv is { } kv)
                    {
                        w.Byte(0);
                        WriteKv(w, kv);
                    }
                    else
                    {
                        w.Byte(1);
                        w.Bytes(entry.Path.Span);
                    }
                }

                w.Bool(listing.More);
                break;
            case EventsResult events:
                w.UVar((ulong)events.Events.Count);
                foreach (var e in events.Events)
                {
                    w.Byte((byte)e.Type);
                    WriteKv(w, e.Kv);
                    WriteOptionalKv(w, e.PrevKv);
                }

                w.Var(events.NextRevision);
                w.Var(events.NextSkip);
                w.Bool(events.Compacted);
                w.Var(events.CompactRevision);
                break;
            case StatusResult status:
                w.Var(status.CompactRevision);
                w.UVar(status.AppliedIndex);
                w.Var(status.KeyCount);
                w.Var(status.LeaseCount);
                w.Var(status.SessionCount);
                w.Var(status.ClockMilliseconds);
                w.Var(status.DataBytes);
                w.Var(status.SnapshotBytes);
                break;
            case StoreSnapshotResult snapshot:
                w.Bytes(snapshot.Snapshot);
                break;
            case HashKvResult hash:
                w.Var(hash.HashRevision);
                w.Var(hash.CompactRevision);
                w.UVar(hash.Hash);
                break;
            default:
                WriteAuthResult(w, result);
                break;
        }
    }

    internal static KvResult ReadResult(ref KvReader r, int depth)
    {
        Depth(depth);
        var kind = (KvResultKind)r.Byte();
        var revision = r.Var();
        switch (kind)
        {
            case KvResultKind.Error:
            {
                var code = (KvErrorCode)r.Int();
                return new ErrorResult(revision, code, r.String());
            }

            case KvResultKind.Put:
                return new PutResult(revision, ReadOptionalKv(ref r));
            case KvResultKind.Range:
            {
                var kvs = ReadKvs(ref r);
                var more = r.Bool();
                return new RangeResult(revision, kvs, more, r.Var());
            }

            case KvResultKind.DeleteRange:
            {
                var deleted = r.Var();
                return new DeleteRangeResult(revision, deleted, ReadKvs(ref r));
            }

            case KvResultKind.Txn:
            {
                var succeeded = r.Bool();
                var responses = new KvResult[r.Count()];
                for (var i = 0; i < responses.Length; i++)
                {
                    responses[i] = ReadResult(ref r, depth + 1);
                }

                return new TxnResult(revision, succeeded, responses);
            }

            case KvResultKind.Compact:
                return new CompactResult(revision, r.Var());
            case KvResultKind.LeaseGrant:
            {
                var id = r.Var();
                return new LeaseGrantResult(revision, id, r.Var());
            }

            case KvResultKind.LeaseRevoke:
            {
                var id = r.Var();
                return new LeaseRevokeResult(revision, id, r.Var());
            }

            case KvResultKind.LeaseKeepAlive:
            {
                var id = r.Var();
                return new LeaseKeepAliveResult(revision, id, r.Var());
            }

            case KvResultKind.LeaseTimeToLive:
            {
                var id = r.Var();
                var granted = r.Var();
                var remaining = r.Var();
                var keys = new ReadOnlyMemory<byte>[r.Count()];
                for (var i = 0; i < keys.Length; i++)
                {
                    keys[i] = r.Bytes();
                }

                return new LeaseTimeToLiveResult(revision, id, granted, remaining, keys);
            }

            case KvResultKind.LeaseList:
            {
                var ids = new long[r.Count()];
                for (var i = 0; i < ids.Length; i++)
                {
                    ids[i] = r.Var();
                }

                return new LeaseListResult(revision, ids);
            }

            case KvResultKind.Tick:
            {
                var clock = r.Var();
                var leases = new long[r.Count()];
                for (var i = 0; i < leases.Length; i++)
                {
                    leases[i] = r.Var();
                }

                var sessions = new ulong[r.Count()];
                for (var i = 0; i < sessions.Length; i++)
                {
                    sessions[i] = r.UVar();
                }

                return new TickResult(revision, clock, leases, sessions);
            }

            case KvResultKind.SessionOpened:
                return new SessionOpenedResult(revision, r.UVar());
            case KvResultKind.SessionClosed:
                return new SessionClosedResult(revision, r.UVar());
            case KvResultKind.DirectoryListing:
            {
                var entries = new DirectoryEntry[r.Count()];
                for (var i = 0; i < entries.Length; i++)
                {
                    switch (r.Byte())
                    {
                        case 0:
                            var kv = ReadKv(ref r);
                            entries[i] = new DirectoryEntry(kv.Key, kv);
                            break;
                        case 1:
                            entries[i] = new DirectoryEntry(r.Bytes(), null);
                            break;
                        default:
                            throw KvReader.Malformed("unknown directory entry type");
                    }
                }

                return new DirectoryListing(revision, entries, r.Bool());
            }

            case KvResultKind.Events:
            {
                var events = new KvEvent[r.Count()];
                for (var i = 0; i < events.Length; i++)
                {
                    var type = r.Byte() switch
                    {
                        0 => KvEventType.Put,
                        1 => KvEventType.Delete,
                        _ => throw KvReader.Malformed("unknown event type"),
                    };
                    var kv = ReadKv(ref r);
                    events[i] = new KvEvent(type, kv, ReadOptionalKv(ref r));
                }

                var next = r.Var();
                var nextSkip = r.Var();
                var compacted = r.Bool();
                return new EventsResult(revision, events, next, nextSkip, compacted, r.Var());
            }

            case KvResultKind.Status:
            {
                var compact = r.Var();
                var applied = r.UVar();
                var keys = r.Var();
                var leases = r.Var();
                var sessions = r.Var();
                var clock = r.Var();
                var data = r.Var();
                return new StatusResult(revision, compact, applied, keys, leases, sessions, clock, data, r.Var());
            }

            case KvResultKind.Snapshot:
                return new StoreSnapshotResult(revision, r.Bytes());

            case KvResultKind.HashKv:
            {
                var hashed = r.Var();
                var compact = r.Var();
                var hash = r.UVar();
                return hash <= uint.MaxValue ? new HashKvResult(revision, hashed, compact, (uint)hash) : throw KvReader.Malformed($"hash {hash} is over 32 bits");
            }

            default:
                return ReadAuthResult(ref r, kind, revision);
        }
    }

    internal static void WriteKv(KvWriter w, KeyValueEntry kv)
    {
        w.Bytes(kv.Key.Span);
        w.Bytes(kv.Value.Span);
        w.Var(kv.CreateRevision);
        w.Var(kv.ModRevision);
        w.Var(kv.Version);
        w.Var(kv.Lease);
    }

    internal static KeyValueEntry ReadKv(ref KvReader r)
    {
        var key = r.Bytes();
        var value = r.Bytes();
        var create = r.Var();
        var mod = r.Var();
        var version = r.Var();
        return new KeyValueEntry(key, value, create, mod, version, r.Var());
    }

    private static void WriteOptionalKv(KvWriter w, KeyValueEntry? kv)
    {
        w.Bool(kv is not null);
        if (kv is not null)
        {
            WriteKv(w, kv);
        }
    }

    private static KeyValueEntry? ReadOptionalKv(ref KvReader r) => r.Bool() ? ReadKv(ref r) : null;

    private static void WriteKvs(KvWriter w, IReadOnlyList<KeyValueEntry> kvs)
    {
        w.UVar((ulong)kvs.Count);
        foreach (var kv in kvs)
        {
            WriteKv(w, kv);
        }
    }

    private static KeyValueEntry[] ReadKvs(ref KvReader r)
    {
        var kvs = new KeyValueEntry[r.Count()];
        for (var i = 0; i < kvs.Length; i++)
        {
            kvs[i] = ReadKv(ref r);
        }

        return kvs;
    }
}
