using System.Diagnostics;
using OrleansRaft.Abstractions;

namespace OrleansRaft.Client;

/// <summary>Finds a group's members through its admin grain, as clients do when they connect.</summary>
internal static class RaftGroupLookup
{
    /// <summary>
    /// The members <paramref name="groupId"/>'s admin grain records; throws <see cref="RaftGroupNotFoundException"/>
    /// when there is no such group.
    /// </summary>
    /// <remarks>
    /// The admin grain may sit on a silo that just died and is not yet declared dead: calls to it fail at once until
    /// Orleans moves it, or find its storage down: failures of the cluster and of its storage (not "no such group") are
    /// retried for as long as a request may take.
    /// </remarks>
    public static async Task<IReadOnlyList<ulong>> MembersAsync(
        IGrainFactory grains, string groupId, TimeSpan requestTimeout, TimeSpan initialBackoff, TimeSpan maxBackoff)
    {
        ArgumentNullException.ThrowIfNull(grains);
        RaftMemberKey.ValidateGroupId(groupId);
        var clock = Stopwatch.StartNew();
        var backoff = initialBackoff;
        while (true)
        {
            try
            {
                var info = await grains.GetGrain<IRaftGroupGrain>(groupId).GetAsync() ?? throw new RaftGroupNotFoundException(groupId);
                return info.Members;
            }
            catch (Exception e) when (e is OrleansException or RaftStorageUnavailableException && clock.Elapsed + backoff < requestTimeout)
            {
                await Task.Delay(backoff);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, maxBackoff.Ticks));
            }
        }
    }

    /// <summary>The members as a client keeps them: distinct, at least one, each positive.</summary>
    public static ulong[] Validate(IReadOnlyList<ulong> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0 || members.Contains(0UL))
        {
            throw new ArgumentException("A group has at least one member, each with a positive id.", nameof(members));
        }

        return [.. members.Distinct()];
    }
}
