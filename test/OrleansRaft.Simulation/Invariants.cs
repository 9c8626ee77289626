using OrleansRaft.Core;

namespace OrleansRaft.Simulation;

/// <summary>
/// The safety properties of Raft, checked as the run goes. Each check throws <see cref="PropertyViolation"/>
/// naming the property at the first step that breaks it.
/// </summary>
/// <remarks>
/// Under membership changes, Election Safety is checked across every member that ever ran, whatever membership it
/// believed in: at most one leader per term. The checks that depend on quorums use the membership in force: a
/// candidate's chances are judged by the voters of its own configuration, and durability by the voters of the
/// latest committed configuration.
/// </remarks>
internal sealed class Invariants(IReadOnlyList<SimNode> nodes)
{
    private readonly Dictionary<ulong, ulong> _leaderOfTerm = [];
    private readonly Dictionary<(ulong Index, ulong Term), (string Data, ulong PreviousTerm)> _entries = [];
    private readonly Dictionary<ulong, (ulong Term, string Data)> _committed = [];
    private readonly Dictionary<ulong, (ulong Term, string Data)> _applied = [];
    private readonly Dictionary<ulong, ulong> _leaderSeenInTerm = [];
    private readonly Dictionary<ulong, ulong> _commitSeen = [];
    private readonly Dictionary<ulong, (ulong FirstIndex, ulong LastIndex, ulong SnapshotIndex, MembershipConfiguration Configuration)> _durableConfigurations = [];

    /// <summary>The latest committed membership, and the index of the entry (or snapshot) that carries it.</summary>
    private (ulong Index, MembershipConfiguration Configuration)? _committedConfiguration;

    public long CommittedCount => _committed.Count;

    public ulong HighestCommitted { get; private set; }

    /// <summary>Checks that hold at every step: Election Safety, Leader Completeness, commit stability, and index order.</summary>
    public void CheckStep()
    {
        foreach (var node in nodes)
        {
            if (!node.Up)
            {
                continue;
            }

            var raft = node.Raft;
            if (!(raft.AppliedIndex <= raft.CommitIndex && raft.CommitIndex <= raft.LastIndex))
            {
                throw new PropertyViolation("Index order", $"member {node.Id}: applied {raft.AppliedIndex}, committed {raft.CommitIndex}, last {raft.LastIndex}");
            }

            RecordCommits(node);

            if (raft.IsQuiescent && raft.Role == RaftRole.Leader && raft.CommitIndex != raft.LastIndex)
            {
                throw new PropertyViolation("Quiescence", $"member {node.Id} is a quiet leader with entries up to {raft.LastIndex} but only {raft.CommitIndex} committed");
            }

            if (raft.Role == RaftRole.Leader)
            {
                if (_leaderOfTerm.TryGetValue(raft.Term, out var other) && other != node.Id)
                {
                    throw new PropertyViolation("Election Safety", $"members {other} and {node.Id} both lead term {raft.Term}");
                }

                _leaderOfTerm[raft.Term] = node.Id;
                if (!_leaderSeenInTerm.TryGetValue(node.Id, out var seen) || seen != raft.Term)
                {
                    _leaderSeenInTerm[node.Id] = raft.Term;
                    CheckLeaderCompleteness(node);
                }
            }
        }
    }

    /// <summary>
    /// Leader Completeness, looking ahead: a member whose log lacks a committed entry must be unable to win an
    /// election. Raft's proof guarantees this: every member of the quorum that stores the entry has a log more
    /// up to date than any log without it, so it would refuse its vote. Voters are judged by their durable log
    /// (what they would restart with, the least they could hold), candidates by everything they hold.
    /// This catches a commit-rule bug at the moment of the bad commit, not only once a schedule exploits it.
    /// </summary>
    public void CheckCommittedEntriesAreSafe()
    {
        if (!_committed.TryGetValue(HighestCommitted, out var highest))
        {
            return;
        }

        foreach (var candidate in nodes)
        {
            if (candidate.Retired)
            {
                continue;
            }

            // A member campaigns only as a voter of the membership in force in its own log, and wins by a quorum of it.
            var configuration = candidate.Up ? candidate.Raft.Configuration : DurableConfiguration(candidate);
            if (!configuration.IsVoter(candidate.Id))
            {
                continue;
            }

            var quorum = configuration.Voters.Count / 2 + 1;
            var (lastIndex, lastTerm, holds) = candidate.Up
                ? (candidate.Raft.LastIndex, candidate.Raft.Log.LastTerm, HoldsCommitted(candidate.Raft.Log.FirstIndex, candidate.Raft.Log.TermOrZero(HighestCommitted), highest.Term))
                : (candidate.Storage.LastIndex, DurableLastTerm(candidate), HoldsCommitted(candidate.Storage.FirstIndex, DurableTerm(candidate, HighestCommitted), highest.Term));
            if (holds)
            {
                continue;
            }

            var votes = 0;
            foreach (var voterId in configuration.Voters)
            {
                var voter = Node(voterId);
                if (voter is null || voter.Retired)
                {
                    continue;
                }

                var voterTerm = DurableLastTerm(voter);
                if (lastTerm > voterTerm || (lastTerm == voterTerm && lastIndex >= voter.Storage.LastIndex))
                {
                    votes++;
                }
            }

            if (votes >= quorum)
            {
                throw new PropertyViolation(
                    "Leader Completeness",
                    $"member {candidate.Id} (last {lastTerm}/{lastIndex}) lacks committed entry {highest.Term}/{HighestCommitted} yet could win {votes} votes");
            }
        }
    }

