using OrleansRaft.Core;

namespace OrleansRaft.Benchmarks;

/// <summary>
/// A group whose members all live on the calling thread, with no I/O: messages go from one member's Ready
/// straight into the receiver's <see cref="RaftNode.Step"/>, in order, with no loss. Member 1 leads.
/// </summary>
internal sealed class InMemoryCluster
{
    private readonly BenchMember[] _members;
    private readonly Queue<Message> _network = new();

    public InMemoryCluster(int size)
    {
        var configuration = new MembershipConfiguration(Enumerable.Range(1, size).Select(i => (ulong)i));
        _members = configuration.Voters.Select(id => new BenchMember(id, configuration)).ToArray();
        Leader.Node.Campaign();
        Pump(profile: null);
        if (Leader.Node.Role != RaftRole.Leader)
        {
            throw new InvalidOperationException($"Member 1 did not win the first election: it is {Leader.Node.Role}.");
        }
    }

    public BenchMember Leader => _members[0];

    public IReadOnlyList<BenchMember> Members => _members;

    /// <summary>Handles Readies and delivers messages until nothing moves: every member then holds and has applied everything.</summary>
    public void Pump(PhaseProfile? profile)
    {
        bool moved;
        do
        {
            moved = false;
            foreach (var member in _members)
            {
                while (member.HandleReady(_network, profile))
                {
                    moved = true;
                }
            }

            while (_network.TryDequeue(out var message))
            {
                moved = true;
                var receiver = _members[(int)message.To - 1];
                var start = profile?.Begin() ?? default;
                receiver.Node.Step(message);
                profile?.End(receiver == Leader ? Phase.LeaderStep : Phase.FollowerStep, start);
            }
        }
        while (moved);
    }

    /// <summary>
    /// Drops the log every member has applied, as a host keeps its in-memory log bounded. Only what all members
    /// applied goes, so the leader never needs a snapshot to catch a follower up.
    /// </summary>
    public void Compact()
    {
        var applied = ulong.MaxValue;
        foreach (var member in _members)
        {
            applied = Math.Min(applied, member.AppliedIndex);
        }

        foreach (var member in _members)
        {
            member.Storage.Compact(applied);
        }
    }

    /// <summary>Throws unless every member has applied the leader's whole log.</summary>
    public void AssertConverged()
    {
        var last = Leader.Node.LastIndex;
        foreach (var member in _members)
        {
            if (member.AppliedIndex != last || member.Node.CommitIndex != last)
            {
                throw new InvalidOperationException(
                    $"Member {member.Id} committed {member.Node.CommitIndex} and applied {member.AppliedIndex} of the leader's {last}.");
            }
        }
    }
}
