namespace OrleansRaft.Core.Log;

/// <summary>
/// The log as one sequence: the durable part served by <see cref="IRaftLogReader"/>, followed by the
/// <see cref="UnstableLog"/> not yet persisted.
/// </summary>
/// <remarks>
/// Invariant: <c>Applied &lt;= Applying &lt;= Committed &lt;= LastIndex</c>. Committed never decreases.
/// </remarks>
internal sealed class RaftLog
{
    /// <summary>The most entries <see cref="_takeBuffer"/> keeps room for between Readies.</summary>
    private const int MaxRetainedTakeBuffer = 4096;

    private readonly IRaftLogReader _storage;
    private readonly ulong _maxApplyingBytes;

    /// <summary>Scratch space of <see cref="TakeNextCommittedEntries"/>; empty between calls.</summary>
    private List<Entry> _takeBuffer = [];

    public RaftLog(IRaftLogReader storage, ulong maxApplyingBytes)
    {
        _storage = storage;
        _maxApplyingBytes = maxApplyingBytes;
        var first = storage.FirstIndex;
        Unstable = new UnstableLog(storage.LastIndex + 1);
        Committed = first - 1;
        Applied = first - 1;
        Applying = first - 1;
        Configurations = new ConfigurationHistory(first - 1, MembershipConfiguration.Empty);
    }

    /// <summary>
    /// On start: <paramref name="configuration"/> was in force at the snapshot; the configuration entries in the
    /// persisted log after it are read back, so that the configuration in force is the last one in the log.
    /// </summary>
    public void InitializeConfigurations(MembershipConfiguration configuration)
    {
        Configurations.Reset(FirstIndex - 1, configuration);
        var buffer = new List<Entry>();
        for (var low = FirstIndex; low <= LastIndex;)
        {
            buffer.Clear();
            var status = _storage.TryGetEntries(low, LastIndex + 1, 4 * 1024 * 1024, buffer);
            if (status != LogReadStatus.Ok || buffer.Count == 0)
            {
                throw new InvalidOperationException($"The persisted log cannot be read from {low} to {LastIndex} ({status}) to find its configurations.");
            }

            Configurations.OnAppend(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(buffer));
            low = buffer[^1].Index + 1;
        }
    }

    /// <summary>The configurations the log puts in force; kept in step with every append, truncation and snapshot.</summary>
    public ConfigurationHistory Configurations { get; }

    /// <summary>On restart: the application had already applied up to <paramref name="applied"/>.</summary>
    public void InitializeApplied(ulong applied)
    {
        if (applied > Committed)
        {
            throw new ArgumentException($"RaftOptions.Applied ({applied}) is past the persisted commit index ({Committed}).");
        }

        if (applied > Applied)
        {
            Applied = applied;
            Applying = applied;
        }
    }

    public UnstableLog Unstable { get; }

    /// <summary>The highest index known to be committed.</summary>
    public ulong Committed { get; private set; }

    /// <summary>The highest index handed to the host for applying.</summary>
    public ulong Applying { get; private set; }

    /// <summary>The highest index the host reports applied.</summary>
    public ulong Applied { get; private set; }

    public ulong FirstIndex => Unstable.MaybeFirstIndex ?? _storage.FirstIndex;

    public ulong LastIndex => Unstable.MaybeLastIndex ?? _storage.LastIndex;

    public ulong LastTerm => TermOrZero(LastIndex);

    public LogReadStatus TryTerm(ulong index, out ulong term)
    {
        term = 0;
        // The valid range is [FirstIndex - 1, LastIndex]: the entry before the first is the snapshot's.
        if (index + 1 < FirstIndex)
        {
            return LogReadStatus.Compacted;
        }

        if (index > LastIndex)
        {
            return LogReadStatus.Unavailable;
        }

        if (Unstable.TryTerm(index, out term))
        {
            return LogReadStatus.Ok;
        }

        return _storage.TryGetTerm(index, out term);
    }

