using OrleansRaft.Abstractions;
using OrleansRaft.Core;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.Hosting.Diagnostics;
using OrleansRaft.Hosting.Storage;

namespace OrleansRaft.Hosting.Members;

internal sealed partial class RaftMemberGrain
{
    /// <summary>What an entry costs in the log beyond its data (index, term, type, framing), for <see cref="_appliedSinceSnapshot"/>.</summary>
    private const int EntryOverhead = 32;

    /// <summary>The core's term when the Ready being handled was taken; reads registered in it or before are judged by it.</summary>
    private ulong _readyTerm;

    /// <summary>
    /// Bytes of the entries applied since the last snapshot this member took or installed (or since it started, which
    /// counts the entries it replays): what <see cref="OrleansRaftOptions.SnapshotLogRatio"/> weighs against that snapshot.
    /// </summary>
    private long _appliedSinceSnapshot;

    /// <summary>This member's own snapshot while the store writes its data, until the Ready loop installs it.</summary>
    private PendingCompaction? _compaction;

    /// <summary>Whether a snapshot this member took is written and waits for the Ready loop to install it.</summary>
    private bool CompactionDue => _compaction is { Written.IsCompleted: true };

    /// <summary>
    /// Starts the Ready loop unless it runs already; it drains every Ready the core has. A loop still gathering
    /// proposals starts at once if waiting would hold up more than those proposals (see <see cref="MustNotGather"/>).
    /// </summary>
    private void Kick()
    {
        SyncTimers();
        if (_gathering is { } gathering)
        {
            if (MustNotGather())
            {
                EndGathering(gathering);
            }

            return;
        }

        if (_loop is null && _failure is null && _node is { } node && (node.HasReady || CompactionDue))
        {
            _loop = RunReadyLoopAsync(null, TimeSpan.Zero);
        }
    }

    private async Task RunReadyLoopAsync(TaskCompletionSource? gathering, TimeSpan window)
    {
        try
        {
            // Yield first, so that the caller that kicked the loop returns before the first write starts, and has set
            // _loop before the loop can end and clear it: a loop that ran to its end synchronously would stay set for good.
            await Task.Yield();
            if (gathering is not null)
            {
                await GatherAsync(gathering, window);
            }

            while (_failure is null && (Node.HasReady || CompactionDue))
            {
                if (Node.HasReady)
                {
                    _readyTerm = Node.Term;
                    var ready = Node.GetReady();
                    await HandleReadyAsync(ready);
                    Node.Advance();
                }

                await MaybeCompactAsync();
            }
        }
        catch (Exception e)
        {
            Fail(e);
        }
        finally
        {
            _loop = null;
        }
    }

    /// <summary>Persist, send, apply, in the order <see cref="Ready"/> prescribes.</summary>
    private async Task HandleReadyAsync(Ready ready)
    {
        var role = Node.Role == RaftRole.Leader ? "leader" : "follower";
        using var span = RaftTracing.Source.StartActivity(RaftTracing.Ready)?
            .SetTag(RaftTracing.RoleTag, role).SetTag(RaftTracing.CountTag, ready.Entries.Count);
        var store = _store!;
        var hardState = ready.HardState;
        var termOrVoteChanges = hardState is { } h && (h.Term != store.HardState.Term || h.Vote != store.HardState.Vote);

        // A leader's appends and heartbeats acknowledge nothing of its own pending write, so they may leave before it
        // (Raft thesis §10.2.1): the core counts the leader's own copy only after Advance. Everything else (votes,
        // acknowledgements) waits for the write, and so does all of it when the term or vote is still to be persisted.
        var early = !termOrVoteChanges && ready.Snapshot is null;
        var deferred = early ? SendLeaderTraffic(ready.Messages) : ready.Messages;

        if (ready.Snapshot is { } snapshot)
        {
            // The store drops a snapshot of this member's own that it was still writing: this one is newer.
            _compaction = null;
            await store.InstallSnapshotAsync(snapshot, ready.Entries.Count == 0 ? hardState : null);
            _reader!.Snapshot = snapshot;
            _stateMachine!.Restore(snapshot.Data);
            _applied = snapshot.Index;
            _appliedSinceSnapshot = 0;
            SignalApplied();
            RaftLogMessages.SnapshotInstalled(_logger, _name, snapshot.Index);
            if (ready.Entries.Count == 0)
            {
                hardState = null;
            }
        }

        if (ready.Entries.Count > 0)
        {
            _metrics.AppendBatch.Record(ready.Entries.Count, new KeyValuePair<string, object?>(RaftTracing.RoleTag, role));
            await WriteLogAsync(store, ready.Entries, hardState, role);
        }
        else if (termOrVoteChanges && hardState is { } changed)
        {
            await WriteLogAsync(store, [], changed, role);
        }

        // A change of the commit index alone is not written: the commit index is volatile in Raft, and the next write
        // carries it anyway.
        Send(deferred);

        if (ready.CommittedEntries.Count > 0)
        {
            Apply(ready.CommittedEntries);
        }

        foreach (var readState in ready.ReadStates)
        {
            OnReadState(readState);
        }

        ReleaseAppliedReads();
        OnMembership(ready);
        if (ready.SoftState is { } soft)
        {
            OnSoftState(soft);
        }
    }