    private SimNode? Node(ulong id) => id >= 1 && id <= (ulong)nodes.Count ? nodes[(int)id - 1] : null;

    /// <summary>The membership a down member would restart with: its snapshot's, then its persisted log's configuration entries.</summary>
    private MembershipConfiguration DurableConfiguration(SimNode node)
    {
        var storage = node.Storage;
        if (_durableConfigurations.TryGetValue(node.Id, out var cached) &&
            cached.FirstIndex == storage.FirstIndex && cached.LastIndex == storage.LastIndex && cached.SnapshotIndex == storage.Snapshot.Index)
        {
            return cached.Configuration;
        }

        var configuration = storage.Snapshot.Metadata.Configuration;
        var entries = new List<Entry>();
        storage.TryGetEntries(storage.FirstIndex, storage.LastIndex + 1, ulong.MaxValue, entries);
        foreach (var entry in entries)
        {
            if (entry.Type == EntryType.Configuration)
            {
                configuration = MembershipConfiguration.Decode(entry.Data.Span);
            }
        }

        _durableConfigurations[node.Id] = (storage.FirstIndex, storage.LastIndex, storage.Snapshot.Index, configuration);
        return configuration;
    }

    private bool HoldsCommitted(ulong firstIndex, ulong term, ulong committedTerm) =>
        HighestCommitted < firstIndex || term == committedTerm;

    private static ulong DurableLastTerm(SimNode node) => DurableTerm(node, node.Storage.LastIndex);

    private static ulong DurableTerm(SimNode node, ulong index) =>
        node.Storage.TryGetTerm(index, out var term) == LogReadStatus.Ok ? term : 0;

