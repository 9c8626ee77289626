using OrleansRaft.Core;

namespace OrleansRaft.Simulation;

/// <summary>
/// An in-memory network: every message gets a random delivery time (so messages reorder), and may be dropped,
/// duplicated, or blocked by a partition. Blocking is directional, so partitions may be asymmetric.
/// </summary>
internal sealed class SimNetwork(Random random, SimulationParameters parameters)
{
    private readonly PriorityQueue<Message, (long At, long Sequence)> _queue = new();
    private readonly HashSet<(ulong From, ulong To)> _blocked = [];
    private long _sequence;

    public int InFlight => _queue.Count;

    public long Delivered { get; private set; }

    public string PartitionDescription { get; private set; } = "healed";

    /// <summary>Queues <paramref name="message"/>; returns false if the network dropped it.</summary>
    public bool Send(Message message, long now)
    {
        if (random.NextDouble() < parameters.DropRate)
        {
            return false;
        }

        var copies = random.NextDouble() < parameters.DuplicateRate ? 2 : 1;
        for (var i = 0; i < copies; i++)
        {
            _queue.Enqueue(message, (now + 1 + random.Next(parameters.MaxDelay), _sequence++));
        }

        return true;
    }

    /// <summary>The next message due at or before <paramref name="now"/> that the partition lets through.</summary>
    /// <summary>True if the partition in force keeps <paramref name="from"/>'s messages from reaching <paramref name="to"/>.</summary>
    public bool IsBlocked(ulong from, ulong to) => _blocked.Contains((from, to));

    public bool TryReceive(long now, out Message message)
    {
        while (_queue.TryPeek(out message!, out var due) && due.At <= now)
        {
            _queue.Dequeue();
            if (!_blocked.Contains((message.From, message.To)))
            {
                Delivered++;
                return true;
            }
        }

        message = null!;
        return false;
    }

    /// <summary>Drops every queued message to or from <paramref name="id"/> (its connections broke when it crashed).</summary>
    public void DropAll(ulong id)
    {
        var keep = new List<(Message, (long, long))>();
        while (_queue.TryDequeue(out var message, out var priority))
        {
            if (message.From != id && message.To != id)
            {
                keep.Add((message, priority));
            }
        }

        foreach (var (message, priority) in keep)
        {
            _queue.Enqueue(message, priority);
        }
    }

    public void Heal()
    {
        _blocked.Clear();
        PartitionDescription = "healed";
    }

    /// <summary>Cuts the members into two random sides, or cuts one random direction between two members.</summary>
    public void RandomPartition(IReadOnlyList<ulong> ids)
    {
        _blocked.Clear();
        if (random.Next(3) == 0)
        {
            var to = ids[random.Next(ids.Count)];
            var count = random.Next(1, ids.Count);
            // Asymmetric: one member cannot hear from some others, but they hear it.
            var deaf = ids.Where(id => id != to).OrderBy(_ => random.Next()).Take(count).ToArray();
            foreach (var source in deaf)
            {
                _blocked.Add((source, to));
            }

            PartitionDescription = $"{to} deaf to {string.Join(",", deaf)}";
            return;
        }

        var side = ids.Where(_ => random.Next(2) == 0).ToHashSet();
        foreach (var a in ids)
        {
            foreach (var b in ids)
            {
                if (side.Contains(a) != side.Contains(b))
                {
                    _blocked.Add((a, b));
                }
            }
        }

        PartitionDescription = $"{string.Join(",", side)} | {string.Join(",", ids.Where(id => !side.Contains(id)))}";
    }
}
