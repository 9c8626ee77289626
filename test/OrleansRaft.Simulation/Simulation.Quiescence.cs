using OrleansRaft.Core;

namespace OrleansRaft.Simulation;

/// <summary>
/// Quiescence in the model: leaders quiet idle groups, and a liveness service wakes quiet followers whose leader is
/// down or unreachable, as the host's silo pings and cluster membership do. Its signals come late, get lost, and
/// sometimes come without cause.
/// </summary>
public sealed partial class Simulation
{
    /// <summary>Chance in a hundred that a signal of the liveness service is lost.</summary>
    private const int LostSignalPercent = 30;

    /// <summary>The bound on the time a group takes to go quiet, and then to elect once its quiet leader dies.</summary>
    private const int FailoverBound = 30000;

    private readonly Random _quietRandom;

    /// <summary>
    /// With the network healed and no client to wake anybody, the group goes quiet, its leader crashes, and a group of
    /// which a majority is still up must elect a new leader within <see cref="FailoverBound"/>: a quiet group whose
    /// leader died relies on the liveness service alone.
    /// </summary>
    private void CheckQuietFailover()
    {
        _clientsOn = false;
        var end = _now + FailoverBound;
        for (; _now < end && QuietLeader() is null; _now++)
        {
            Step();
        }

        if (QuietLeader() is { } leader && MajorityUpWithout(leader))
        {
            leader.Crash();
            _network.DropAll(leader.Id);
            Trace($"crash {leader.Id}, the quiet leader");
            end = _now + FailoverBound;
            for (; _now < end && !HasLiveLeader(); _now++)
            {
                Step();
            }

            if (!HasLiveLeader())
            {
                throw new PropertyViolation("Liveness", $"no leader {FailoverBound} time units after quiet leader {leader.Id} crashed, with a majority up");
            }
        }

        _clientsOn = true;
    }

    /// <summary>A leader whose whole group is quiet, every member up.</summary>
    private SimNode? QuietLeader()
    {
        var leader = _nodes.FirstOrDefault(n => n.Up && n.Raft.Role == RaftRole.Leader && n.Raft.IsQuiescent);
        return leader is not null && leader.Raft.Configuration.Voters.All(v => _nodes[(int)v - 1] is { Up: true } n && n.Raft.IsQuiescent)
            ? leader
            : null;
    }

    /// <summary>True if, without <paramref name="victim"/>, every up member's configuration still has a majority of its voters up.</summary>
    private bool MajorityUpWithout(SimNode victim)
    {
        var up = _nodes.Where(n => n.Up && !n.Retired && n != victim).ToList();
        return up.Count > 0 && up.All(n => n.Raft.Configuration.Voters.Count(v => up.Any(u => u.Id == v)) * 2 > n.Raft.Configuration.Voters.Count);
    }

    /// <summary>An up leader that a majority of its configuration's voters, up and in its term, follow.</summary>
    private bool HasLiveLeader() => _nodes.Any(l =>
        l.Up && l.Raft.Role == RaftRole.Leader &&
        l.Raft.Configuration.Voters.Count(v => _nodes[(int)v - 1] is { Up: true } n && n.Raft.Term == l.Raft.Term) * 2 > l.Raft.Configuration.Voters.Count);

    /// <summary>After a tick, a leader whose host has nothing in flight tries to quiet its group.</summary>
    private void MaybeQuiesce(SimNode node)
    {
        if (!_config.Quiescence || node.Raft.Role != RaftRole.Leader || node.Raft.IsQuiescent || !node.Idle)
        {
            return;
        }

        if (node.Raft.TryQuiesce())
        {
            Trace($"quiesce {node.Id} at {node.Raft.LastIndex}");
        }
    }

    /// <summary>
    /// Every so often the liveness service probes: a quiet follower whose leader is down, or cut off from it by the
    /// partition, is woken with the leader suspected; now and then a member is woken for nothing.
    /// </summary>
    private void StepLiveness()
    {
        if (_quietRandom.Next(60) == 0 && !_config.IgnoreLivenessSignals)
        {
            foreach (var node in _nodes.Where(n => n.Up && n.Raft.IsQuiescent && n.Raft.Role != RaftRole.Leader && n.Raft.Leader != 0))
            {
                var leader = _nodes[(int)node.Raft.Leader - 1];
                var lost = !leader.Up || _network.IsBlocked(leader.Id, node.Id) || _network.IsBlocked(node.Id, leader.Id);
                if (lost && _quietRandom.Next(100) >= LostSignalPercent)
                {
                    node.Raft.Wake(leaderSuspected: true);
                    Trace($"wake {node.Id}: leader {leader.Id} suspected");
                }
            }
        }

        if (_faultsOn && _quietRandom.Next(400) == 0)
        {
            var node = _nodes[_quietRandom.Next(_nodes.Count)];
            if (node.Up)
            {
                var suspected = _quietRandom.Next(2) == 0;
                node.Raft.Wake(suspected);
                Trace($"wake {node.Id} for nothing{(suspected ? ", leader suspected" : "")}");
            }
        }
    }
}
