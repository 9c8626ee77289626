using OrleansRaft.KeyValue;

namespace OrleansRaft.KvWorkload;

/// <summary>
/// What the stores of a group's members must show after a <see cref="RegisterWorkload"/> run, read at one revision
/// (<see cref="MemberStore.ReadAsync"/>): every write of the workload is a put of one key, so revisions 2 to the last
/// each hold exactly one; every member holds the same events and keys; no value was applied twice; and every
/// acknowledged write is at its revision.
/// </summary>
public static class StoreAgreement
{
    /// <summary>The ways the stores break the rules above, one line each; empty when they keep them.</summary>
    public static IReadOnlyList<string> Violations(IReadOnlyList<MemberStore> stores, IEnumerable<AcknowledgedWrite> acknowledged, int keyCount, long revision)
    {
        var problems = new List<string>();
        var first = stores[0];
        var events = first.Events;
        var expected = Enumerable.Range(2, (int)revision - 1).Select(r => (long)r).ToList();
        if (!expected.SequenceEqual(events.Select(e => e.ModRevision)))
        {
            var missing = expected.Except(events.Select(e => e.ModRevision)).Take(10);
            problems.Add($"Member {first.MemberId}'s events are not one per revision from 2 to {revision} (missing: {string.Join(", ", missing)}; {events.Count} events).");
        }

        problems.AddRange(events.Where(e => e.Type != KvEventType.Put).Select(e => $"Member {first.MemberId} holds an event that is not a put: {e}."));
        foreach (var store in stores.Skip(1))
        {
            if (!events.SequenceEqual(store.Events))
            {
                problems.Add($"Member {store.MemberId}'s history differs from member {first.MemberId}'s.");
            }

            if (!first.Keys.SequenceEqual(store.Keys))
            {
                problems.Add($"Member {store.MemberId}'s keys differ from member {first.MemberId}'s.");
            }
        }

        // Each value is written by one call: a value found twice was applied twice.
        problems.AddRange(events.GroupBy(e => e.Value).Where(g => g.Count() > 1).Select(g => $"Value {g.Key} was applied {g.Count()} times."));
        var byRevision = events.GroupBy(e => e.ModRevision).ToDictionary(g => g.Key, g => g.First());
        foreach (var write in acknowledged)
        {
            if (!byRevision.TryGetValue(write.Revision, out var e) || e.Key != write.Key || e.Value != write.Value)
            {
                problems.Add($"Acknowledged write {write.Key}={write.Value} at revision {write.Revision} is not there (found: {(e is null ? "nothing" : e.ToString())}).");
            }
        }

        if (first.Keys.Count != keyCount)
        {
            problems.Add($"Member {first.MemberId} holds {first.Keys.Count} keys, not {keyCount}.");
        }

        return problems;
    }
}
