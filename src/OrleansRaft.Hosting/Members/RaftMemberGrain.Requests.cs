using OrleansRaft.Abstractions;
using OrleansRaft.Core;

namespace OrleansRaft.Hosting.Members;

internal sealed partial class RaftMemberGrain
{
    /// <summary>A proposal accepted at an index, waiting for that index to be applied. It is ours iff the applied entry has <see cref="Term"/>.</summary>
    private readonly record struct PendingProposal(ulong Term, TaskCompletionSource<RaftProposeResult> Completion);

    /// <summary>A ReadIndex request registered with the core while this member led in <see cref="Term"/>.</summary>
    private readonly record struct PendingRead(ulong Term, TaskCompletionSource<RaftReadResult> Completion);

    private readonly Dictionary<ulong, PendingProposal> _proposals = [];
    private readonly Dictionary<ulong, PendingRead> _reads = [];

    /// <summary>Confirmed reads waiting for the state machine to apply their index, by that index.</summary>
    private readonly PriorityQueue<(ulong Index, TaskCompletionSource<RaftReadResult> Completion), ulong> _readsAwaitingApply = new();

    private ulong _nextReadId;

    public async Task<RaftProposeResult> ProposeAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken = default)
    {
        var credential = TakeCredential();
        if (command.IsEmpty)
        {
            throw new ArgumentException("A command must not be empty: empty entries are the leader's own.", nameof(command));
        }

        using var span = RaftTracing.Source.StartActivity(RaftTracing.Propose);
        await EnsureStartedAsync();
        ThrowIfFailed();
        cancellationToken.ThrowIfCancellationRequested();
        var node = Node;
        if (Refusal(command, isCommand: true, credential) is { } refused)
        {
            return new RaftProposeResult(RaftRequestStatus.Ok, 0, node.Leader, refused);
        }

        NoteRequest();

        // A command may read the replicated clock (a lease grant, a session's use): move it first if it is stale.
        TickLeaderClock(node, proposing: true);
        var proposed = node.Propose(command);
        switch (proposed.Status)
        {
            case ProposeStatus.NotLeader:
                return new RaftProposeResult(RaftRequestStatus.NotLeader, 0, proposed.LeaderHint, default);
            case ProposeStatus.LeadershipTransferInProgress or ProposeStatus.UncommittedLimitExceeded:
                return new RaftProposeResult(RaftRequestStatus.Busy, 0, node.Leader, default);
            case ProposeStatus.TooLarge:
                throw new ArgumentException(
                    $"A command of {command.Length} bytes exceeds MaxUncommittedBytes ({_options.MaxUncommittedBytes}) and can never be accepted.", nameof(command));
        }

        var completion = new TaskCompletionSource<RaftProposeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _proposals[proposed.Index] = new PendingProposal(proposed.Term, completion);
        KickForProposal();
        try
        {
            return await completion.Task.WaitAsync(_options.RequestTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            Forget(proposed.Index, completion);
            throw new TimeoutException(
                $"The proposal at index {proposed.Index} of {_name} was not applied within {_options.RequestTimeout}; it may still commit.");
        }
        catch (OperationCanceledException)
        {
            Forget(proposed.Index, completion);
            throw;
        }
    }

    public async Task<RaftReadResult> ReadIndexAsync(CancellationToken cancellationToken = default)
    {
        await EnsureStartedAsync();
        ThrowIfFailed();
        cancellationToken.ThrowIfCancellationRequested();
        var node = Node;
        NoteRequest();
        var id = ++_nextReadId;
        if (node.ReadIndex(id) == ReadIndexStatus.NotLeader)
        {
            return new RaftReadResult(RaftRequestStatus.NotLeader, 0, node.Leader, default);
        }

        var completion = new TaskCompletionSource<RaftReadResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _reads[id] = new PendingRead(node.Term, completion);
        Kick();
        try
        {
            return await completion.Task.WaitAsync(_options.RequestTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            _reads.Remove(id);
            throw new TimeoutException($"The read of {_name} was not confirmed within {_options.RequestTimeout}.");
        }
        catch (OperationCanceledException)
        {
            _reads.Remove(id);
            throw;
        }
    }

    public async Task<RaftReadResult> ReadAsync(ReadOnlyMemory<byte> query, CancellationToken cancellationToken = default)
    {
        var credential = TakeCredential();
        await EnsureStartedAsync();
        ThrowIfFailed();
        if (Refusal(query, isCommand: false, credential) is { } refused)
        {
            return new RaftReadResult(RaftRequestStatus.Ok, 0, Node.Leader, refused);
        }

        var read = await ReadIndexAsync(cancellationToken);
        if (!read.IsOk)
        {
            return read;
        }

        // Applied has reached the read index and may only have moved on since: the answer is at least as fresh.
        return read with { Result = _stateMachine!.Query(query) };
    }

    public async Task<RaftReadResult> ReadLocalAsync(ReadOnlyMemory<byte> query)
    {
        var credential = TakeCredential();
        await EnsureStartedAsync();
        await CheckClaimWhileQuietAsync();
        ThrowIfFailed();
        var node = Node;
        return new RaftReadResult(RaftRequestStatus.Ok, _applied, node.Leader, Refusal(query, isCommand: false, credential) ?? _stateMachine!.Query(query))
        {
            Commit = Math.Max(node.CommitIndex, _applied),
            LeaderSilence = LeaderSilence(node),
        };
    }

    public async Task<RaftCommittedRange> ReadCommittedAsync(ulong from, ulong to)
    {
        await EnsureStartedAsync();
        await CheckClaimWhileQuietAsync();
        ThrowIfFailed();
        var store = _store!;
        var first = store.FirstIndex;
        var low = Math.Max(from, first);
        var high = Math.Min(to, _applied);
        var entries = new List<Entry>();
        if (low <= high)
        {
            await store.ReadEntriesAsync(low, high + 1, (ulong)_options.MaxBytesPerMessage, entries);
        }

        var through = entries.Count > 0 ? entries[^1].Index : Math.Max(high, from == 0 ? 0 : from - 1);
        var commands = entries
            .Where(e => e.Type == EntryType.Normal && !e.Data.IsEmpty)
            .Select(e => new RaftCommittedEntry(e.Index, e.Term, e.Data))
            .ToArray();
        return new RaftCommittedRange(commands, first, through, _applied);
    }

    /// <summary>The state machine's refusal of the call (<see cref="IRaftRequestGate"/>), or null to go on.</summary>
    private ReadOnlyMemory<byte>? Refusal(ReadOnlyMemory<byte> request, bool isCommand, string? credential) =>
        _stateMachine is IRaftRequestGate gate ? gate.Refuse(_key.GroupId, request, isCommand, credential) : null;

    /// <summary>
    /// The call's credential, taken out of its request context: it is for the gate alone, and must not ride along on
    /// the calls this member makes from here on (Raft messages, a loop started by this call), which Orleans would
    /// otherwise send it with.
    /// </summary>
    private static string? TakeCredential()
    {
        var credential = RaftCallerCredential.Current;
        if (credential is not null)
        {
            RequestContext.Remove(RaftCallerCredential.RequestContextKey);
        }

        return credential;
    }

    private void OnReadState(ReadState readState)
    {
        if (!_reads.Remove(readState.RequestId, out var read))
        {
            return;
        }

        if (readState.Index <= _applied)
        {
            read.Completion.TrySetResult(new RaftReadResult(RaftRequestStatus.Ok, readState.Index, _key.MemberId, default));
        }
        else
        {
            _readsAwaitingApply.Enqueue((readState.Index, read.Completion), readState.Index);
        }
    }

    private void ReleaseAppliedReads()
    {
        while (_readsAwaitingApply.TryPeek(out var read, out var index) && index <= _applied)
        {
            _readsAwaitingApply.Dequeue();
            read.Completion.TrySetResult(new RaftReadResult(RaftRequestStatus.Ok, index, _key.MemberId, default));
        }
    }

    /// <summary>Answers Dropped to the reads registered while leading in a term at most <paramref name="upToTerm"/>.</summary>
    private void DropReads(ulong upToTerm)
    {
        foreach (var (id, read) in _reads.Where(r => r.Value.Term <= upToTerm).ToArray())
        {
            _reads.Remove(id);
            read.Completion.TrySetResult(new RaftReadResult(RaftRequestStatus.Dropped, 0, Node.Leader, default));
        }
    }

    private void Forget(ulong index, TaskCompletionSource<RaftProposeResult> completion)
    {
        if (_proposals.TryGetValue(index, out var pending) && pending.Completion == completion)
        {
            _proposals.Remove(index);
        }
    }

    private void FailPendingRequests(Exception exception)
    {
        // Callers are often clients, where a storage driver's exception type (for example Npgsql's) may not be
        // serializable: that would turn a retryable failure into a codec error. The log has the cause.
        var failure = FailureForCallers(exception, "stopped before answering");
        foreach (var proposal in _proposals.Values)
        {
            proposal.Completion.TrySetException(failure);
        }

        foreach (var read in _reads.Values)
        {
            read.Completion.TrySetException(failure);
        }

        while (_readsAwaitingApply.TryDequeue(out var read, out _))
        {
            read.Completion.TrySetException(failure);
        }

        _proposals.Clear();
        _reads.Clear();
    }
}
