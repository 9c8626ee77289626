namespace OrleansRaft.KeyValue;

/// <summary>The only code that writes versions: each write appends to the key's history and to the event log together.</summary>
public sealed partial class KvStateMachine
{
    private PutResult Put(PutRequest put, WriteBatch batch)
    {
        var history = state.Keys.GetOrAdd(put.Key.Span);
        var prev = history.Latest;
        var value = put.IgnoreValue ? prev!.Value : put.Value.ToArray();
        var lease = put.IgnoreLease ? prev!.Lease : put.Lease;
        var kv = new KeyValueEntry(history.Key, value, prev?.CreateRevision ?? batch.Revision, batch.Revision, (prev?.Version ?? 0) + 1, lease);
        Write(history, kv, prev, batch);
        return new PutResult(batch.Revision, put.PrevKv ? prev : null);
    }

    private DeleteRangeResult DeleteRange(DeleteRangeRequest delete, WriteBatch batch, long header)
    {
        var targets = state.Keys.Scan(KeyRange.Of(delete.Key, delete.RangeEnd)).Where(h => h.Latest is not null).ToList();
        var prevKvs = delete.PrevKv ? new List<KeyValueEntry>(targets.Count) : null;
        foreach (var history in targets)
        {
            var prev = history.Latest!;
            Write(history, null, prev, batch);
            prevKvs?.Add(prev);
        }

        return new DeleteRangeResult(header, targets.Count, prevKvs is null ? [] : prevKvs);
    }

    /// <summary>Deletes every key of <paramref name="lease"/> in one new revision (none if it has no key), then drops the lease.</summary>
    private long Revoke(Lease lease)
    {
        var keys = lease.Keys.ToList();
        if (keys.Count > 0)
        {
            var batch = new WriteBatch(state.Revision + 1);
            foreach (var history in keys)
            {
                Write(history, null, history.Latest, batch);
            }

            state.Revision = batch.Revision;
        }

        state.Leases.Remove(lease);
        return keys.Count;
    }

    /// <summary>Writes <paramref name="kv"/> (null: a delete) over <paramref name="prev"/>, and moves the key between leases.</summary>
    private void Write(KeyHistory history, KeyValueEntry? kv, KeyValueEntry? prev, WriteBatch batch)
    {
        var sub = batch.Writes++;
        history.Versions.Add(new KeyRevision(batch.Revision, sub, kv));
        state.Events.Append(new EventRecord(history, batch.Revision, sub, kv, prev));
        state.LiveKeys += (kv is null ? 0 : 1) - (prev is null ? 0 : 1);

        var oldLease = prev?.Lease ?? 0;
        var newLease = kv?.Lease ?? 0;
        if (oldLease != newLease)
        {
            if (oldLease != 0)
            {
                state.Leases.Get(oldLease)!.Keys.Remove(history);
            }

            if (newLease != 0)
            {
                state.Leases.Get(newLease)!.Keys.Add(history);
            }
        }
    }
}