    /// <summary>Log Matching, checked on every entry a member is about to persist.</summary>
    public void OnReady(SimNode node, Ready ready)
    {
        var entries = ready.Entries;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var previousTerm = i > 0 ? entries[i - 1].Term : node.Raft.Log.TermOrZero(entry.Index - 1);
            var data = Describe(entry);
            if (_entries.TryGetValue((entry.Index, entry.Term), out var known))
            {
                if (known.Data != data || known.PreviousTerm != previousTerm)
                {
                    throw new PropertyViolation(
                        "Log Matching",
                        $"member {node.Id} holds entry {entry.Term}/{entry.Index} = '{data}' after term {previousTerm}, another member '{known.Data}' after term {known.PreviousTerm}");
                }
            }
            else
            {
                _entries[(entry.Index, entry.Term)] = (data, previousTerm);
            }
        }
    }

    /// <summary>State Machine Safety: no two members apply different entries at one index.</summary>
    public void OnApply(SimNode node, Entry entry)
    {
        var data = Describe(entry);
        if (_applied.TryGetValue(entry.Index, out var known))
        {
            if (known.Term != entry.Term || known.Data != data)
            {
                throw new PropertyViolation(
                    "State Machine Safety",
                    $"member {node.Id} applied {entry.Term}/{entry.Index} '{data}', another member applied {known.Term}/{entry.Index} '{known.Data}'");
            }
        }
        else
        {
            _applied[entry.Index] = (entry.Term, data);
        }

        if (_committed.TryGetValue(entry.Index, out var committed) && committed.Term != entry.Term)
        {
            throw new PropertyViolation("State Machine Safety", $"member {node.Id} applied {entry.Term}/{entry.Index}, but {committed.Term}/{entry.Index} was committed");
        }
    }

    public void OnSnapshotInstalled(SimNode node, Snapshot snapshot)
    {
        if (_committed.TryGetValue(snapshot.Index, out var committed) && committed.Term != snapshot.Term)
        {
            throw new PropertyViolation("State Machine Safety", $"member {node.Id} installed a snapshot at {snapshot.Term}/{snapshot.Index}, but {committed.Term}/{snapshot.Index} was committed");
        }
    }

    /// <summary>A member restarted: what it knows is committed starts again from its persisted hard state.</summary>
    public void OnRestart(SimNode node) => _commitSeen[node.Id] = node.Raft.CommitIndex;

    /// <summary>
    /// No committed entry is lost: every committed entry is durable on a quorum of the voters of the latest
    /// committed membership, in their persisted log or folded into their persisted snapshot.
    /// </summary>
    /// <remarks>
    /// Entries up to that membership's own entry are on a majority of it, since the majority that stored the entry
    /// stored everything before it. A later entry may have been committed by the next membership, one member more or
    /// fewer and not yet known here to be committed; any majority of that one holds at least half the voters of this
    /// one, rounded up, which is the bound checked (a majority when the count of voters is odd).
    /// </remarks>
    public void CheckDurability(ulong from)
    {
        var voters = _committedConfiguration is { } committedConfiguration
            ? committedConfiguration.Configuration.Voters.Select(Node).OfType<SimNode>().ToList()
            : nodes.ToList();
        var quorum = (voters.Count + 1) / 2;
        for (var index = Math.Max(from, 1); index <= HighestCommitted; index++)
        {
            if (!_committed.TryGetValue(index, out var committed))
            {
                continue;
            }

            var copies = 0;
            foreach (var node in voters)
            {
                var storage = node.Storage;
                if (storage.Snapshot.Index >= index ||
                    (storage.TryGetTerm(index, out var term) == LogReadStatus.Ok && term == committed.Term))
                {
                    copies++;
                }
            }

            if (copies < quorum)
            {
                throw new PropertyViolation("Committed entry lost", $"entry {committed.Term}/{index} is committed but durable on only {copies} members");
            }
        }
    }

    private void RecordCommits(SimNode node)
    {
        var raft = node.Raft;
        var seen = _commitSeen.GetValueOrDefault(node.Id);
        if (raft.CommitIndex <= seen)
        {
            return;
        }

        if (raft.Log.FirstIndex > seen + 1 && raft.Log.TryGetSnapshot(out var snapshot) == LogReadStatus.Ok)
        {
            // The member skipped entries folded into a snapshot: its membership is committed at the snapshot's index.
            RecordCommittedConfiguration(snapshot.Index, snapshot.Metadata.Configuration);
        }

        for (var index = Math.Max(seen + 1, raft.Log.FirstIndex); index <= raft.CommitIndex; index++)
        {
            var term = raft.Log.TermOrZero(index);
            var entries = new List<Entry>(1);
            raft.Log.Slice(index, index + 1, ulong.MaxValue, entries);
            var data = Describe(entries[0]);
            if (entries[0].Type == EntryType.Configuration)
            {
                RecordCommittedConfiguration(index, MembershipConfiguration.Decode(entries[0].Data.Span));
            }

            if (_committed.TryGetValue(index, out var known))
            {
                if (known.Term != term || known.Data != data)
                {
                    throw new PropertyViolation("Committed entry lost", $"member {node.Id} commits {term}/{index} '{data}', but {known.Term}/{index} '{known.Data}' was committed before");
                }
            }
            else
            {
                _committed[index] = (term, data);
            }
        }

        _commitSeen[node.Id] = raft.CommitIndex;
        HighestCommitted = Math.Max(HighestCommitted, raft.CommitIndex);
    }

    /// <summary>The latest membership known to be committed, from any member's commit index or snapshot.</summary>
    public MembershipConfiguration CommittedConfiguration => _committedConfiguration?.Configuration ?? MembershipConfiguration.Empty;

    /// <summary>The membership the group was created with, committed by definition.</summary>
    public void SetInitialConfiguration(MembershipConfiguration configuration) => RecordCommittedConfiguration(0, configuration);

    private void RecordCommittedConfiguration(ulong index, MembershipConfiguration configuration)
    {
        if (!configuration.IsEmpty && (_committedConfiguration is not { } known || known.Index < index || (index == 0 && known.Index == 0)))
        {
            _committedConfiguration = (index, configuration);
        }
    }

    /// <summary>Leader Completeness: a new leader's log holds every entry committed so far.</summary>
    private void CheckLeaderCompleteness(SimNode node)
    {
        var log = node.Raft.Log;
        for (var index = log.FirstIndex; index <= HighestCommitted; index++)
        {
            if (_committed.TryGetValue(index, out var committed) && log.TermOrZero(index) != committed.Term)
            {
                throw new PropertyViolation(
                    "Leader Completeness",
                    $"member {node.Id} leads term {node.Raft.Term} without committed entry {committed.Term}/{index} (it has term {log.TermOrZero(index)} there)");
            }
        }
    }

    private static string Describe(Entry entry) => entry switch
    {
        { Type: EntryType.Configuration } => $"{entry.Type}:{MembershipConfiguration.Decode(entry.Data.Span)}",
        { Data.Length: 0 } => $"{entry.Type}:",
        _ => $"{entry.Type}:{System.Text.Encoding.UTF8.GetString(entry.Data.Span)}",
    };
}
