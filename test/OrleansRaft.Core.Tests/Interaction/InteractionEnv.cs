using System.Text;

namespace OrleansRaft.Core.Tests.Interaction;

/// <summary>
/// Raft members and a network of per-recipient queues, driven one scenario command at a time. Nothing moves
/// unless a command says so: a member handles its Ready only when processed, and a message reaches its receiver
/// only when delivered. The partition and crashes in force at delivery decide whether a message is dropped.
/// Every outcome is written to the trace; every run of the same script produces the same trace.
/// </summary>
/// <remarks>
/// Besides tracing, the environment checks two safety properties as it goes and throws when one breaks:
/// at most one leader per term (Election Safety), and every member applies the same entry at each index
/// (State Machine Safety). It also checks <c>applied &lt;= committed &lt;= last index</c> after each Ready.
/// </remarks>
internal sealed partial class InteractionEnv
{
    private const int MaxStabilizeRounds = 1000;

    private readonly SortedDictionary<ulong, Member> _members = [];
    private readonly SortedDictionary<ulong, List<Message>> _inboxes = [];
    private readonly HashSet<(ulong From, ulong To)> _blocked = [];
    private readonly Dictionary<ulong, ulong> _leaderOfTerm = [];
    private readonly Dictionary<ulong, Entry> _appliedAt = [];
    private readonly Dictionary<string, ulong> _readIds = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, string> _readNames = [];
    private readonly List<string> _trace = [];
    private MembershipConfiguration _configuration = MembershipConfiguration.Empty;
    private Settings _settings = new();
    private bool _quiet;

    /// <summary>Runs one command line and returns its trace.</summary>
    public IReadOnlyList<string> Execute(string line)
    {
        _trace.Clear();
        var command = ScenarioCommand.Parse(line);
        Dispatch(command);
        command.EnsureAllOptionsUsed();
        return _trace.ToArray();
    }

    private void Emit(string line)
    {
        if (!_quiet)
        {
            _trace.Add(line);
        }
    }

    private Member Get(ulong id) =>
        _members.TryGetValue(id, out var member) ? member : throw new FormatException($"There is no member {id}.");

    private Member Live(ulong id)
    {
        var member = Get(id);
        return member.Down ? throw new FormatException($"Member {id} is down.") : member;
    }

    private void Start(Member member)
    {
        var options = _settings.ToOptions(member.Id, member.Starts, member.AppliedIndex);
        member.Node = new RaftNode(options, member.Storage);
        member.Starts++;
    }

    /// <summary>Runs one input to a member's core and traces the role, term or leader change it caused.</summary>
    private T Input<T>(Member member, string prefix, Func<RaftNode, T> input)
    {
        var node = member.Node;
        var before = (node.Role, node.Term, node.Leader);
        var result = input(node);
        var after = (node.Role, node.Term, node.Leader);
        if (after != before)
        {
            Emit(prefix + DescribeChange(member.Id, before, after));
        }

        if (node.Role == RaftRole.Leader)
        {
            if (_leaderOfTerm.TryGetValue(node.Term, out var other) && other != member.Id)
            {
                throw new InvalidOperationException($"Election Safety: {other} and {member.Id} both lead term {node.Term}.");
            }

            _leaderOfTerm[node.Term] = member.Id;
        }

        return result;
    }

    private void Input(Member member, string prefix, Action<RaftNode> input) =>
        Input(member, prefix, node =>
        {
            input(node);
            return true;
        });

    private static string DescribeChange(ulong id, (RaftRole Role, ulong Term, ulong Leader) before, (RaftRole Role, ulong Term, ulong Leader) after)
    {
        if (before.Role == after.Role && before.Term == after.Term)
        {
            return after.Leader != 0 ? $"{id} follows leader {after.Leader}" : $"{id} forgets leader {before.Leader}";
        }

        var text = $"{id} becomes {after.Role} at term {after.Term}";
        return after.Role == RaftRole.Follower && after.Leader != 0 ? text + $", leader {after.Leader}" : text;
    }

