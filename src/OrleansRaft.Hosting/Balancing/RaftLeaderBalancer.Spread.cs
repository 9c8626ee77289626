using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Diagnostics;

namespace OrleansRaft.Hosting.Balancing;

internal sealed partial class RaftLeaderBalancer
{
    /// <summary>At most this many members leave a silo per round (each restarts from storage), so that a silo's return does not restart many at once.</summary>
    internal const int MaxMemberMovesPerRound = 32;

    /// <summary>
    /// At most this many crowded groups are looked at per round (each look asks every member of the group), whatever the
    /// number of groups; once none of them has a silo to move to, as while a silo is down, rounds stop looking until
    /// membership changes or <see cref="RoundsSkippedWhenBlocked"/> rounds passed.
    /// </summary>
    internal const int MaxGroupsLookedAtPerRound = 2 * MaxMemberMovesPerRound;

    /// <summary>A group moves no member while one of them has more than this many committed entries left to apply.</summary>
    private const ulong MaxLagToMove = 1000;

    /// <summary>Set when no crowded group looked at had a silo to move to: the membership then, and how many rounds still skip.</summary>
    private SpreadBlock? _spreadBlocked;

    private readonly record struct SpreadBlock(MembershipVersion Version, int RoundsLeft);

    /// <summary>Rounds that skip looking while membership stays as it was when nothing could move.</summary>
    private const int RoundsSkippedWhenBlocked = 30;

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

        var snapshot = _membership.CurrentSnapshot;
        if (_spreadBlocked is { } blocked && blocked.Version == snapshot.Version && blocked.RoundsLeft > 0)
        {
            _spreadBlocked = blocked with { RoundsLeft = blocked.RoundsLeft - 1 };
            return;
        }

        var active = snapshot.Members.Values
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
        var looked = crowded.Take(MaxGroupsLookedAtPerRound).ToArray();
        var moved = 0;
        var nowhere = 0;
        foreach (var group in looked)
        {
            if (moved == MaxMemberMovesPerRound)
            {
                break;
            }

            switch (await MoveOneAsync(group, active, stopping))
            {
                case Move.Asked:
                    moved++;
                    break;
                case Move.Nowhere:
                    nowhere++;
                    break;
            }
        }

        // Every group looked at runs on all the active silos already (as while a silo is down): nothing is likely to move
        // until membership changes, so rounds skip looking until then, or for a while, for groups not looked at yet.
        _spreadBlocked = nowhere == looked.Length ? new SpreadBlock(snapshot.Version, RoundsSkippedWhenBlocked) : null;
        if (moved > 0)
        {
            RaftLogMessages.MembersSpread(_logger, Silo, moved, crowded.Length);
        }
    }

    /// <summary>How <see cref="MoveOneAsync"/> ended.</summary>
    private enum Move
    {
        /// <summary>A follower was asked to move.</summary>
        Asked,

        /// <summary>Every active silo runs a member of the group.</summary>
        Nowhere,

        /// <summary>Not now: a member did not answer, lags, or no follower runs here.</summary>
        NotNow,
    }

    /// <summary>
    /// Moves one follower of <paramref name="groupId"/> off this silo, when every member answers, none lags far behind
    /// (the group must not rest on a member that cannot acknowledge while the mover restarts) and a silo runs none of
    /// them.
    /// </summary>
    private async Task<Move> MoveOneAsync(string groupId, HashSet<string> active, CancellationToken stopping)
    {
        RaftGroupStatus? group;
        try
        {
            group = await _grains.GetGrain<IRaftGroupGrain>(groupId).GetStatusAsync().WaitAsync(stopping);
        }
        catch (Exception e) when (e is not OperationCanceledException && RaftExpectedFailures.IsExpected(e))
        {
            return Move.NotNow;
        }

        if (group is null || group.Members.Any(m => m.Status is null || m.Lag > MaxLagToMove))
        {
            return Move.NotNow;
        }

        var used = group.Members.Select(m => m.Status!.Silo).ToHashSet(StringComparer.Ordinal);
        if (!active.Any(silo => !used.Contains(silo)))
        {
            return Move.Nowhere;
        }

        var self = Silo.ToString();
        var follower = group.Members.FirstOrDefault(m => m.Status is { Role: RaftMemberRole.Follower } s && s.Silo == self);
        return follower is not null
            && _members.TryGet(RaftMemberKey.Format(groupId, follower.MemberId), out var member)
            && member.TryMoveAway([.. used.Order(StringComparer.Ordinal)])
            ? Move.Asked
            : Move.NotNow;
    }
}
