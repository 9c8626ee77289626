namespace OrleansRaft.Core.Log;

/// <summary>
/// Entries (and possibly a snapshot) that this member holds but the host has not yet persisted.
/// </summary>
/// <remarks>
/// Invariants: <c>_entries[k].Index == Offset + k</c>; if a snapshot is present, <c>Offset == snapshot.Index + 1</c>.
/// Entries before <see cref="_offsetInProgress"/> were handed to the host in a <see cref="Ready"/> and are being
/// written; <c>Offset &lt;= _offsetInProgress &lt;= Offset + count</c>.
/// </remarks>
internal sealed class UnstableLog
{
    private readonly List<Entry> _entries = [];
    private ulong _offsetInProgress;
    private bool _snapshotInProgress;

    public UnstableLog(ulong offset)
    {
        Offset = offset;
        _offsetInProgress = offset;
    }

    public Snapshot? Snapshot { get; private set; }

    /// <summary>The index of the first unstable entry.</summary>
    public ulong Offset { get; private set; }

    public int Count => _entries.Count;

    public ulong? MaybeFirstIndex => Snapshot is null ? null : Snapshot.Index + 1;

    public ulong? MaybeLastIndex =>
        _entries.Count > 0 ? Offset + (ulong)_entries.Count - 1 : Snapshot?.Index;

    public bool TryTerm(ulong index, out ulong term)
    {
        term = 0;
        if (index < Offset)
        {
            if (Snapshot is not null && Snapshot.Index == index)
            {
                term = Snapshot.Term;
                return true;
            }

            return false;
        }

        var last = MaybeLastIndex;
        if (last is null || index > last.Value)
        {
            return false;
        }

        term = index == Snapshot?.Index ? Snapshot.Term : _entries[(int)(index - Offset)].Term;
        return true;
    }

    public bool HasNextEntries => Offset + (ulong)_entries.Count > _offsetInProgress;

    public bool HasNextSnapshot => Snapshot is not null && !_snapshotInProgress;

    /// <summary>The entries not yet handed to the host.</summary>
    public Entry[] NextEntries()
    {
        var start = (int)(_offsetInProgress - Offset);
        if (start >= _entries.Count)
        {
            return [];
        }

        // One copy straight into the array handed out, not through an intermediate list: this runs once per Ready.
        var next = new Entry[_entries.Count - start];
        _entries.CopyTo(start, next, 0, next.Length);
        return next;
    }

    /// <summary>Marks everything now held as handed to the host for persisting.</summary>
    public void AcceptInProgress()
    {
        _offsetInProgress = Offset + (ulong)_entries.Count;
        if (Snapshot is not null)
        {
            _snapshotInProgress = true;
        }
    }

    /// <summary>The host persisted entries up to <paramref name="index"/> in <paramref name="term"/>; drop them unless they were replaced since.</summary>
    public void StableTo(ulong index, ulong term)
    {
        if (!TryTerm(index, out var current) || current != term || index < Offset)
        {
            return;
        }

        var count = (int)(index + 1 - Offset);
        _entries.RemoveRange(0, count);
        Offset = index + 1;
        _offsetInProgress = Math.Max(_offsetInProgress, Offset);
    }

    public void StableSnapshotTo(ulong index)
    {
        if (Snapshot is not null && Snapshot.Index == index)
        {
            Snapshot = null;
            _snapshotInProgress = false;
        }
    }

    public void Restore(Snapshot snapshot)
    {
        Offset = snapshot.Index + 1;
        _offsetInProgress = Offset;
        _entries.Clear();
        Snapshot = snapshot;
        _snapshotInProgress = false;
    }

    /// <summary>Appends <paramref name="entries"/>, replacing any unstable entries from the first one's index on.</summary>
    public void TruncateAndAppend(ReadOnlySpan<Entry> entries)
    {
        var from = entries[0].Index;
        var end = Offset + (ulong)_entries.Count;
        if (from > end)
        {
            throw new InvalidOperationException($"Appending at {from} would leave a gap after the unstable end {end}.");
        }

        if (from == end)
        {
            // The common case: the new entries directly follow.
        }
        else if (from <= Offset)
        {
            // Replace everything unstable; the host truncates its persisted suffix from 'from' on.
            Offset = from;
            _offsetInProgress = from;
            _entries.Clear();
        }
        else
        {
            _entries.RemoveRange((int)(from - Offset), (int)(end - from));
            _offsetInProgress = Math.Min(_offsetInProgress, from);
        }

        foreach (var entry in entries)
        {
            _entries.Add(entry);
        }
    }

    /// <summary>
    /// Copies the unstable entries in <c>[low, high)</c> while the running total <paramref name="size"/> stays within
    /// <paramref name="maxBytes"/>, taking at least one when <paramref name="mustTakeOne"/>. The caller checked the bounds.
    /// </summary>
    public void Slice(ulong low, ulong high, ulong maxBytes, ulong size, bool mustTakeOne, List<Entry> destination)
    {
        for (var i = low; i < high; i++)
        {
            var entry = _entries[(int)(i - Offset)];
            size += (ulong)entry.Size;
            if (!mustTakeOne && size > maxBytes)
            {
                return;
            }

            destination.Add(entry);
            mustTakeOne = false;
        }
    }
}
