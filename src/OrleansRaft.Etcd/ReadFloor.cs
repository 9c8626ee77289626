using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.AspNetCore.Connections.Features;
using OrleansRaft.Client;

namespace OrleansRaft.Etcd;

/// <summary>
/// Read-your-writes through one endpoint, as etcd gives it: an etcd client holds one HTTP/2 connection per endpoint,
/// and etcd serves a serializable read from the member it is connected to, which applied the client's writes before
/// it answered them. The gateway keeps, per connection and group, the highest store revision the connection was
/// answered at (a write's revision, or a read's), and serves a serializable read (a range, or a transaction that only
/// reads or compares) only from a member whose store reached it: members behind it are skipped, and the leader always
/// has it. So a serializable read never shows a connection a state older than its last acknowledged write, nor older
/// than what it read before (reads on a connection are monotonic).
/// </summary>
/// <remarks>
/// The floor lives in the connection's items (Kestrel's <see cref="IConnectionItemsFeature"/>) and ends with it. A
/// server without connection items gets no floor: its serializable reads are served linearizably instead, which keeps
/// the guarantee at the leader's cost.
/// </remarks>
internal sealed class ReadFloor
{
    private static readonly object ItemKey = new();

    private readonly ConcurrentDictionary<string, long> _revisions = new(StringComparer.Ordinal);

    /// <summary>The floor of the call's connection, made on its first call; null when the server keeps no connection items.</summary>
    public static ReadFloor? Of(ServerCallContext context)
    {
        var items = context.GetHttpContext().Features.Get<IConnectionItemsFeature>()?.Items;
        if (items is null)
        {
            return null;
        }

        // The streams of one connection run concurrently; the items dictionary is not safe for that.
        lock (items)
        {
            if (items.TryGetValue(ItemKey, out var found) && found is ReadFloor floor)
            {
                return floor;
            }

            var made = new ReadFloor();
            items[ItemKey] = made;
            return made;
        }
    }

    /// <summary>The highest revision the connection was answered at in <paramref name="groupId"/>; 0 before any.</summary>
    public long RevisionOf(string groupId) => _revisions.TryGetValue(groupId, out var revision) ? revision : 0;

    /// <summary>Raises the floor of <paramref name="groupId"/> to <paramref name="revision"/> (it never goes down).</summary>
    public void Raise(string groupId, long revision) =>
        _revisions.AddOrUpdate(groupId, revision, (_, current) => Math.Max(current, revision));
}

/// <summary>
/// The read floor of one call: its connection's, in the group the call is served by; and the member on the gateway's
/// own silo (0 when the latest status shows none), which serves a serializable read without a hop between silos.
/// </summary>
internal readonly record struct CallFloor(ReadFloor? Floor, string GroupId, ulong LocalMember)
{
    public static CallFloor Of(ServerCallContext context, EtcdGroup group) =>
        new(ReadFloor.Of(context), group.GroupId, group.LocalMember(group.Status)?.MemberId ?? 0);

    /// <summary>
    /// The options of a serializable read on the call's connection: from a member at the connection's floor or later,
    /// the local one first, or linearizable when there is no floor to keep.
    /// </summary>
    public KvCallOptions Serializable =>
        Floor is { } floor
            ? KvCallOptions.Serializable with { MinRevision = floor.RevisionOf(GroupId), PreferredMember = LocalMember }
            : KvCallOptions.Linearizable;

    /// <summary>Notes that the connection was answered at <paramref name="revision"/>.</summary>
    public void Answered(long revision) => Floor?.Raise(GroupId, revision);
}