    private static async Task WriteLogAsync(IRaftLogStore store, IReadOnlyList<Entry> entries, HardState? hardState, string role)
    {
        using var span = RaftTracing.Source.StartActivity(RaftTracing.LogWrite)?
            .SetTag(RaftTracing.RoleTag, role).SetTag(RaftTracing.CountTag, entries.Count);
        await store.AppendAsync(entries, hardState);
    }

    private void OnSoftState(SoftState soft)
    {
        RaftLogMessages.RoleChanged(_logger, _name, soft.Role.ToString(), Node.Term, soft.Leader);
        switch (soft.Role)
        {
            case RaftRole.Leader:
                _metrics.LeadersElected.Add(1);
                break;
            case RaftRole.Candidate:
                _metrics.ElectionsStarted.Add(1);
                DropReads(upToTerm: _readyTerm);
                break;
            default:
                // The core drops the ReadIndex requests of a leadership it loses; answer them rather than let them time
                // out. A read registered after GetReady belongs to a later term: becoming leader again takes a new term.
                DropReads(upToTerm: _readyTerm);
                break;
        }
    }

    /// <summary>Applies committed entries in order, answers their proposers and notifies observers.</summary>
    private void Apply(IReadOnlyList<Entry> committed)
    {
        using var span = RaftTracing.Source.StartActivity(RaftTracing.Apply)?.SetTag(RaftTracing.CountTag, committed.Count);
        var commands = new List<RaftCommittedEntry>(committed.Count);
        foreach (var entry in committed)
        {
            _appliedSinceSnapshot += entry.Data.Length + EntryOverhead;
            if (entry.Type == EntryType.Normal && !entry.Data.IsEmpty)
            {
                commands.Add(new RaftCommittedEntry(entry.Index, entry.Term, entry.Data));
            }
        }

        var results = commands.Count == 0 ? [] : new ReadOnlyMemory<byte>[commands.Count];
        if (commands.Count > 0)
        {
            _stateMachine!.Apply(commands, results);
        }

        var first = committed[0].Index;
        _applied = committed[^1].Index;
        SignalApplied();
        _metrics.EntriesApplied.Add(committed.Count);
        _metrics.ApplyLag.Record((long)(Node.CommitIndex - _applied));

        var command = 0;
        var answered = 0;
        foreach (var entry in committed)
        {
            var isCommand = command < commands.Count && commands[command].Index == entry.Index;
            var result = isCommand ? results[command++] : ReadOnlyMemory<byte>.Empty;
            if (_proposals.Remove(entry.Index, out var proposal))
            {
                if (proposal.Term == entry.Term)
                {
                    _metrics.ProposalsCommitted.Add(1);
                    answered++;
                    proposal.Completion.TrySetResult(new RaftProposeResult(RaftRequestStatus.Ok, entry.Index, _key.MemberId, result));
                }
                else
                {
                    proposal.Completion.TrySetResult(new RaftProposeResult(RaftRequestStatus.Dropped, entry.Index, Node.Leader, default));
                }
            }
        }

        if (answered > 0)
        {
            GroupCommit.OnAnswered(answered, Now);
        }

        if (_observers.Count > 0)
        {
            var notification = new RaftCommitNotification(_key.GroupId, _key.MemberId, first, _applied, [.. commands]);
            // One-way calls: the synchronous overload sends them all and drops expired observers before it returns.
            CountingObservers(() => _observers.Notify(o => { _ = o.OnCommittedAsync(notification); }));
        }
    }

