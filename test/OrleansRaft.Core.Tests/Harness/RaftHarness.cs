using OrleansRaft.Core;

namespace OrleansRaft.Core.Tests.Harness;

/// <summary>
/// Raft members wired together in memory for tests. Nothing happens unless the test asks: <see cref="Process"/>
/// drains a member's Ready the way a host would (persist, queue messages, apply, advance), and
/// <see cref="Deliver"/> hands queued messages to their receivers, dropping those the partition blocks.
/// </summary>
public sealed class RaftHarness
{
    private readonly Dictionary<ulong, Member> _members = [];
    private readonly List<Message> _inFlight = [];
    private readonly HashSet<(ulong From, ulong To)> _blocked = [];
    private readonly Action<RaftOptions>? _configure;
    private readonly int _seed;

    public RaftHarness(int size, Action<RaftOptions>? configure = null, int seed = 1)
        : this(Enumerable.Range(1, size).Select(i => (ulong)i).ToArray(), [], configure, seed)
    {
    }

    public RaftHarness(ulong[] voters, ulong[] learners, Action<RaftOptions>? configure = null, int seed = 1)
    {
        _configure = configure;
        _seed = seed;
        var configuration = new MembershipConfiguration(voters, learners);
        foreach (var id in voters.Concat(learners))
        {
            var member = new Member(id, new MemoryLogStore(configuration));
            _members[id] = member;
            Start(member);
        }
    }

    /// <summary>Starts a member with no persisted state, as a host does for one that joins through a membership change.</summary>
    public void AddMember(ulong id)
    {
        var member = new Member(id, new MemoryLogStore());
        _members.Add(id, member);
        Start(member);
    }

    public ConfigurationChangeResult ChangeConfiguration(ulong leader, ConfigurationChange change) => Node(leader).ProposeConfigurationChange(change);

    public IEnumerable<ulong> Ids => _members.Keys.Order();

    /// <summary>Messages sent and not yet delivered, oldest first.</summary>
    public List<Message> InFlight => _inFlight;

    public RaftNode Node(ulong id) => _members[id].Node;

    public MemoryLogStore Storage(ulong id) => _members[id].Storage;

    /// <summary>The data of the normal, non-empty entries applied by a member, in order.</summary>
    public IReadOnlyList<string> Applied(ulong id) => _members[id].Applied;

    /// <summary>The index a member's state machine has reached, snapshots included.</summary>
    public ulong AppliedIndex(ulong id) => _members[id].AppliedIndex;

    public List<ReadState> ReadStates(ulong id) => _members[id].ReadStates;

    public IReadOnlyList<MembershipConfiguration> AppliedConfigurations(ulong id) => _members[id].AppliedConfigurations;

    /// <summary>The member that is leader in the highest term, if any.</summary>
    public ulong? Leader =>
        _members.Values.Where(m => !m.Down && m.Node.Role == RaftRole.Leader).OrderByDescending(m => m.Node.Term).Select(m => (ulong?)m.Id).FirstOrDefault();

    public ProposeResult Propose(ulong id, string data) => Node(id).Propose(System.Text.Encoding.UTF8.GetBytes(data));

