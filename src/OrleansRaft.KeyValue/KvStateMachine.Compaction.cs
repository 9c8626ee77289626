namespace OrleansRaft.KeyValue;

/// <summary>
/// Compaction at revision C forgets what no read at C or later, and no watch from C or later, can see. For each key
/// it keeps the version visible at C and everything after; it drops that version too when it is a tombstone (the key
/// did not exist at C), and it keeps the version before it when it was written at C exactly (the previous key-value
/// of an event a watch from C returns). Only keys written at or after the previous compact revision can hold
/// anything to drop, and the event log lists exactly those, so compaction costs what was written since the last one.
/// </summary>
public sealed partial class KvStateMachine
{
    private CompactResult Compact(CompactRequest request)
    {
        var target = request.Revision;
        if (target <= state.CompactRevision)
        {
            throw Fail.With(KvErrorCode.Compacted, $"revision {target} is compacted already; the compact revision is {state.CompactRevision}");
        }

        if (target > state.Revision)
        {
            throw Fail.With(KvErrorCode.FutureRevision, $"revision {target} is in the future; the current revision is {state.Revision}");
        }

        var end = state.Events.FirstAtOrAfter(target + 1);
        var seen = new HashSet<KeyHistory>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < end; i++)
        {
            var history = state.Events[i].History;
            if (seen.Add(history))
            {
                CompactHistory(history, target);
                if (history.Versions.Count == 0)
                {
                    state.Keys.Remove(history);
                }
            }
        }

        state.Events.DropBefore(target);
        state.CompactRevision = target;
        return new CompactResult(state.Revision, target);
    }

    private static void CompactHistory(KeyHistory history, long target)
    {
        var visible = history.IndexAtOrBefore(target);
        if (visible < 0)
        {
            return;
        }

        int keepFrom;
        if (history.Versions[visible].Revision == target)
        {
            keepFrom = Math.Max(visible - 1, 0);
        }
        else
        {
            keepFrom = history.Versions[visible].Kv is null ? visible + 1 : visible;
        }

        history.Versions.RemoveRange(0, keepFrom);
    }
}
