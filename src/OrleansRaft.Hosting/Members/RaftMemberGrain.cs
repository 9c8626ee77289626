using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Storage;
using Orleans.Utilities;
using OrleansRaft.Abstractions;
using OrleansRaft.Core;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.Hosting.Diagnostics;
using OrleansRaft.Hosting.Groups;
using OrleansRaft.Hosting.Placement;
using OrleansRaft.Hosting.Quiescence;
using OrleansRaft.Hosting.Storage;
using OrleansRaft.Hosting.Transport;

namespace OrleansRaft.Hosting.Members;

/// <summary>
/// One Raft member: drives a <see cref="RaftNode"/> with a grain timer, persists through an
/// <see cref="IRaftLogStore"/>, talks to its peers with one-way grain calls and applies to its state machine.
/// </summary>
/// <remarks>
/// <para><b>Concurrency.</b> The grain is reentrant, and every call runs on the activation's single scheduler, so
/// code between two awaits never races. Calls that touch the core (messages, ticks, proposals, reads) only step it
/// synchronously and then make sure the Ready loop runs. Exactly one Ready loop runs at a time
/// (<see cref="_loop"/>); what arrives while it awaits a write goes into the next Ready, so proposals batch
/// naturally. An idle leader whose callers come back together gathers their proposals briefly before it writes
/// (<see cref="OrleansRaftOptions.GroupCommitWindow"/>), so that they share one write. Peers are called one-way, so two members calling each other never wait on each other.</para>
///
/// <para><b>State machine.</b> The member owns an in-activation <see cref="IRaftStateMachine"/> from the factory
/// registered for the group's type. On start it restores the state machine from the log's snapshot and tells the
/// core that index is applied; the core then hands out exactly the entries after it. Snapshots are taken from the
/// state machine itself, so the applied index is persisted with the state it describes.</para>
/// </remarks>
[Reentrant]
[RaftGroupPlacement]
internal sealed partial class RaftMemberGrain : Grain, IRaftMemberGrain
{
    private readonly OrleansRaftOptions _options;
    private ImmutableDictionary<string, ImmutableArray<string>>? _siloEndpoints;
    private readonly ILogger<RaftMemberGrain> _logger;
    private readonly RaftMetrics _metrics;
    private readonly IRaftMessageFilter _filter;
    private readonly ObserverManager<IRaftCommitObserver> _observers;
    private readonly RaftLocalMembers _localMembers;
    private readonly RaftQuietFollowers _quietFollowers;
    private readonly RaftOutbox? _outbox;
    private readonly SiloAddress _silo;
    private readonly string _siloName;

    private RaftMemberKey _key;
    private string _name = "";
    private Task? _starting;
    private RaftNode? _node;
    private IRaftLogStore? _store;
    private RaftLogStoreReader? _reader;
    private IRaftStateMachine? _stateMachine;
    private IGrainTimer? _timer;
    private Task? _loop;
    private Exception? _failure;
    private ulong _applied;

    public RaftMemberGrain(
        IOptions<OrleansRaftOptions> options,
        ILogger<RaftMemberGrain> logger,
        RaftMetrics metrics,
        IRaftMessageFilter filter,
        RaftLocalMembers localMembers,
        RaftQuietFollowers quietFollowers,
        RaftOutbox outbox,
        ILocalSiloDetails silo)
    {
        _localMembers = localMembers;
        _quietFollowers = quietFollowers;
        _silo = silo.SiloAddress;
        _siloName = silo.Name;
        _options = options.Value;
        _outbox = _options.CoalesceMessages ? outbox : null;
        _logger = logger;
        _metrics = metrics;
        _filter = filter;
        _observers = new ObserverManager<IRaftCommitObserver>(_options.ObserverExpiration, logger);
    }

    /// <summary>Where this member's log lives.</summary>
    private IGrainStorage Storage => ServiceProvider.GetRequiredKeyedService<IGrainStorage>(_options.StorageProviderName);

    /// <summary>Where the group's record and this member's silo binding live: storage every silo reads.</summary>
    private IGrainStorage GroupStorage => ServiceProvider.GetRequiredKeyedService<IGrainStorage>(_options.GroupStorage);

