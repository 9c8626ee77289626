using System.Text;
using OrleansRaft.Core;

namespace OrleansRaft.Host.Demo;

/// <summary>
/// Three Raft members in one process, each with an in-memory durable log, wired together by direct calls.
/// Real time drives it: every tick of the wall clock ticks each member and drains its Ready the way a host must
/// (persist, send, apply, advance).
/// </summary>
internal sealed class DemoCluster
{
    private readonly Dictionary<ulong, Member> _members = [];
    private readonly Queue<Message> _network = new();
    private readonly Action<string> _log;

    public DemoCluster(int size, int seed, Action<string> log)
    {
        _log = log;
        var configuration = new MembershipConfiguration(Enumerable.Range(1, size).Select(i => (ulong)i));
        foreach (var id in configuration.Voters)
        {
            var member = new Member(id, new MemoryLogStore(configuration));
            member.Start(seed);
            _members[id] = member;
        }
    }

    public ulong? Leader => _members.Values.FirstOrDefault(m => m.Up && m.Node.Role == RaftRole.Leader)?.Id;

    public IEnumerable<(ulong Id, bool Up, ulong Term, RaftRole Role, ulong Applied, int Values)> Members =>
        _members.Values.Select(m => (m.Id, m.Up, m.Node.Term, m.Node.Role, m.Node.AppliedIndex, m.Values.Count));

    /// <summary>One tick of logical time for every live member, then messages until the cluster is quiet.</summary>
    public void Tick()
    {
        foreach (var member in _members.Values.Where(m => m.Up))
        {
            member.Node.Tick();
        }

        Settle();
    }

    public ProposeResult Propose(string value)
    {
        var leader = Leader ?? throw new InvalidOperationException("No leader to propose to.");
        var result = _members[leader].Node.Propose(Encoding.UTF8.GetBytes(value));
        Settle();
        return result;
    }

    public void Crash(ulong id)
    {
        _members[id].Up = false;
        _log($"member {id} crashed: it loses everything it had not persisted");
    }

    public void Restart(ulong id, int seed)
    {
        var member = _members[id];
        member.Start(seed);
        _log($"member {id} restarted from its persisted log (term {member.Node.Term}, commit {member.Node.CommitIndex})");
    }

    private void Settle()
    {
        for (var round = 0; round < 100; round++)
        {
            foreach (var member in _members.Values.Where(m => m.Up))
            {
                Drain(member);
            }

            if (_network.Count == 0)
            {
                return;
            }

            while (_network.TryDequeue(out var message))
            {
                if (_members.TryGetValue(message.To, out var to) && to.Up)
                {
                    to.Node.Step(message);
                }
            }
        }
    }

    private void Drain(Member member)
    {
        while (member.Node.HasReady)
        {
            var ready = member.Node.GetReady();
            if (ready.SoftState is { } soft && soft.Role == RaftRole.Leader)
            {
                _log($"member {member.Id} is leader of term {member.Node.Term}");
            }

            if (ready.Snapshot is { } snapshot)
            {
                member.Storage.ApplySnapshot(snapshot);
            }

            member.Storage.Append(ready.Entries);
            if (ready.HardState is { } hardState)
            {
                member.Storage.SetHardState(hardState);
            }

            foreach (var message in ready.Messages)
            {
                _network.Enqueue(message);
            }

            foreach (var entry in ready.CommittedEntries.Where(e => e.Type == EntryType.Normal && e.Data.Length > 0))
            {
                member.Values.Add(Encoding.UTF8.GetString(entry.Data.Span));
            }

            member.Node.Advance();
        }
    }

    private sealed class Member(ulong id, MemoryLogStore storage)
    {
        public ulong Id { get; } = id;

        public MemoryLogStore Storage { get; } = storage;

        public RaftNode Node { get; private set; } = null!;

        public List<string> Values { get; } = [];

        public bool Up { get; set; }

        public void Start(int seed)
        {
            Values.Clear();
            Node = new RaftNode(new RaftOptions { Id = Id, Random = new Random(seed * 31 + (int)Id) }, Storage);
            Up = true;
        }
    }
}
