using OrleansRaft.Core;

namespace OrleansRaft.Hosting.Storage;

/// <summary>
/// Where <see cref="InMemoryRaftLogStore"/> instances of one member keep what they persist. It outlives the
/// instances, so a test can drop an instance and load the member again, as after a restart.
/// </summary>
public sealed class InMemoryRaftLogMedium
{
    private readonly Lock _lock = new();
    private readonly LogCache _log = new();
    private ReadOnlyMemory<byte> _snapshotData;
    private ulong _epoch;

    internal ulong Claim(out RaftLogState state)
    {
        lock (_lock)
        {
            state = new RaftLogState(_log.HardState, _log.Snapshot, _log.CopyEntries());
            return ++_epoch;
        }
    }

    internal ReadOnlyMemory<byte> SnapshotData
    {
        get
        {
            lock (_lock)
            {
                return _snapshotData;
            }
        }
    }

    /// <summary>Fails when a claim later than <paramref name="epoch"/> fenced the instance that holds it.</summary>
    internal void CheckClaim(ulong epoch, string member)
    {
        lock (_lock)
        {
            if (epoch != _epoch)
            {
                throw new RaftLogConflictException(member, $"this instance loaded as claim {epoch}, the log is now at claim {_epoch}.");
            }
        }
    }

    /// <summary>Applies one write of the instance that claimed <paramref name="epoch"/>, atomically; fails when a later claim fenced it.</summary>
    internal void Write(ulong epoch, string member, Action<LogCache> change, ReadOnlyMemory<byte>? snapshotData = null)
    {
        lock (_lock)
        {
            if (epoch != _epoch)
            {
                throw new RaftLogConflictException(member, $"this instance loaded as claim {epoch}, the log is now at claim {_epoch}.");
            }

            change(_log);
            if (snapshotData is { } data)
            {
                _snapshotData = data;
            }
        }
    }
}

/// <summary>
/// The reference <see cref="IRaftLogStore"/>: every write lands in an <see cref="InMemoryRaftLogMedium"/>
/// at once and atomically. Used by tests and simulations, and as the model the durable stores must match.
/// </summary>
public sealed class InMemoryRaftLogStore : IRaftLogStore
{
    private readonly InMemoryRaftLogMedium _medium;
    private readonly string _member;
    private readonly LogCache _log = new();
    private ulong _epoch;
    private bool _faulted;

    public InMemoryRaftLogStore(InMemoryRaftLogMedium medium, string member)
    {
        _medium = medium ?? throw new ArgumentNullException(nameof(medium));
        _member = member ?? throw new ArgumentNullException(nameof(member));
    }

    public HardState HardState => _log.HardState;

    public SnapshotMetadata SnapshotMetadata => _log.Snapshot;

    public ulong FirstIndex => _log.FirstIndex;

    public ulong LastIndex => _log.LastIndex;

    public Task<RaftLogState> LoadAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_epoch != 0)
        {
            throw new InvalidOperationException($"The log of {_member} is already loaded by this instance.");
        }

        _epoch = _medium.Claim(out var state);
        _log.InstallSnapshot(state.Snapshot, keepSuffix: false);
        _log.Append(state.Entries, 0);
        _log.HardState = state.HardState;
        return Task.FromResult(state);
    }

    public ValueTask AppendAsync(IReadOnlyList<Entry> entries, HardState? hardState = null, CancellationToken cancellationToken = default)
    {
        EnsureUsable(cancellationToken);
        var skip = _log.CheckAppend(entries, hardState);
        var writesEntries = skip < entries.Count;
        if (!writesEntries && (hardState is null || hardState == _log.HardState))
        {
            return ValueTask.CompletedTask;
        }

        Write(log =>
        {
            log.Append(entries, skip);
            log.HardState = hardState ?? log.HardState;
        });
        return ValueTask.CompletedTask;
    }

    public ValueTask TruncateSuffixAsync(ulong fromIndex, CancellationToken cancellationToken = default)
    {
        EnsureUsable(cancellationToken);
        _log.CheckTruncate(fromIndex);
        if (fromIndex <= _log.LastIndex)
        {
            Write(log => log.TruncateFrom(fromIndex));
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask InstallSnapshotAsync(Snapshot snapshot, HardState? hardState = null, CancellationToken cancellationToken = default)
    {
        EnsureUsable(cancellationToken);
        var keep = _log.CheckSnapshot(snapshot, hardState);
        Write(
            log =>
            {
                log.InstallSnapshot(snapshot.Metadata, keep);
                log.HardState = hardState ?? log.HardState;
            },
            snapshot.Data);
        return ValueTask.CompletedTask;
    }

    public Task CheckClaimAsync(CancellationToken cancellationToken = default)
    {
        EnsureUsable(cancellationToken);
        try
        {
            _medium.CheckClaim(_epoch, _member);
        }
        catch
        {
            _faulted = true;
            throw;
        }

        return Task.CompletedTask;
    }

    /// <summary>Memory has nothing to write ahead: the install does it all.</summary>
    public Task PrepareSnapshotAsync(Snapshot snapshot, CancellationToken cancellationToken = default)
    {
        EnsureUsable(cancellationToken);
        ArgumentNullException.ThrowIfNull(snapshot);
        return Task.CompletedTask;
    }

    public ValueTask<Snapshot> ReadSnapshotAsync(CancellationToken cancellationToken = default)
    {
        EnsureUsable(cancellationToken);
        return ValueTask.FromResult(new Snapshot(_log.Snapshot, _medium.SnapshotData));
    }

    public ValueTask<ulong> ReadTermAsync(ulong index, CancellationToken cancellationToken = default)
    {
        EnsureUsable(cancellationToken);
        return ValueTask.FromResult(_log.Term(index));
    }

    public ValueTask ReadEntriesAsync(ulong low, ulong high, ulong maxBytes, List<Entry> destination, CancellationToken cancellationToken = default)
    {
        EnsureUsable(cancellationToken);
        _log.ReadEntries(low, high, maxBytes, destination);
        return ValueTask.CompletedTask;
    }

    /// <summary>Applies a checked change to the medium, then to this instance's view.</summary>
    private void Write(Action<LogCache> change, ReadOnlyMemory<byte>? snapshotData = null)
    {
        try
        {
            _medium.Write(_epoch, _member, change, snapshotData);
        }
        catch
        {
            _faulted = true;
            throw;
        }

        change(_log);
    }

    private void EnsureUsable(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_epoch == 0)
        {
            throw new InvalidOperationException($"Load the log of {_member} before using it.");
        }

        if (_faulted)
        {
            throw new InvalidOperationException($"The log store of {_member} failed a write; load the member again with a new instance.");
        }
    }
}