    private RaftNode Node => _node ?? throw new InvalidOperationException($"Raft member {_name} has not started.");

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _name = this.GetPrimaryKeyString();
        _key = RaftMemberKey.Parse(_name);
        if (_migratedHere)
        {
            // A start that fails deactivates this activation, and the next call starts afresh.
            EnsureStartedAsync().Ignore();
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _deactivating = true;
        _localMembers.Remove(_name);
        StopTimers();
        _failure ??= new InvalidOperationException($"Raft member {_name} deactivated ({reason.Description}).");
        FailPendingRequests(_failure);
        SignalApplied();

        // Subscriptions live in the activation: they end with it.
        CountingObservers(_observers.Clear);
        if (_loop is { } loop)
        {
            // Let a write in flight finish, so that the next activation finds the log as this one left it.
            try
            {
                await loop.WaitAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or RaftLogStoreException or InvalidOperationException)
            {
                // The loop reported its own failure; the deactivation goes on regardless.
            }
        }

        if (_compaction is { } compaction)
        {
            // A snapshot's data still being written ends before the next activation loads the log; the manifest
            // announces it, so that load collects it.
            try
            {
                await compaction.Written.WaitAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or RaftLogStoreException or InvalidOperationException)
            {
            }
        }

        if (_store is GrainStorageRaftLogStore store)
        {
            // Finish collecting compacted records while this activation can still run; what is left over stays listed
            // in the manifest for the next load.
            try
            {
                await store.Collection.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public async Task<RaftMemberStatus> GetStatusAsync()
    {
        await EnsureStartedAsync();
        await CheckClaimWhileQuietAsync();
        if (_claimLost)
        {
            // Another activation holds the member: this one's picture is of the past.
            ThrowIfFailed();
        }

        var node = Node;
        return new RaftMemberStatus(
            _key.GroupId,
            _key.MemberId,
            (RaftMemberRole)node.Role,
            node.Term,
            node.Leader,
            node.CommitIndex,
            _applied,
            _store!.FirstIndex,
            _store.LastIndex,
            _reader!.Snapshot.Index,
            RuntimeIdentity)
        {
            Quiescent = node.IsQuiescent,
            SiloEndpoints = _siloEndpoints ??= _options.AdvertisedEndpoints.ToImmutableDictionary(e => e.Key, e => e.Value.ToImmutableArray(), StringComparer.Ordinal),
        };
    }

    public async Task SubscribeAsync(IRaftCommitObserver observer)
    {
        await EnsureStartedAsync();
        CountingObservers(() => _observers.Subscribe(observer, observer));
    }

    public Task UnsubscribeAsync(IRaftCommitObserver observer)
    {
        CountingObservers(() => _observers.Unsubscribe(observer));
        return Task.CompletedTask;
    }

    /// <summary>Runs <paramref name="change"/> on the observers and reports how their number changed.</summary>
    private void CountingObservers(Action change)
    {
        var before = _observers.Count;
        change();
        var delta = _observers.Count - before;
        if (delta != 0)
        {
            _metrics.Observers.Add(delta, new("orleansraft.group", _key.GroupId), new("orleansraft.member", (long)_key.MemberId));
        }
    }

    public async Task<bool> TransferLeadershipAsync(ulong target)
    {
        await EnsureStartedAsync();
        ThrowIfFailed();
        NoteRequest();
        var status = Node.TransferLeadership(target);
        Kick();
        return status is TransferStatus.Started or TransferStatus.AlreadyInProgress;
    }

    /// <summary>Starts the member once per activation; concurrent callers share the start.</summary>
    private Task EnsureStartedAsync()
    {
        _starting ??= StartAsync();
        return _starting;
    }

    private async Task StartAsync()
    {
        try
        {
            var storage = Storage;
            var (group, _) = await RaftGroupRecords.ReadAsync(GroupStorage, _key.GroupId);
            if (group is null || group.Deleting)
            {
                throw new RaftGroupNotFoundException(_key.GroupId);
            }

            if (!group.Lists(_key.MemberId))
            {
                throw new RaftMemberNotFoundException(_key.GroupId, _key.MemberId, [.. group.AllMembers()]);
            }

            var stateMachine = ServiceProvider.GetKeyedService<IRaftStateMachine>(group.StateMachineType)
                ?? throw new InvalidOperationException(
                    $"Raft group '{_key.GroupId}' uses state machine type '{group.StateMachineType}', which is not registered on silo {RuntimeIdentity}.");

            if (_options.BindMembersToSilos)
            {
                await ClaimSiloAsync(group);
            }

            var store = new GrainStorageRaftLogStore(storage, group.StorageKeyOf(_key), logger: _logger);
            var loaded = await store.LoadAsync();
            if (loaded.Snapshot.Index == 0 && loaded.Snapshot.Configuration.IsEmpty && store.LastIndex == 0 && group.MayBootstrap(_key.MemberId))
            {
                // A member of a created group that never wrote anything: record the initial membership, so that this
                // member (and only a member of a created group) may campaign. A member that joins later starts with no
                // membership at all, and learns it from the leader's log or snapshot.
                var configuration = new MembershipConfiguration(group.Members);
                await store.InstallSnapshotAsync(new Snapshot(new SnapshotMetadata(0, 0, configuration), ReadOnlyMemory<byte>.Empty));
                RaftLogMessages.Bootstrapped(_logger, _name, configuration.ToString());
            }

            var snapshot = await store.ReadSnapshotAsync();
            if (snapshot.Index > 0)
            {
                stateMachine.Restore(snapshot.Data);
            }

            _recordMembers = [.. group.AllMembers()];
            _store = store;
            _stateMachine = stateMachine;
            _reader = new RaftLogStoreReader(store, snapshot);
            _applied = snapshot.Index;
            _node = new RaftNode(
                new RaftOptions
                {
                    Id = _key.MemberId,
                    ElectionTicks = _options.ElectionTicks,
                    HeartbeatTicks = _options.HeartbeatTicks,
                    PreVote = _options.PreVote,
                    CheckQuorum = _options.CheckQuorum,
                    MaxSizePerMessage = (ulong)_options.MaxBytesPerMessage,
                    MaxInflightMessages = _options.MaxInflightMessages,
                    MaxCommittedSizePerReady = (ulong)_options.MaxCommittedBytesPerApply,
                    MaxUncommittedEntriesSize = (ulong)_options.MaxUncommittedBytes,
                    Applied = snapshot.Index,
                },
                _reader);
            _appliedMembership = _node.ConfigurationAt(snapshot.Index);
            _timer = StartTickTimer();

            // A quiet member runs no timer that would keep it alive; it stays activated, so that its silo can wake it
            // and its peers find it where they left it.
            DelayDeactivation(TimeSpan.MaxValue);
            _localMembers.Add(_name, this);
            RaftLogMessages.MemberStarted(_logger, _name, RuntimeIdentity, _node.Term, snapshot.Index, store.LastIndex, _node.CommitIndex);
        }
        catch (Exception e) when (StorageFailures.IsUnavailable(e))
        {
            // The driver's exception stays here: its type may not cross a grain call, and its text describes the silo's insides.
            RaftLogMessages.StorageUnavailable(_logger, _name, $"{e.GetType().Name}: {e.Message}");
            this.DeactivateOnIdle();
            throw new RaftStorageUnavailableException(_name);
        }
        catch
        {
            // A member that cannot start is of no use in this activation; the next call starts afresh.
            this.DeactivateOnIdle();
            throw;
        }
    }

    /// <summary>
    /// Binds this member to this silo on its first start, or checks that it is bound here: its log is in this silo's
    /// storage only. An activation elsewhere (placed while the binding was not yet readable) refuses to run.
    /// </summary>
    private async Task ClaimSiloAsync(RaftGroupRecord group)
    {
        var bound = await RaftMemberSilos.ClaimAsync(GroupStorage, group.StorageKeyOf(_key), _siloName);
        if (!string.Equals(bound, _siloName, StringComparison.Ordinal))
        {
            throw new RaftStorageUnavailableException(_name, $"its log is kept by silo '{bound}', not by '{_siloName}'");
        }
    }

    private Task OnTick(CancellationToken cancellationToken)
    {
        if (_node is not null && _failure is null)
        {
            _node.Tick();
            TickLeaderClock(_node, proposing: false);
            MaybeQuiesce(_node);
            if (!_node.IsQuiescent)
            {
                WarmPeers(_node);
            }

            Kick();
        }

        return Task.CompletedTask;
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw FailureForCallers(_failure, "failed and is restarting");
        }
    }

    /// <summary>
    /// What callers are told of <paramref name="cause"/>: an exception every caller can deserialize, without the cause
    /// itself (a storage driver's exception may not be serializable on a client) and without its text.
    /// </summary>
    private Exception FailureForCallers(Exception cause, string what) => StorageFailures.IsUnavailable(cause)
        ? new RaftStorageUnavailableException(_name)
        : new InvalidOperationException($"Raft member {_name} {what}; retry.");

    /// <summary>Stops this activation for good: fail what waits, and let the next activation reload the log.</summary>
    private void Fail(Exception exception)
    {
        if (_failure is not null)
        {
            return;
        }

        _failure = exception;
        RaftLogMessages.MemberFailed(_logger, _name, $"{exception.GetType().Name}: {exception.Message}", exception);
        StopTimers();
        FailPendingRequests(exception);
        this.DeactivateOnIdle();
    }
}
