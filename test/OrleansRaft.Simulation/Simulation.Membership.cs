using OrleansRaft.Core;

namespace OrleansRaft.Simulation;

/// <summary>
/// Membership changes during the run, as an operator would make them through the leader: add a new member as a
/// learner, promote it once the leader accepts that it has caught up, and remove a voter, the leader included.
/// Replacing a member is the three in a row; shrinking first and growing back happens too. A change the leader
/// refuses (another is in flight, its term has not committed, the learner lags) is tried again later.
/// </summary>
/// <remarks>
/// A member leaves the run only once it is out of the latest committed membership for good, and then after a
/// random delay, during which it keeps running with its stale configuration: the group must not let it disturb
/// anything. A member whose addition was rolled back with a truncated entry leaves the same way.
/// </remarks>
public sealed partial class Simulation
{
    /// <summary>The most members a run ever creates; past it, changes only remove and promote.</summary>
    private const int MaxMembersCreated = 12;

    /// <summary>The longest a member outside the committed membership keeps running before it is deleted.</summary>
    private const int MaxRetirementDelay = 400;

    private readonly Dictionary<ulong, long> _retireAt = [];

    /// <summary>For each member created during the run, the index of the entry that added it as a learner.</summary>
    private readonly Dictionary<ulong, ulong> _addedAt = [];
    private readonly int _membershipEvery;
    private long _nextMembershipChangeAt;

    private void StepMembership()
    {
        ScheduleRetirements();
        RetireDue();
        if (_faultsOn && _now >= _nextMembershipChangeAt && CurrentLeader() is { } leader)
        {
            _nextMembershipChangeAt = _now + 1 + _random.Next(_membershipEvery);
            ProposeChange(leader);
        }
    }

    /// <summary>The up leader of the highest term, if any.</summary>
    private SimNode? CurrentLeader()
    {
        SimNode? leader = null;
        foreach (var node in _nodes)
        {
            if (node.Up && node.Raft.Role == RaftRole.Leader && (leader is null || node.Raft.Term > leader.Raft.Term))
            {
                leader = node;
            }
        }

        return leader;
    }

    private void ProposeChange(SimNode leader)
    {
        var raft = leader.Raft;
        var configuration = raft.Configuration;
        var voters = configuration.Voters;
        ConfigurationChange change;
        if (configuration.Learners.Count > 0)
        {
            change = ConfigurationChange.PromoteLearner(configuration.Learners[_random.Next(configuration.Learners.Count)]);
        }
        else if (voters.Count > _config.Nodes || (voters.Count == _config.Nodes && voters.Count > 1 && _random.Next(4) == 0))
        {
            // Any voter may go, the leader included.
            change = ConfigurationChange.RemoveMember(voters[_random.Next(voters.Count)]);
        }
        else if (_nodes.Count < MaxMembersCreated)
        {
            change = ConfigurationChange.AddLearner((ulong)_nodes.Count + 1);
        }
        else
        {
            return;
        }

        var result = raft.ProposeConfigurationChange(change);
        Trace($"membership {change} at {leader.Id}: {result.Status}" + (result.IsAccepted ? $" at {result.Term}/{result.Index} -> {result.Configuration}" : ""));
        if (result.IsAccepted && change.Type == ConfigurationChangeType.AddLearner)
        {
            // A new member starts empty, with no configuration: it cannot campaign, and catches up from the leader.
            var node = new SimNode(change.MemberId, MembershipConfiguration.Empty, _environment);
            node.Start(Options(node.Id));
            _nodes.Add(node);
            _addedAt[node.Id] = result.Index;
            _invariants.OnRestart(node);
        }
    }

    /// <summary>
    /// A member is out for good once the latest committed membership leaves it out and the index of the entry that
    /// added it is committed too: either that entry committed and a later committed change removed the member, or
    /// another entry took its index and it can never commit. Ids are never reused, so no later change brings it back.
    /// (A leader's own view does not do: a deposed leader that has not heard of newer changes may still lead.)
    /// </summary>
    private void ScheduleRetirements()
    {
        var committed = _invariants.CommittedConfiguration;
        foreach (var node in _nodes)
        {
            if (!node.Retired && !_retireAt.ContainsKey(node.Id) && !committed.Contains(node.Id) &&
                _invariants.HighestCommitted >= _addedAt.GetValueOrDefault(node.Id))
            {
                _retireAt[node.Id] = _now + (_faultsOn ? _random.Next(MaxRetirementDelay) : 0);
            }
        }
    }

    private void RetireDue()
    {
        foreach (var (id, at) in _retireAt)
        {
            var node = _nodes[(int)id - 1];
            if (!node.Retired && _now >= at)
            {
                node.Retire();
                _network.DropAll(id);
                Trace($"retire {id}");
            }
        }
    }
}