    public void Tick(ulong id, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            Node(id).Tick();
        }
    }

    public void TickAll(int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            foreach (var member in _members.Values.Where(m => !m.Down))
            {
                member.Node.Tick();
            }
        }
    }

    /// <summary>Handles every Ready a member has, as a host would; returns the Readies handled.</summary>
    public List<Ready> Process(ulong id)
    {
        var member = _members[id];
        var handled = new List<Ready>();
        while (member.Node.HasReady)
        {
            var ready = member.Node.GetReady();
            if (ready.Snapshot is { } snapshot)
            {
                member.Storage.ApplySnapshot(snapshot);
            }

            member.Storage.Append(ready.Entries);
            if (ready.HardState is { } hardState)
            {
                member.Storage.SetHardState(hardState);
            }

            _inFlight.AddRange(ready.Messages);
            if (ready.Snapshot is { } installed)
            {
                member.Applied.Clear();
                member.Applied.AddRange(System.Text.Encoding.UTF8.GetString(installed.Data.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries));
                member.AppliedIndex = installed.Index;
            }

            foreach (var entry in ready.CommittedEntries)
            {
                if (entry.Index != member.AppliedIndex + 1)
                {
                    throw new InvalidOperationException($"Member {id} applied {entry.Index} after {member.AppliedIndex}.");
                }

                member.AppliedIndex = entry.Index;
                if (entry.Type == EntryType.Normal && entry.Data.Length > 0)
                {
                    member.Applied.Add(System.Text.Encoding.UTF8.GetString(entry.Data.Span));
                }
            }

            if (ready.AppliedConfiguration is { } appliedConfiguration)
            {
                member.AppliedConfigurations.Add(appliedConfiguration);
            }

            member.ReadStates.AddRange(ready.ReadStates);
            member.Node.Advance();
            handled.Add(ready);
        }

        return handled;
    }

    /// <summary>Processes every member that is up; a crashed member does nothing until it restarts.</summary>
    public void ProcessAll()
    {
        foreach (var id in Ids.Where(id => !_members[id].Down))
        {
            Process(id);
        }
    }

    /// <summary>
    /// Processes every member and delivers every message, until nothing moves or <paramref name="maxRounds"/>
    /// rounds pass. Blocked messages are dropped. Returns the messages delivered.
    /// </summary>
    public List<Message> Deliver(int maxRounds = 1000)
    {
        var delivered = new List<Message>();
        for (var round = 0; round < maxRounds; round++)
        {
            ProcessAll();
            if (_inFlight.Count == 0)
            {
                return delivered;
            }

            var batch = _inFlight.ToList();
            _inFlight.Clear();
            foreach (var message in batch)
            {
                if (!_blocked.Contains((message.From, message.To)) && _members.TryGetValue(message.To, out var to) && !to.Down)
                {
                    to.Node.Step(message);
                    delivered.Add(message);
                }
            }
        }

        throw new InvalidOperationException($"Messages were still flowing after {maxRounds} rounds.");
    }

    /// <summary>Makes a member campaign, then delivers until the cluster is quiet.</summary>
    public void Elect(ulong id)
    {
        Node(id).Campaign();
        Deliver();
    }

    /// <summary>Splits the members into groups that cannot reach each other; members not named form one more group.</summary>
    public void Partition(params ulong[][] groups)
    {
        _blocked.Clear();
        var named = groups.SelectMany(g => g).ToHashSet();
        var all = groups.Append(_members.Keys.Where(id => !named.Contains(id)).ToArray()).Where(g => g.Length > 0).ToArray();
        foreach (var group in all)
        {
            foreach (var from in group)
            {
                foreach (var to in _members.Keys.Where(id => !group.Contains(id)))
                {
                    _blocked.Add((from, to));
                }
            }
        }
    }

    public void Isolate(ulong id) => Partition([id]);

    /// <summary>Blocks messages from <paramref name="from"/> to <paramref name="to"/> only (an asymmetric partition).</summary>
    public void Block(ulong from, ulong to) => _blocked.Add((from, to));

    public void Heal() => _blocked.Clear();

    /// <summary>Stops a member: it loses everything not persisted and receives nothing until restarted.</summary>
    public void Crash(ulong id)
    {
        var member = _members[id];
        member.Down = true;
        _inFlight.RemoveAll(m => m.From == id || m.To == id);
    }

    /// <summary>Starts a crashed member again from its persisted state; its state machine restarts from the snapshot.</summary>
    public void Restart(ulong id)
    {
        var member = _members[id];
        member.Down = false;
        member.Applied.Clear();
        member.ReadStates.Clear();
        var snapshot = member.Storage.Snapshot;
        member.Applied.AddRange(System.Text.Encoding.UTF8.GetString(snapshot.Data.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        member.AppliedIndex = snapshot.Index;
        Start(member);
    }

    /// <summary>Has a member snapshot its state at its applied index and compact its log there.</summary>
    public Snapshot Compact(ulong id)
    {
        var member = _members[id];
        var data = System.Text.Encoding.UTF8.GetBytes(string.Join('\n', member.Applied));
        return member.Storage.CreateSnapshot(member.AppliedIndex, member.Node.ConfigurationAt(member.AppliedIndex), data);
    }

    private void Start(Member member)
    {
        var options = new RaftOptions
        {
            Id = member.Id,
            ElectionTicks = 10,
            HeartbeatTicks = 1,
            Random = new Random(_seed * 1000 + (int)member.Id),
            Applied = member.AppliedIndex,
        };
        _configure?.Invoke(options);
        member.Node = new RaftNode(options, member.Storage);
    }

    private sealed class Member(ulong id, MemoryLogStore storage)
    {
        public ulong Id { get; } = id;

        public MemoryLogStore Storage { get; } = storage;

        public RaftNode Node { get; set; } = null!;

        public List<string> Applied { get; } = [];

        public ulong AppliedIndex { get; set; }

        public List<ReadState> ReadStates { get; } = [];

        /// <summary>Every <see cref="Ready.AppliedConfiguration"/> the member handled, in order.</summary>
        public List<MembershipConfiguration> AppliedConfigurations { get; } = [];

        public bool Down { get; set; }
    }
}
