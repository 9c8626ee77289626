namespace OrleansRaft.Hosting.Transport;

/// <summary>
/// A message filter for tests, shared by every silo of an in-process cluster: cut links between chosen members
/// (one way or both), drop a fraction of messages at random, or delay them. Thread-safe; rules apply to messages
/// sent after they change.
/// </summary>
public sealed class RaftFaultInjector : IRaftMessageFilter
{
    private readonly Lock _lock = new();
    private readonly HashSet<(string Group, ulong From, ulong To)> _cut = [];
    private readonly HashSet<SiloAddress> _unanswering = [];
    private readonly HashSet<SiloAddress> _refusing = [];
    private readonly Random _random;
    private double _dropRate;
    private TimeSpan _delay;

    public RaftFaultInjector(int seed = 1) => _random = new Random(seed);

    /// <summary>Messages dropped so far, by cut links or at random.</summary>
    public long Dropped { get; private set; }

    /// <summary>Cuts both directions between each member of <paramref name="side"/> and every other member of <paramref name="members"/>.</summary>
    public void Partition(string groupId, IEnumerable<ulong> side, IEnumerable<ulong> members)
    {
        var inside = side.ToHashSet();
        var all = members.ToArray();
        lock (_lock)
        {
            foreach (var a in inside)
            {
                foreach (var b in all.Where(m => !inside.Contains(m)))
                {
                    _cut.Add((groupId, a, b));
                    _cut.Add((groupId, b, a));
                }
            }
        }
    }

    /// <summary>Cuts the link from <paramref name="from"/> to <paramref name="to"/> only.</summary>
    public void Cut(string groupId, ulong from, ulong to)
    {
        lock (_lock)
        {
            _cut.Add((groupId, from, to));
        }
    }

    /// <summary>
    /// Leaves the liveness probes of <paramref name="silo"/> unanswered, as for a silo cut off the network while it runs.
    /// With <see cref="Partition"/> around that silo's members, their group sees what a real partition shows it; Orleans'
    /// own membership still calls the silo alive, so no death declaration comes to help.
    /// </summary>
    public void SilenceProbesOf(SiloAddress silo)
    {
        lock (_lock)
        {
            _unanswering.Add(silo);
        }
    }

    /// <summary>
    /// Makes the liveness probes of <paramref name="silo"/> fail at once, as for a silo whose process died. With
    /// <see cref="Partition"/> around that silo's members, their groups see what a crash of the silo shows them, while
    /// the silo itself still runs; Orleans' own membership still calls it alive.
    /// </summary>
    public void RefuseProbesOf(SiloAddress silo)
    {
        lock (_lock)
        {
            _refusing.Add(silo);
        }
    }

    /// <summary>Drops each message with probability <paramref name="rate"/>, on every link.</summary>
    public void DropRandomly(double rate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rate, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rate, 1);
        lock (_lock)
        {
            _dropRate = rate;
        }
    }

    /// <summary>Delays every message by <paramref name="delay"/>.</summary>
    public void DelayAll(TimeSpan delay)
    {
        lock (_lock)
        {
            _delay = delay;
        }
    }

    /// <summary>Removes every rule: all links deliver at once again.</summary>
    public void Heal()
    {
        lock (_lock)
        {
            _cut.Clear();
            _unanswering.Clear();
            _refusing.Clear();
            _dropRate = 0;
            _delay = TimeSpan.Zero;
        }
    }

    public RaftMessageFate Decide(string groupId, ulong from, ulong to)
    {
        lock (_lock)
        {
            if (_cut.Contains((groupId, from, to)) || (_dropRate > 0 && _random.NextDouble() < _dropRate))
            {
                Dropped++;
                return RaftMessageFate.Dropped;
            }

            return _delay > TimeSpan.Zero ? RaftMessageFate.Delayed(_delay) : RaftMessageFate.Deliver;
        }
    }

    public bool AnswersProbe(SiloAddress silo)
    {
        lock (_lock)
        {
            return !_unanswering.Contains(silo);
        }
    }

    public bool RefusesProbe(SiloAddress silo)
    {
        lock (_lock)
        {
            return _refusing.Contains(silo);
        }
    }
}
