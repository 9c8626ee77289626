using OrleansRaft.Core;

namespace OrleansRaft.Simulation;

/// <summary>
/// A member and its host: durable storage that survives crashes, the Raft node and the state machine that do
/// not, and the host loop that handles one Ready at a time (persist after a simulated disk latency, then send,
/// apply and advance). While a Ready is being persisted the node keeps stepping messages and taking requests.
/// </summary>
internal sealed class SimNode
{
    private readonly Dictionary<ulong, (ClientOperation Operation, SimClient Client, ulong Term)> _proposals = [];
    private readonly Dictionary<ulong, (ClientOperation Operation, SimClient Client)> _reads = [];
    private readonly List<(ulong Index, ClientOperation Operation, SimClient Client)> _confirmedReads = [];
    private Ready? _ready;
    private IReadOnlyList<Message> _deferred = [];
    private long _persistAt;
    private ulong _nextRequestId;

    private readonly NodeEnvironment _environment;

    public SimNode(ulong id, MembershipConfiguration configuration, NodeEnvironment environment)
    {
        Id = id;
        _environment = environment;
        Storage = new MemoryLogStore(configuration);
    }

    public ulong Id { get; }

    /// <summary>What survives a crash.</summary>
    public MemoryLogStore Storage { get; }

    public RaftNode Raft { get; private set; } = null!;

    public KvStateMachine Machine { get; private set; } = new();

    public bool Up { get; private set; }

    /// <summary>Removed from the group and deleted: it never restarts, and no longer counts anywhere.</summary>
    public bool Retired { get; private set; }

    /// <summary>Deletes a member whose removal is committed (or that never joined): it stops for good.</summary>
    public void Retire()
    {
        Crash();
        Retired = true;
    }

    public void Start(RaftOptions options)
    {
        Machine = new KvStateMachine();
        Machine.Restore(Storage.Snapshot.Data.Span, Storage.Snapshot.Index);
        options.Applied = Machine.AppliedIndex;
        Raft = new RaftNode(options, Storage);
        Up = true;
    }

    /// <summary>Loses everything not persisted: the node, the state machine, the Ready being written, and client requests.</summary>
    public void Crash()
    {
        Up = false;
        _ready = null;
        _deferred = [];
        _proposals.Clear();
        _reads.Clear();
        _confirmedReads.Clear();
    }

    /// <summary>True when no client request waits on this member and no Ready is being written: its host may let it quiesce.</summary>
    public bool Idle => _ready is null && _proposals.Count == 0 && _reads.Count == 0 && _confirmedReads.Count == 0;

    public void HandleClient(SimClient client, ClientOperation operation, long now)
    {
        if (operation.Kind == OperationKind.Get && _environment.ServeReadsLocally)
        {
            _environment.Complete(client, operation, Machine.Get(operation.Key), now, Id);
            return;
        }

        if (operation.Kind == OperationKind.Get)
        {
            var requestId = ++_nextRequestId;
            if (Raft.ReadIndex(requestId) == ReadIndexStatus.NotLeader)
            {
                Redirect(client, now);
                return;
            }

            _reads[requestId] = (operation, client);
            client.AwaitingMember = true;
            return;
        }

        var result = Raft.Propose(operation.Encode());
        if (!result.IsAccepted)
        {
            Redirect(client, now);
            return;
        }

        _proposals[result.Index] = (operation, client, result.Term);
        client.AwaitingMember = true;
    }

    private void Redirect(SimClient client, long now)
    {
        client.LeaderGuess = Raft.Leader;
        client.NextActionAt = now + 5;
    }

    /// <summary>Moves the host loop forward: finishes the Ready being written once its write completes, then takes the next.</summary>
    public void Pump(long now)
    {
        for (var guard = 0; guard < 8; guard++)
        {
            if (_ready is not null)
            {
                if (now < _persistAt)
                {
                    return;
                }

                Complete(now);
            }

            if (!Raft.HasReady)
            {
                return;
            }

            _ready = Raft.GetReady();
            _environment.Invariants.OnReady(this, _ready);
            _deferred = _environment.Parameters.LeaderSendsBeforeWrite ? SendLeaderTrafficEarly(_ready, now) : _ready.Messages;
            _persistAt = now + _environment.Random.Next(_environment.Parameters.MaxDiskLatency + 1);
        }
    }