    /// <summary>Handles one Ready of a member as a host would: persist, send, apply, advance. False if it had none.</summary>
    private bool ProcessReady(Member member)
    {
        if (member.Down || !member.Node.HasReady)
        {
            return false;
        }

        var node = member.Node;
        var ready = node.GetReady();
        Emit($"> {member.Id} handles Ready");
        var printed = _trace.Count;

        if (ready.HardState is { } hardState)
        {
            Emit($"  hard-state {TraceFormat.HardState(hardState)}");
        }

        if (ready.Snapshot is { } snapshot)
        {
            Emit($"  install-snapshot {TraceFormat.Snapshot(snapshot)}");
            member.Storage.ApplySnapshot(snapshot);
        }

        if (ready.Entries.Count > 0)
        {
            Emit($"  persist {TraceFormat.Entries(ready.Entries)}");
            member.Storage.Append(ready.Entries);
        }

        if (ready.HardState is { } persisted)
        {
            member.Storage.SetHardState(persisted);
        }

        if (ready.Configuration is { } configuration)
        {
            Emit($"  configuration {configuration}");
        }

        foreach (var message in ready.Messages)
        {
            Emit("  " + TraceFormat.Message(message));
            Inbox(message.To).Add(message);
        }

        if (ready.Snapshot is { } installed)
        {
            member.RestoreStateMachine(installed);
        }

        if (ready.CommittedEntries.Count > 0)
        {
            Emit($"  apply {TraceFormat.Entries(ready.CommittedEntries)}");
            foreach (var entry in ready.CommittedEntries)
            {
                Apply(member, entry);
            }
        }

        if (ready.AppliedConfiguration is { } applied)
        {
            Emit($"  applied-configuration {applied}");
        }

        foreach (var read in ready.ReadStates)
        {
            Emit($"  read-state {ReadName(read.RequestId)} index={read.Index}");
        }

        if (_trace.Count == printed && ready.SoftState is { } soft)
        {
            Emit($"  soft-state {soft.Role} leader={soft.Leader}");
        }

        node.Advance();
        if (node.AppliedIndex > node.CommitIndex || node.CommitIndex > node.LastIndex)
        {
            throw new InvalidOperationException(
                $"Member {member.Id}: applied {node.AppliedIndex}, committed {node.CommitIndex}, last {node.LastIndex} are out of order.");
        }

        return true;
    }

    private void Apply(Member member, Entry entry)
    {
        if (entry.Index != member.AppliedIndex + 1)
        {
            throw new InvalidOperationException($"Member {member.Id} applied {entry.Index} after {member.AppliedIndex}.");
        }

        if (_appliedAt.TryGetValue(entry.Index, out var first))
        {
            if (first.Term != entry.Term || !first.Data.Span.SequenceEqual(entry.Data.Span))
            {
                throw new InvalidOperationException(
                    $"State Machine Safety: member {member.Id} applied {TraceFormat.Entry(entry)} where another applied {TraceFormat.Entry(first)}.");
            }
        }
        else
        {
            _appliedAt[entry.Index] = entry;
        }

        member.AppliedIndex = entry.Index;
        if (entry.Type == EntryType.Normal && entry.Data.Length > 0)
        {
            member.StateMachine[entry.Index] = Encoding.UTF8.GetString(entry.Data.Span);
        }
    }

    /// <summary>Steps the first <paramref name="limit"/> queued messages to <paramref name="to"/> that <paramref name="filter"/> selects. False if none.</summary>
    private bool Receive(ulong to, Func<Message, bool> filter, int limit = int.MaxValue)
    {
        var inbox = Inbox(to);
        var selected = inbox.Where(filter).Take(limit).ToArray();
        if (selected.Length == 0)
        {
            return false;
        }

        var taken = selected.ToHashSet(ReferenceEqualityComparer.Instance);
        inbox.RemoveAll(taken.Contains);
        var member = Get(to);
        Emit($"> {to} receives");
        foreach (var message in selected)
        {
            if (member.Down || _blocked.Contains((message.From, message.To)))
            {
                Emit($"  {TraceFormat.Message(message)} (dropped)");
                continue;
            }

            Emit("  " + TraceFormat.Message(message));
            Input(member, "    ", node => node.Step(message));
        }

        return true;
    }

