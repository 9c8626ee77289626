using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Diagnostics;

namespace OrleansRaft.Hosting.Balancing;

internal sealed partial class RaftLeaderBalancer
{
    /// <summary>At most this many members leave a silo per round (each restarts from storage), so that a silo's return does not restart many at once.</summary>
    internal const int MaxMemberMovesPerRound = 32;

    /// <summary>
    /// At most this many crowded groups are looked at per round (each look asks every member of the group), so that a
    /// cluster with no silo to move to, as while a silo is down, costs a few calls per round whatever its size.
    /// </summary>
    internal const int MaxGroupsLookedAtPerRound = 2 * MaxMemberMovesPerRound;

    /// <summary>
    /// Moves members that share this silo with another member of their group to an active silo that runs no member of
    /// it, a few per round: a silo that died left its members placed next to their peers, and until they move the
    /// group loses its majority with one silo, and a silo that joins runs nothing.
    /// </summary>
    /// <remarks>
    /// Only a follower moves, so the group keeps its leader and serves meanwhile; a group whose crowded members are all
    /// leaders waits for the leader balancer to hand one leadership off. A member moves by Orleans' migration: its
    /// activation here ends once idle, after its write in flight, and the next one loads the log from storage on a silo
    /// the placement picks away from the group's other members. A member that keeps its log in its silo's own storage
    /// (<see cref="Configuration.OrleansRaftOptions.BindMembersToSilos"/>) never moves.
    /// </remarks>
    private async Task SpreadMembersAsync(CancellationToken stopping)
    {
        if (_options.BindMembersToSilos)
        {
            return;
        }

        var active = _membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress.ToString())
            .ToHashSet(StringComparer.Ordinal);
        if (active.Count < 2)
        {
            return;
        }

        var crowded = _members.Snapshot()
            .Select(RaftMemberKey.Parse)
            .GroupBy(m => m.GroupId, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => g.Key)
            .ToArray();
        if (crowded.Length == 0)
        {
            return;
        }

        // In random order, so that groups that cannot move do not keep the others from being looked at.
        Random.Shared.Shuffle(crowded);
        var moved = 0;
        foreach (var group in crowded.Take(MaxGroupsLookedAtPerRound))
        {
            if (moved == MaxMemberMovesPerRound)
            {
                break;
            }

            if (await MoveOneAsync(group, active, stopping))
            {
                moved++;
            }
        }

        if (moved > 0)
        {
            RaftLogMessages.MembersSpread(_logger, Silo, moved, crowded.Length);
        }
    }

    /// <summary>Moves one follower of <paramref name="groupId"/> off this silo, when every member answers and a silo runs none of them.</summary>
    private async Task<bool> MoveOneAsync(string groupId, HashSet<string> active, CancellationToken stopping)
    {
        var group = await _grains.GetGrain<IRaftGroupGrain>(groupId).GetStatusAsync().WaitAsync(stopping);
        if (group is null || group.Members.Any(m => m.Status is null))
        {
            // A member that does not answer may be anywhere: moving another next to it would gain nothing.
            return false;
        }

        var used = group.Members.Select(m => m.Status!.Silo).ToHashSet(StringComparer.Ordinal);
        if (!active.Any(silo => !used.Contains(silo)))
        {
            return false;
        }

        var self = Silo.ToString();
        var follower = group.Members.FirstOrDefault(m => m.Status is { Role: RaftMemberRole.Follower } s && s.Silo == self);
        return follower is not null
            && _members.TryGet(RaftMemberKey.Format(groupId, follower.MemberId), out var member)
            && member.TryMoveAway([.. used.Order(StringComparer.Ordinal)]);
    }
}