    private void Complete(long now)
    {
        var (network, invariants, complete) = (_environment.Network, _environment.Invariants, _environment.Complete);
        var snapshotEvery = _environment.Parameters.SnapshotEvery;
        var ready = _ready!;
        _ready = null;

        // 1. Persist: snapshot, entries, hard state.
        if (ready.Snapshot is { } snapshot)
        {
            Storage.ApplySnapshot(snapshot);
        }

        Storage.Append(ready.Entries);
        if (ready.HardState is { } hardState)
        {
            Storage.SetHardState(hardState);
        }

        // 2. Send.
        foreach (var message in _deferred)
        {
            var sent = network.Send(message, now);
            if (message.Type == MessageType.InstallSnapshot)
            {
                Raft.ReportSnapshot(message.To, sent);
            }
        }

        // 3. Apply.
        if (ready.Snapshot is { } installed)
        {
            Machine.Restore(installed.Data.Span, installed.Index);
            invariants.OnSnapshotInstalled(this, installed);
        }

        foreach (var entry in ready.CommittedEntries)
        {
            invariants.OnApply(this, entry);
            if (entry.Index != Machine.AppliedIndex + 1)
            {
                throw new PropertyViolation("Apply order", $"member {Id} applied {entry.Index} after {Machine.AppliedIndex}");
            }

            Machine.AppliedIndex = entry.Index;
            string? result = null;
            if (entry.Type == EntryType.Normal && entry.Data.Length > 0)
            {
                result = Machine.Apply(entry.Data.Span);
                _environment.Applied(System.Text.Encoding.UTF8.GetString(entry.Data.Span), result, now);
            }

            if (_proposals.Remove(entry.Index, out var proposal))
            {
                if (proposal.Term == entry.Term)
                {
                    complete(proposal.Client, proposal.Operation, result, now, Id);
                }
                else if (ReferenceEquals(proposal.Client.Current, proposal.Operation))
                {
                    // Another entry took this index: ours can never commit, so the client may safely retry
                    // (unless it has given up on this operation and moved on to another).
                    proposal.Client.AwaitingMember = false;
                    proposal.Client.NextActionAt = now + 5;
                }
            }
        }

        foreach (var readState in ready.ReadStates)
        {
            if (_reads.Remove(readState.RequestId, out var read))
            {
                _confirmedReads.Add((readState.Index, read.Operation, read.Client));
            }
        }

        ServeReads(now, complete);
        Raft.Advance();

        if (snapshotEvery > 0 && Machine.AppliedIndex >= Storage.Snapshot.Index + (ulong)snapshotEvery)
        {
            // The snapshot records the membership in force at its own index, which may trail the one in force now.
            Storage.CreateSnapshot(Machine.AppliedIndex, Raft.ConfigurationAt(Machine.AppliedIndex), Machine.Snapshot());
        }
    }

    /// <summary>
    /// The hosting layer's optimization (Raft thesis §10.2.1): a leader's appends and heartbeats leave before its own
    /// write, unless the Ready still has a term or vote to persist. Returns the messages that must wait for the write.
    /// </summary>
    private IReadOnlyList<Message> SendLeaderTrafficEarly(Ready ready, long now)
    {
        var hardState = ready.HardState;
        if (ready.Snapshot is not null || (hardState is { } h && (h.Term != Storage.HardState.Term || h.Vote != Storage.HardState.Vote)))
        {
            return ready.Messages;
        }

        var later = new List<Message>();
        foreach (var message in ready.Messages)
        {
            if (message.Type is MessageType.Append or MessageType.Heartbeat)
            {
                _environment.Network.Send(message, now);
            }
            else
            {
                later.Add(message);
            }
        }

        return later;
    }

    private void ServeReads(long now, Action<SimClient, ClientOperation, string?, long, ulong> complete)
    {
        for (var i = 0; i < _confirmedReads.Count; i++)
        {
            var (index, operation, client) = _confirmedReads[i];
            if (index <= Machine.AppliedIndex)
            {
                complete(client, operation, Machine.Get(operation.Key), now, Id);
                _confirmedReads.RemoveAt(i);
                i--;
            }
        }
    }
}