    /// <summary>Processes and delivers among <paramref name="scope"/> until nothing moves, or for <paramref name="rounds"/> rounds if positive.</summary>
    private void Stabilize(IReadOnlyCollection<ulong> scope, int rounds)
    {
        for (var round = 0; round < MaxStabilizeRounds; round++)
        {
            if (rounds > 0 && round == rounds)
            {
                return;
            }

            var moved = false;
            foreach (var id in scope)
            {
                moved |= ProcessReady(Get(id));
            }

            foreach (var id in scope)
            {
                moved |= Receive(id, _ => true);
            }

            if (!moved)
            {
                return;
            }
        }

        throw new InvalidOperationException($"Messages were still flowing after {MaxStabilizeRounds} rounds.");
    }

    private List<Message> Inbox(ulong to)
    {
        if (!_inboxes.TryGetValue(to, out var inbox))
        {
            inbox = [];
            _inboxes[to] = inbox;
        }

        return inbox;
    }

    private string ReadName(ulong requestId) => _readNames.GetValueOrDefault(requestId, requestId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private sealed class Member(ulong id, MemoryLogStore storage)
    {
        public ulong Id { get; } = id;

        public MemoryLogStore Storage { get; set; } = storage;

        public RaftNode Node { get; set; } = null!;

        public bool Down { get; set; }

        /// <summary>How many times the member was started; varies the random seed of each start.</summary>
        public int Starts { get; set; }

        /// <summary>The state machine: the payload of each non-empty normal entry applied, by index.</summary>
        public SortedDictionary<ulong, string> StateMachine { get; } = [];

        public ulong AppliedIndex { get; set; }

        /// <summary>The snapshot payload: one <c>index:data</c> line per applied entry up to <paramref name="index"/>.</summary>
        public byte[] SnapshotData(ulong index) =>
            Encoding.UTF8.GetBytes(string.Join('\n', StateMachine.Where(p => p.Key <= index).Select(p => $"{p.Key}:{p.Value}")));

        public void RestoreStateMachine(Snapshot snapshot)
        {
            StateMachine.Clear();
            foreach (var line in Encoding.UTF8.GetString(snapshot.Data.Span).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                StateMachine[ulong.Parse(line[..colon], System.Globalization.CultureInfo.InvariantCulture)] = line[(colon + 1)..];
            }

            AppliedIndex = snapshot.Index;
        }
    }

    /// <summary>The options every member starts with; <c>add-nodes</c> sets them.</summary>
    private sealed record Settings
    {
        public int ElectionTicks { get; init; } = 10;

        public int HeartbeatTicks { get; init; } = 1;

        public bool PreVote { get; init; } = true;

        public bool CheckQuorum { get; init; } = true;

        public int MaxInflight { get; init; } = 256;

        public ulong MaxSizePerMessage { get; init; } = 1024 * 1024;

        public ulong MaxUncommitted { get; init; } = 64 * 1024 * 1024;

        public int Seed { get; init; } = 1;

        public RaftOptions ToOptions(ulong id, int starts, ulong applied) => new()
        {
            Id = id,
            ElectionTicks = ElectionTicks,
            HeartbeatTicks = HeartbeatTicks,
            PreVote = PreVote,
            CheckQuorum = CheckQuorum,
            MaxInflightMessages = MaxInflight,
            MaxSizePerMessage = MaxSizePerMessage,
            MaxUncommittedEntriesSize = MaxUncommitted,
            Applied = applied,
            Random = new Random(MixSeed(Seed, id, starts)),
        };

        /// <summary>
        /// A seed per member and start. <see cref="Random"/> seeded with nearby integers yields correlated first
        /// draws (every member would time out on the same tick), so the inputs are mixed first (SplitMix64's finalizer).
        /// </summary>
        private static int MixSeed(int seed, ulong id, int starts)
        {
            var z = unchecked(((ulong)seed << 40) ^ (id << 16) ^ (ulong)starts) + 0x9E3779B97F4A7C15UL;
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
            z ^= z >> 31;
            return (int)(z & int.MaxValue);
        }

        public override string ToString() =>
            $"election={ElectionTicks} heartbeat={HeartbeatTicks} prevote={PreVote.ToString().ToLowerInvariant()} " +
            $"checkquorum={CheckQuorum.ToString().ToLowerInvariant()} max-inflight={MaxInflight} max-msg-size={MaxSizePerMessage} " +
            $"max-uncommitted={MaxUncommitted} seed={Seed}";
    }
}
