namespace OrleansRaft.Core;

/// <summary>
/// The reference <see cref="IRaftLogReader"/>: a log held in memory, with the write operations a host
/// performs when it handles a <see cref="Ready"/>. Used by tests, the simulator and as the host's cache.
/// </summary>
/// <remarks>
/// Invariant: <c>_entries[0]</c> is a placeholder carrying the snapshot's index and term, and
/// <c>_entries[k].Index == _entries[0].Index + k</c>.
/// </remarks>
public sealed class MemoryLogStore : IRaftLogReader
{
    private readonly List<Entry> _entries = [new Entry(0, 0, EntryType.Normal, default)];
    private HardState _hardState;
    private Snapshot _snapshot = Snapshot.Empty;

    /// <summary>A store for a member of a new group whose initial membership is <paramref name="configuration"/>.</summary>
    public MemoryLogStore(MembershipConfiguration? configuration = null)
    {
        if (configuration is not null)
        {
            _snapshot = new Snapshot(new SnapshotMetadata(0, 0, configuration), ReadOnlyMemory<byte>.Empty);
        }
    }

    public HardState HardState => _hardState;

    public Snapshot Snapshot => _snapshot;

    public ulong FirstIndex => _entries[0].Index + 1;

    public ulong LastIndex => _entries[0].Index + (ulong)_entries.Count - 1;

    public RaftInitialState InitialState() => new(_hardState, _snapshot.Metadata.Configuration);

    public LogReadStatus TryGetTerm(ulong index, out ulong term)
    {
        term = 0;
        var offset = _entries[0].Index;
        if (index < offset)
        {
            return LogReadStatus.Compacted;
        }

        if (index - offset >= (ulong)_entries.Count)
        {
            return LogReadStatus.Unavailable;
        }

        term = _entries[(int)(index - offset)].Term;
        return LogReadStatus.Ok;
    }

    public LogReadStatus TryGetEntries(ulong low, ulong high, ulong maxBytes, List<Entry> destination)
    {
        var offset = _entries[0].Index;
        if (low <= offset)
        {
            return LogReadStatus.Compacted;
        }

        if (high > LastIndex + 1 || low > high)
        {
            return LogReadStatus.Unavailable;
        }

        ulong size = 0;
        for (var i = low; i < high; i++)
        {
            var entry = _entries[(int)(i - offset)];
            size += (ulong)entry.Size;
            if (i > low && size > maxBytes)
            {
                break;
            }

            destination.Add(entry);
        }

        return LogReadStatus.Ok;
    }

    public LogReadStatus TryGetSnapshot(out Snapshot snapshot)
    {
        snapshot = _snapshot;
        return LogReadStatus.Ok;
    }

    public void SetHardState(HardState hardState) => _hardState = hardState;

    /// <summary>
    /// Appends entries, first dropping any existing suffix from the first new index on (a conflicting tail).
    /// Entries at or before the snapshot are ignored. Throws when the entries would leave a gap.
    /// </summary>
    public void Append(IReadOnlyList<Entry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var first = FirstIndex;
        var last = entries[^1].Index;
        if (last < first)
        {
            return;
        }

        var skip = first > entries[0].Index ? (int)(first - entries[0].Index) : 0;
        var start = entries[skip].Index;
        if (start > LastIndex + 1)
        {
            throw new InvalidOperationException($"Appending at {start} would leave a gap after the last index {LastIndex}.");
        }

        var keep = (int)(start - _entries[0].Index);
        _entries.RemoveRange(keep, _entries.Count - keep);
        for (var i = skip; i < entries.Count; i++)
        {
            _entries.Add(entries[i]);
        }
    }

    /// <summary>Replaces the whole log with <paramref name="snapshot"/>; a snapshot older than the current one is ignored.</summary>
    public void ApplySnapshot(Snapshot snapshot)
    {
        if (snapshot.Index <= _snapshot.Index && !_snapshot.IsEmpty)
        {
            return;
        }

        _snapshot = snapshot;
        _entries.Clear();
        _entries.Add(new Entry(snapshot.Term, snapshot.Index, EntryType.Normal, default));
    }

    /// <summary>
    /// Records the application's snapshot taken after applying <paramref name="index"/>, then drops the log
    /// before it. The entry at <paramref name="index"/> must be in the log. <paramref name="configuration"/> is the
    /// membership in force at <paramref name="index"/> (<see cref="RaftNode.ConfigurationAt"/>), which may trail
    /// the one in force now.
    /// </summary>
    public Snapshot CreateSnapshot(ulong index, MembershipConfiguration configuration, ReadOnlyMemory<byte> data)
    {
        if (index <= _snapshot.Index)
        {
            throw new InvalidOperationException($"A snapshot at {index} is not newer than the current one at {_snapshot.Index}.");
        }

        if (TryGetTerm(index, out var term) != LogReadStatus.Ok)
        {
            throw new InvalidOperationException($"Cannot snapshot at {index}: the log holds {FirstIndex - 1}..{LastIndex}.");
        }

        _snapshot = new Snapshot(new SnapshotMetadata(index, term, configuration), data);
        Compact(index);
        return _snapshot;
    }

    /// <summary>Drops every entry before <paramref name="index"/>; the entry at <paramref name="index"/> becomes the placeholder.</summary>
    public void Compact(ulong index)
    {
        var offset = _entries[0].Index;
        if (index <= offset)
        {
            return;
        }

        if (index > LastIndex)
        {
            throw new InvalidOperationException($"Cannot compact to {index}: the last index is {LastIndex}.");
        }

        var drop = (int)(index - offset);
        var placeholder = _entries[drop] with { Type = EntryType.Normal, Data = default };
        _entries.RemoveRange(0, drop);
        _entries[0] = placeholder;
    }

    /// <summary>A copy of the whole store, for a simulated crash that keeps only what was persisted.</summary>
    public MemoryLogStore Clone()
    {
        var copy = new MemoryLogStore { _hardState = _hardState, _snapshot = _snapshot };
        copy._entries.Clear();
        copy._entries.AddRange(_entries);
        return copy;
    }
}
