using OrleansRaft.Core;

namespace OrleansRaft.Hosting.Storage;

/// <summary>
/// A member's log as held in memory by a log store: the snapshot metadata, the entries after it and the hard
/// state, with the checks every <see cref="IRaftLogStore"/> applies before it writes anything.
/// </summary>
/// <remarks>Invariant: <c>_entries[i].Index == Snapshot.Index + 1 + i</c>, and terms never decrease along the log.</remarks>
internal sealed class LogCache
{
    private readonly List<Entry> _entries = [];

    public SnapshotMetadata Snapshot { get; private set; } = SnapshotMetadata.Empty;

    public HardState HardState { get; set; }

    public ulong FirstIndex => Snapshot.Index + 1;

    public ulong LastIndex => Snapshot.Index + (ulong)_entries.Count;

    public int Count => _entries.Count;

    public ulong Term(ulong index)
    {
        if (index < Snapshot.Index)
        {
            throw new RaftLogCompactedException(index, FirstIndex);
        }

        if (index > LastIndex)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The last index is {LastIndex}.");
        }

        return index == Snapshot.Index ? Snapshot.Term : _entries[(int)(index - FirstIndex)].Term;
    }

    public void ReadEntries(ulong low, ulong high, ulong maxBytes, List<Entry> destination)
    {
        if (low < FirstIndex)
        {
            throw new RaftLogCompactedException(low, FirstIndex);
        }

        if (low > high || high > LastIndex + 1)
        {
            throw new ArgumentOutOfRangeException(nameof(high), $"[{low}, {high}) is not within [{FirstIndex}, {LastIndex + 1}).");
        }

        ulong size = 0;
        for (var index = low; index < high; index++)
        {
            var entry = _entries[(int)(index - FirstIndex)];
            size += (ulong)entry.Size;
            if (index > low && size > maxBytes)
            {
                break;
            }

            destination.Add(entry);
        }
    }

    public List<Entry> CopyEntries() => [.. _entries];

    /// <summary>
    /// Checks an append against the log and returns how many leading entries fall at or before the snapshot
    /// (they are ignored); equal to <c>entries.Count</c> when none remains.
    /// </summary>
    public int CheckAppend(IReadOnlyList<Entry> entries, HardState? hardState)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var skip = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].Index == 0 || entries[i].Index != entries[0].Index + (ulong)i)
            {
                throw new ArgumentException($"Entries must have consecutive indexes from 1 on; entry {i} is at {entries[i].Index} after {entries[0].Index}.", nameof(entries));
            }

            if (i > 0 && entries[i].Term < entries[i - 1].Term)
            {
                throw new ArgumentException($"Terms must not decrease along the log: {entries[i - 1]} then {entries[i]}.", nameof(entries));
            }

            if (entries[i].Index <= Snapshot.Index)
            {
                skip = i + 1;
            }
        }

        var lastIndex = LastIndex;
        if (skip < entries.Count)
        {
            var start = entries[skip].Index;
            if (start > LastIndex + 1)
            {
                throw new ArgumentException($"Appending at {start} would leave a gap after the last index {LastIndex}.", nameof(entries));
            }

            if (entries[skip].Term < Term(start - 1))
            {
                throw new ArgumentException($"Terms must not decrease along the log: {entries[skip]} follows term {Term(start - 1)}.", nameof(entries));
            }

            var committedEnd = Math.Min(HardState.Commit, LastIndex);
            for (var i = skip; i < entries.Count && entries[i].Index <= committedEnd; i++)
            {
                var existing = Term(entries[i].Index);
                if (existing != entries[i].Term)
                {
                    throw new ArgumentException($"Entry {entries[i]} would replace the committed entry of term {existing} (commit {HardState.Commit}).", nameof(entries));
                }
            }

            lastIndex = entries[^1].Index;
        }

        if (hardState is { } hs)
        {
            CheckHardState(hs, lastIndex);
        }

        return skip;
    }

    public void CheckHardState(HardState hardState, ulong lastIndex)
    {
        if (hardState.Term < HardState.Term || hardState.Commit < HardState.Commit)
        {
            throw new ArgumentException($"The hard state must not go backwards: {HardState} then {hardState}.", nameof(hardState));
        }

        if (hardState.Commit > lastIndex)
        {
            throw new ArgumentException($"The commit index of {hardState} is past the last index {lastIndex}.", nameof(hardState));
        }
    }

    /// <summary>Appends entries checked by <see cref="CheckAppend"/>, replacing the suffix from the first one kept.</summary>
    public void Append(IReadOnlyList<Entry> entries, int skip)
    {
        if (skip >= entries.Count)
        {
            return;
        }

        TruncateFrom(entries[skip].Index);
        for (var i = skip; i < entries.Count; i++)
        {
            _entries.Add(entries[i]);
        }
    }

    public void CheckTruncate(ulong fromIndex)
    {
        if (fromIndex <= HardState.Commit)
        {
            throw new ArgumentException($"Truncating from {fromIndex} would drop committed entries (commit {HardState.Commit}).", nameof(fromIndex));
        }

        if (fromIndex < FirstIndex || fromIndex > LastIndex + 1)
        {
            throw new ArgumentOutOfRangeException(nameof(fromIndex), fromIndex, $"The log holds {FirstIndex}..{LastIndex}.");
        }
    }

    public void TruncateFrom(ulong fromIndex)
    {
        var keep = (int)(fromIndex - FirstIndex);
        _entries.RemoveRange(keep, _entries.Count - keep);
    }

    /// <summary>Checks a snapshot to install and returns whether the entries after it are kept.</summary>
    public bool CheckSnapshot(Snapshot snapshot, HardState? hardState)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var metadata = snapshot.Metadata;
        var bootstrap = metadata.Index == 0 && Snapshot.Index == 0 && LastIndex == 0;
        if (metadata.Index <= Snapshot.Index && !bootstrap)
        {
            throw new ArgumentException($"The snapshot at {metadata.Index} is not newer than the current one at {Snapshot.Index}.", nameof(snapshot));
        }

        if ((metadata.Index == 0) != (metadata.Term == 0))
        {
            throw new ArgumentException($"A snapshot has term 0 exactly at index 0; got index {metadata.Index}, term {metadata.Term}.", nameof(snapshot));
        }

        var keep = metadata.Index > 0 && metadata.Index <= LastIndex && Term(metadata.Index) == metadata.Term;
        if (hardState is { } hs)
        {
            CheckHardState(hs, keep ? LastIndex : metadata.Index);
        }

        return keep;
    }

    public void InstallSnapshot(SnapshotMetadata metadata, bool keepSuffix)
    {
        if (keepSuffix)
        {
            _entries.RemoveRange(0, (int)(metadata.Index - Snapshot.Index));
        }
        else
        {
            _entries.Clear();
        }

        Snapshot = metadata;
    }
}
