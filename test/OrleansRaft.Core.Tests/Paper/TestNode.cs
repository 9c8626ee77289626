using System.Text;

namespace OrleansRaft.Core.Tests.Paper;

/// <summary>
/// One member driven by hand: the test steps it and ticks it, and <see cref="Drain"/> handles its Readies the
/// way a host would (install the snapshot, persist entries and hard state, apply, advance). Unlike
/// <see cref="Harness.RaftHarness"/>, nothing is delivered anywhere: the test decides what every peer answers.
/// </summary>
internal sealed class TestNode
{
    private readonly List<Entry> _applied = [];
    private readonly List<ReadState> _readStates = [];

    /// <param name="log">Entries already persisted when the member starts, indexes from 1.</param>
    /// <param name="hardState">Hard state persisted when the member starts.</param>
    public TestNode(ulong id, ulong[] voters, Action<RaftOptions>? configure = null, IReadOnlyList<Entry>? log = null, HardState? hardState = null)
    {
        Storage = new MemoryLogStore(new MembershipConfiguration(voters));
        if (log is not null)
        {
            Storage.Append(log);
        }

        if (hardState is { } state)
        {
            Storage.SetHardState(state);
        }

        var options = BasicOptions(id);
        configure?.Invoke(options);
        Node = new RaftNode(options, Storage);
    }

    public RaftNode Node { get; }

    /// <summary>The messages of the Readies drained while a factory set this member up (vote requests, or a new leader's first appends).</summary>
    public List<Message> StartMessages { get; private set; } = [];

    public MemoryLogStore Storage { get; }

    /// <summary>Every committed entry handed out for applying so far, in order.</summary>
    public IReadOnlyList<Entry> Applied => _applied;

    public IReadOnlyList<ReadState> ReadStates => _readStates;

    /// <summary>
    /// The options of the basic algorithm of the paper: pre-vote and check-quorum off, an election timeout of
    /// 10 ticks, heartbeats every tick, and a seeded random source.
    /// </summary>
    public static RaftOptions BasicOptions(ulong id) => new()
    {
        Id = id,
        ElectionTicks = 10,
        HeartbeatTicks = 1,
        PreVote = false,
        CheckQuorum = false,
        Random = new Random(1000 + (int)id),
    };

    /// <summary>A follower in <paramref name="term"/> with the given log, nothing committed.</summary>
    public static TestNode Follower(ulong id, ulong[] voters, ulong term = 0, IReadOnlyList<Entry>? log = null, Action<RaftOptions>? configure = null) =>
        new(id, voters, configure, log, new HardState(term, 0, 0));

    /// <summary>
    /// A member that has just started an election from <paramref name="term"/> and sent its vote requests: a candidate
    /// in term + 1, or with pre-vote on a pre-candidate still in <paramref name="term"/>.
    /// </summary>
    public static TestNode Candidate(ulong id, ulong[] voters, ulong term = 0, IReadOnlyList<Entry>? log = null, Action<RaftOptions>? configure = null)
    {
        var node = Follower(id, voters, term, log, configure);
        node.Node.Campaign();
        node.StartMessages = node.Drain();
        return node;
    }

    /// <summary>
    /// A member elected in term + 1 with the votes (and pre-votes) of the other voters. Its first Ready (the appends of its
    /// empty entry) has been drained; the followers have not answered yet.
    /// </summary>
    public static TestNode Leader(ulong id, ulong[] voters, ulong term = 0, IReadOnlyList<Entry>? log = null, Action<RaftOptions>? configure = null)
    {
        var node = Candidate(id, voters, term, log, configure);
        if (node.Node.Role == RaftRole.PreCandidate)
        {
            GrantVotes(node, voters, MessageType.PreVoteResponse, node.Node.Term + 1);
            node.Drain();
        }

        GrantVotes(node, voters, MessageType.VoteResponse, node.Node.Term);
        node.StartMessages = node.Drain();
        return node;
    }

    private static void GrantVotes(TestNode node, ulong[] voters, MessageType type, ulong term)
    {
        // Grants stop mattering once the election they answer is won.
        var campaigning = type == MessageType.PreVoteResponse ? RaftRole.PreCandidate : RaftRole.Candidate;
        foreach (var voter in voters.Where(v => v != node.Node.Id))
        {
            if (node.Node.Role != campaigning)
            {
                return;
            }

            node.Node.Step(Msg.VoteGrant(voter, node.Node.Id, term, type));
        }
    }

    public void Step(Message message) => Node.Step(message);

