using System.Diagnostics;
using System.Globalization;
using OrleansRaft.Client;
using OrleansRaft.KeyValue;

namespace OrleansRaft.KvWorkload;

/// <summary>A key-value, or a write event, as plain values that compare by content.</summary>
public sealed record StoredWrite(KvEventType Type, string Key, string Value, long CreateRevision, long ModRevision, long Version)
{
    public static StoredWrite Of(KvEventType type, KeyValueEntry entry) =>
        new(type, KvBytes.ToText(entry.Key), KvBytes.ToText(entry.Value), entry.CreateRevision, entry.ModRevision, entry.Version);

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture, $"{Type} {Key}={Value} c{CreateRevision} m{ModRevision} v{Version}");
}

/// <summary>
/// What one member's own store held under a prefix at one revision, read locally from that member: the keys with
/// their values and revisions, and every write event from revision 1 on.
/// </summary>
public sealed record MemberStore(ulong MemberId, IReadOnlyList<StoredWrite> Keys, IReadOnlyList<StoredWrite> Events)
{
    /// <summary>
    /// Waits until member <paramref name="memberId"/> applied <paramref name="revision"/>, then reads its store under
    /// <paramref name="prefix"/> as of that revision: later writes (a timed-out command that committed after all)
    /// are left out, so that every member is read at the same point of the log. Each wait on the member is bounded by
    /// <see cref="Bound"/>.
    /// </summary>
    public static async Task<MemberStore> ReadAsync(IGrainFactory grains, string groupId, ulong memberId, string prefix, long revision)
    {
        var member = KvMember.Of(grains, groupId, memberId);
        await WaitUntilAsync(
            async () => (await TryReadAsync<StatusResult>(member, new StatusRequest()))?.Revision >= revision,
            $"member {memberId} of {groupId} to apply revision {revision}");

        var start = KvBytes.From(prefix);
        var end = KeyRanges.PrefixEnd(start);
        var range = await ReadAsync<RangeResult>(member, new RangeRequest(start) { RangeEnd = end, Revision = revision });
        if (range.More)
        {
            throw new InvalidOperationException($"Member {memberId} has more keys under {prefix} than one page holds.");
        }

        var events = new List<StoredWrite>();
        long from = 1;
        long skip = 0;
        while (from <= revision)
        {
            var page = await ReadAsync<EventsResult>(member, new EventsRequest(start) { RangeEnd = end, FromRevision = from, Skip = skip });
            if (page.Compacted)
            {
                throw new InvalidOperationException($"Member {memberId} compacted its history up to {page.CompactRevision}.");
            }

            events.AddRange(page.Events.Where(e => e.Kv.ModRevision <= revision).Select(e => StoredWrite.Of(e.Type, e.Kv)));
            (from, skip) = (page.NextRevision, page.NextSkip);
        }

        return new MemberStore(memberId, [.. range.Kvs.Select(e => StoredWrite.Of(KvEventType.Put, e))], events);
    }

    private static async Task<T> ReadAsync<T>(KvMember member, KvRequest query)
        where T : KvResult
    {
        T? result = null;
        await WaitUntilAsync(async () => (result = await TryReadAsync<T>(member, query)) is not null, $"a local read of {member.Grain.GetPrimaryKeyString()}");
        return result!;
    }

    /// <summary>How long a member may take to apply a revision, or to answer at all (it may be moving to another silo).</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    /// <summary>Polls <paramref name="condition"/> every 20 ms until it holds; fails after <see cref="Bound"/>.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > Bound)
            {
                throw new TimeoutException($"Waited {Bound} for {what}.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>The member's answer, or null when it does not answer now (it is moving to another silo, say).</summary>
    private static async Task<T?> TryReadAsync<T>(KvMember member, KvRequest query)
        where T : KvResult
    {
        KvReply reply;
        try
        {
            reply = await member.ReadLocalAsync(query).WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception e) when (e is TimeoutException or OrleansException or InvalidOperationException)
        {
            return null;
        }

        return !reply.IsOk ? null
            : reply.Result as T ?? throw new InvalidOperationException($"Expected a {typeof(T).Name} from {member.Grain.GetPrimaryKeyString()}, got {reply.Result}.");
    }
}