    /// <summary>The term at <paramref name="index"/>, or 0 when it cannot be read (0 matches no real term).</summary>
    public ulong TermOrZero(ulong index) => TryTerm(index, out var term) == LogReadStatus.Ok ? term : 0;

    public bool MatchTerm(ulong index, ulong term) => TryTerm(index, out var t) == LogReadStatus.Ok && t == term;

    /// <summary>Raft §5.4.1: a candidate's log is at least as up to date as ours.</summary>
    public bool IsUpToDate(ulong lastIndex, ulong lastTerm) =>
        lastTerm > LastTerm || (lastTerm == LastTerm && lastIndex >= LastIndex);

    /// <summary>
    /// The follower side of AppendEntries: if our log has <paramref name="prevTerm"/> at <paramref name="prevIndex"/>,
    /// append the entries (dropping a conflicting suffix), advance the commit index, and return the last index
    /// the leader's message vouches for.
    /// </summary>
    public bool TryAppend(ulong prevIndex, ulong prevTerm, ulong leaderCommit, Entry[] entries, out ulong lastNewIndex)
    {
        lastNewIndex = 0;
        if (!MatchTerm(prevIndex, prevTerm))
        {
            return false;
        }

        lastNewIndex = prevIndex + (ulong)entries.Length;
        var conflict = FindConflict(entries);
        if (conflict != 0)
        {
            if (conflict <= Committed)
            {
                throw new InvalidOperationException($"Entry {conflict} conflicts with the committed prefix up to {Committed}.");
            }

            Append(entries.AsSpan((int)(conflict - (prevIndex + 1))));
        }

        CommitTo(Math.Min(leaderCommit, lastNewIndex));
        return true;
    }

    /// <summary>The index of the first entry that is new or differs in term from ours, or 0 if all match.</summary>
    private ulong FindConflict(Entry[] entries)
    {
        foreach (var entry in entries)
        {
            if (!MatchTerm(entry.Index, entry.Term))
            {
                return entry.Index;
            }
        }

        return 0;
    }

    /// <summary>
    /// Fast backtracking: the largest index at or below <paramref name="index"/> whose term is at most
    /// <paramref name="term"/>, and that term. Entries above it cannot match a log whose entry at
    /// <paramref name="index"/> has <paramref name="term"/>.
    /// </summary>
    public (ulong Index, ulong Term) FindConflictByTerm(ulong index, ulong term)
    {
        while (true)
        {
            var status = TryTerm(index, out var ourTerm);
            if (status != LogReadStatus.Ok)
            {
                return (index, 0);
            }

            if (ourTerm <= term || index == 0)
            {
                return (index, ourTerm);
            }

            index--;
        }
    }

    public ulong Append(ReadOnlySpan<Entry> entries)
    {
        if (entries.Length == 0)
        {
            return LastIndex;
        }

        if (entries[0].Index - 1 < Committed)
        {
            throw new InvalidOperationException($"Appending at {entries[0].Index} would overwrite the committed prefix up to {Committed}.");
        }

        Unstable.TruncateAndAppend(entries);
        Configurations.OnAppend(entries);
        return LastIndex;
    }

    public void CommitTo(ulong index)
    {
        if (index <= Committed)
        {
            return;
        }

        if (index > LastIndex)
        {
            throw new InvalidOperationException($"Commit index {index} is past the last index {LastIndex}.");
        }

        Committed = index;
    }

    /// <summary>Commits <paramref name="index"/> if its entry is of <paramref name="term"/> (Raft §5.4.2).</summary>
    public bool MaybeCommit(ulong index, ulong term)
    {
        if (index > Committed && TermOrZero(index) == term)
        {
            CommitTo(index);
            return true;
        }

        return false;
    }

