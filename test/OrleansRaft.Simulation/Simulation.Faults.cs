namespace OrleansRaft.Simulation;

public sealed partial class Simulation
{
    private void InjectFaults()
    {
        if (_parameters.PartitionEvery > 0 && _random.Next(_parameters.PartitionEvery) == 0)
        {
            if (_random.Next(2) == 0)
            {
                _network.Heal();
            }
            else
            {
                _network.RandomPartition(_nodes.Where(n => !n.Retired).Select(n => n.Id).ToList());
            }

            Trace($"partition {_network.PartitionDescription}");
        }

        if (_parameters.CrashEvery > 0 && _random.Next(_parameters.CrashEvery) == 0)
        {
            var node = _nodes[_random.Next(_nodes.Count)];
            if (node.Retired)
            {
                // Deleted members never come back.
            }
            else if (node.Up)
            {
                // Keep at most a minority down, so that the group can make progress between crashes.
                if (ActiveDown < (ActiveCount - 1) / 2 || _random.Next(4) == 0)
                {
                    node.Crash();
                    _network.DropAll(node.Id);
                    Trace($"crash {node.Id}");
                }
            }
            else
            {
                Restart(node);
            }
        }

        // Crashed members come back on their own after a while.
        if (_parameters.CrashEvery > 0)
        {
            foreach (var node in _nodes)
            {
                if (!node.Up && !node.Retired && _random.Next(_parameters.CrashEvery / 2 + 1) == 0)
                {
                    Restart(node);
                }
            }
        }
    }

    private int ActiveCount => _nodes.Count(n => !n.Retired);

    private int ActiveDown => _nodes.Count(n => !n.Up && !n.Retired);

    /// <summary>
    /// A member that has just become leader, or whose commit index just advanced, is a good victim: what it has
    /// not yet told its followers leaves the divergent logs where commit-rule bugs show (Raft paper, Figure 8).
    /// </summary>
    private void MaybeCrashAtTurningPoint(SimNode node)
    {
        if (_parameters.CrashAfterCommitOneIn > 0 && _random.Next(_parameters.CrashAfterCommitOneIn) == 0 &&
            ActiveDown < (ActiveCount - 1) / 2 + 1)
        {
            node.Crash();
            _network.DropAll(node.Id);
            Trace($"crash {node.Id} at a turning point");
        }
    }
}