    /// <summary>
    /// Snapshots the state machine and compacts the log each time the applied index crosses a multiple of
    /// <see cref="OrleansRaftOptions.SnapshotEveryEntries"/>, shifted by a phase that depends on the member id, once
    /// the entries applied since the last snapshot weigh <see cref="OrleansRaftOptions.SnapshotLogRatio"/> times it.
    /// </summary>
    /// <remarks>
    /// The state machine's snapshot is taken on this turn, at the applied index; the store writes its data in the
    /// background (<see cref="IRaftLogStore.PrepareSnapshotAsync"/>) while the Ready loop goes on appending,
    /// heartbeating and applying, and a later pass of the loop installs it, which only swaps the manifest. So a large
    /// state holds up the loop for the time it takes to serialize, not to write: a leader stalled for the whole write
    /// would miss its heartbeats and could be deposed. Members apply the same entries, so without the phase every
    /// member of a group would compact at the same index and spend the same CPU and writes at once; with it, the
    /// members of a group of three compact a third of the interval apart.
    /// </remarks>
    private async Task MaybeCompactAsync()
    {
        var reader = _reader!;
        if (_failure is not null)
        {
            return;
        }

        if (_compaction is { } pending)
        {
            if (!pending.Written.IsCompleted)
            {
                return;
            }

            _compaction = null;
            // A failed write faulted the store: the loop fails here as it would on a failed append.
            await pending.Written;
            await _store!.InstallSnapshotAsync(pending.Snapshot);
            reader.Snapshot = pending.Snapshot;
            RaftLogMessages.Compacted(_logger, _name, pending.Snapshot.Index, pending.Snapshot.Data.Length);
            return;
        }

        var every = (ulong)_options.SnapshotEveryEntries;
        if (every == 0)
        {
            return;
        }

        var phase = every * ((_key.MemberId - 1) % 3) / 3;
        if ((_applied + phase) / every <= (reader.Snapshot.Index + phase) / every)
        {
            return;
        }

        // Each member weighs what it applied since its own last snapshot, taken at its own phase: the members of a group
        // stay as far apart as their first snapshots were.
        if (_appliedSinceSnapshot < _options.SnapshotLogRatio * reader.Snapshot.Data.Length)
        {
            return;
        }

        if (reader.TryGetTerm(_applied, out var term) != LogReadStatus.Ok)
        {
            return;
        }

        var data = _stateMachine!.Snapshot();
        var snapshot = new Snapshot(new SnapshotMetadata(_applied, term, Node.ConfigurationAt(_applied)), data);
        _appliedSinceSnapshot = 0;
        var written = _store!.PrepareSnapshotAsync(snapshot);
        _compaction = new PendingCompaction(snapshot, written);
        KickOnceWritten(written).Ignore();
    }

    /// <summary>Starts the Ready loop to install the snapshot once its data is written, should the loop have ended by then.</summary>
    private async Task KickOnceWritten(Task written)
    {
        try
        {
            await written;
        }
        finally
        {
            // A failed write too: the loop meets the failure when it comes to install the snapshot, and fails there.
            Kick();
        }
    }

    /// <summary>A snapshot of this member's own state and the write of its data.</summary>
    private sealed record PendingCompaction(Snapshot Snapshot, Task Written);
}