    public void AppliedTo(ulong index)
    {
        if (index > Committed || index < Applied)
        {
            throw new InvalidOperationException($"Applied index {index} is outside [{Applied}, {Committed}].");
        }

        Applied = index;
        Applying = Math.Max(Applying, index);
        Configurations.ForgetBefore(index);
    }

    public bool HasNextCommittedEntries => Applying < Committed && Unstable.Snapshot is null;

    /// <summary>The committed entries not yet handed out, bounded by the byte limit; marks them as applying.</summary>
    public Entry[] TakeNextCommittedEntries()
    {
        if (!HasNextCommittedEntries)
        {
            return [];
        }

        // Gathered in a reused buffer and copied once into the array handed out: this runs once per Ready.
        var buffer = _takeBuffer;
        buffer.Clear();
        Slice(Applying + 1, Committed + 1, _maxApplyingBytes, buffer);
        var taken = buffer.ToArray();

        // Clearing drops the payload references; a buffer grown by a rare large catch-up is let go, not kept.
        buffer.Clear();
        if (buffer.Capacity > MaxRetainedTakeBuffer)
        {
            _takeBuffer = [];
        }

        if (taken.Length > 0)
        {
            Applying = taken[^1].Index;
        }

        return taken;
    }

    /// <summary>
    /// Reads entries in <c>[low, high)</c> within <paramref name="maxBytes"/> (at least one) into <paramref name="destination"/>.
    /// Returns <see cref="LogReadStatus.Compacted"/> when <paramref name="low"/> was folded into a snapshot.
    /// </summary>
    public LogReadStatus Slice(ulong low, ulong high, ulong maxBytes, List<Entry> destination)
    {
        if (low >= high)
        {
            return LogReadStatus.Ok;
        }

        if (low < FirstIndex)
        {
            return LogReadStatus.Compacted;
        }

        if (high > LastIndex + 1)
        {
            throw new InvalidOperationException($"Slice [{low}, {high}) is past the last index {LastIndex}.");
        }

        var start = destination.Count;
        if (low < Unstable.Offset)
        {
            var status = _storage.TryGetEntries(low, Math.Min(high, Unstable.Offset), maxBytes, destination);
            if (status != LogReadStatus.Ok)
            {
                return status;
            }

            // The storage stopped at the byte bound; do not continue into the unstable part.
            if ((ulong)(destination.Count - start) < Math.Min(high, Unstable.Offset) - low)
            {
                return LogReadStatus.Ok;
            }
        }

        if (high > Unstable.Offset)
        {
            ulong size = 0;
            for (var i = start; i < destination.Count; i++)
            {
                size += (ulong)destination[i].Size;
            }

            Unstable.Slice(Math.Max(low, Unstable.Offset), high, maxBytes, size, destination.Count == start, destination);
        }

        return LogReadStatus.Ok;
    }

    public LogReadStatus TryGetSnapshot(out Snapshot snapshot)
    {
        if (Unstable.Snapshot is not null)
        {
            snapshot = Unstable.Snapshot;
            return LogReadStatus.Ok;
        }

        return _storage.TryGetSnapshot(out snapshot);
    }

    /// <summary>Replaces the log with <paramref name="snapshot"/>, which is ahead of what we have committed.</summary>
    public void Restore(Snapshot snapshot)
    {
        Configurations.Restore(Committed, snapshot.Index, snapshot.Metadata.Configuration);
        Committed = snapshot.Index;
        Unstable.Restore(snapshot);
    }

    /// <summary>The host installed the snapshot handed out: the state machine now reflects its index.</summary>
    public void AppliedSnapshot(ulong index)
    {
        if (index > Applied)
        {
            Applied = index;
        }

        Applying = Math.Max(Applying, Applied);
        Configurations.ForgetBefore(Applied);
    }

    public void StableTo(ulong index, ulong term) => Unstable.StableTo(index, term);

    public void StableSnapshotTo(ulong index) => Unstable.StableSnapshotTo(index);
}