    public void Tick(int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            Node.Tick();
        }
    }

    /// <summary>Handles every Ready the member has, and returns the messages they carried, in order.</summary>
    public List<Message> Drain() => DrainReadies().SelectMany(r => r.Messages).ToList();

    /// <summary>Handles every Ready the member has, and returns them.</summary>
    public List<Ready> DrainReadies()
    {
        var readies = new List<Ready>();
        while (Node.HasReady)
        {
            var ready = Node.GetReady();
            if (ready.Snapshot is { } snapshot)
            {
                Storage.ApplySnapshot(snapshot);
            }

            Storage.Append(ready.Entries);
            if (ready.HardState is { } hardState)
            {
                Storage.SetHardState(hardState);
            }

            _applied.AddRange(ready.CommittedEntries);
            _readStates.AddRange(ready.ReadStates);
            Node.Advance();
            readies.Add(ready);
        }

        return readies;
    }

    /// <summary>The terms of the persisted entries after the snapshot, in index order.</summary>
    public ulong[] PersistedTerms() => Logs.Terms(Storage);
}

/// <summary>Builders for log entries, and readers of a persisted log.</summary>
internal static class Logs
{
    public static Entry E(ulong term, ulong index, string data = "") =>
        new(term, index, EntryType.Normal, Encoding.UTF8.GetBytes(data));

    /// <summary>A log whose entry at index i+1 has term <paramref name="terms"/>[i].</summary>
    public static Entry[] OfTerms(params ulong[] terms) =>
        terms.Select((term, i) => E(term, (ulong)i + 1, $"{term}.{i + 1}")).ToArray();

    public static List<Entry> Entries(MemoryLogStore storage)
    {
        var entries = new List<Entry>();
        if (storage.LastIndex >= storage.FirstIndex)
        {
            var status = storage.TryGetEntries(storage.FirstIndex, storage.LastIndex + 1, ulong.MaxValue, entries);
            if (status != LogReadStatus.Ok)
            {
                throw new InvalidOperationException($"Reading the whole log returned {status}.");
            }
        }

        return entries;
    }

    public static ulong[] Terms(MemoryLogStore storage) => Entries(storage).Select(e => e.Term).ToArray();

    public static string Text(Entry entry) => Encoding.UTF8.GetString(entry.Data.Span);
}

/// <summary>Builders for the messages a test feeds a member.</summary>
internal static class Msg
{
    public static Message Append(ulong from, ulong to, ulong term, ulong prevIndex, ulong prevTerm, Entry[]? entries = null, ulong commit = 0) => new()
    {
        Type = MessageType.Append,
        From = from,
        To = to,
        Term = term,
        Index = prevIndex,
        LogTerm = prevTerm,
        Entries = entries ?? [],
        Commit = commit,
    };

    public static Message AppendAck(ulong from, ulong to, ulong term, ulong index) =>
        new() { Type = MessageType.AppendResponse, From = from, To = to, Term = term, Index = index };

    public static Message AppendReject(ulong from, ulong to, ulong term, ulong rejectedIndex, ulong hintIndex, ulong hintTerm) => new()
    {
        Type = MessageType.AppendResponse,
        From = from,
        To = to,
        Term = term,
        Index = rejectedIndex,
        Reject = true,
        RejectHint = hintIndex,
        LogTerm = hintTerm,
    };

    public static Message Vote(ulong from, ulong to, ulong term, ulong lastIndex, ulong lastTerm, MessageType type = MessageType.Vote) =>
        new() { Type = type, From = from, To = to, Term = term, Index = lastIndex, LogTerm = lastTerm };

    public static Message VoteGrant(ulong from, ulong to, ulong term, MessageType type = MessageType.VoteResponse) =>
        new() { Type = type, From = from, To = to, Term = term };

    public static Message VoteReject(ulong from, ulong to, ulong term, MessageType type = MessageType.VoteResponse) =>
        new() { Type = type, From = from, To = to, Term = term, Reject = true };

    public static Message Heartbeat(ulong from, ulong to, ulong term, ulong commit = 0, ulong round = 0) =>
        new() { Type = MessageType.Heartbeat, From = from, To = to, Term = term, Commit = commit, Context = round };

    public static Message HeartbeatAck(ulong from, ulong to, ulong term, ulong round = 0) =>
        new() { Type = MessageType.HeartbeatResponse, From = from, To = to, Term = term, Context = round };

    public static Message InstallSnapshot(ulong from, ulong to, ulong term, Snapshot snapshot) =>
        new() { Type = MessageType.InstallSnapshot, From = from, To = to, Term = term, Snapshot = snapshot };

    /// <summary>The messages (of <paramref name="type"/>, if given) as their one-line text, for exact comparison.</summary>
    public static string[] Describe(IEnumerable<Message> messages, MessageType? type = null) =>
        messages.Where(m => type is null || m.Type == type).Select(m => m.ToString()).ToArray();
}
