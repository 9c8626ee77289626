namespace OrleansRaft.Core.Log;

/// <summary>
/// The configurations a member's log puts in force, by the index of the entry that carries each.
/// A configuration takes effect when its entry is appended, not when it commits, so the one in force is the
/// last in the log; when a conflicting suffix is truncated, the configurations it carried are forgotten with it.
/// </summary>
/// <remarks>
/// Invariant: <c>_changes</c> is sorted by index and never empty. <c>_changes[0]</c> is the base: the configuration
/// in force at its index, which is at or before the applied index (so it can never be truncated). Every later item
/// is a configuration entry in the log. The list stays short: a leader appends one configuration entry at a time and
/// waits for it to commit, and the base moves forward as entries are applied.
/// </remarks>
internal sealed class ConfigurationHistory
{
    private readonly List<(ulong Index, MembershipConfiguration Configuration)> _changes = [];

    public ConfigurationHistory(ulong index, MembershipConfiguration configuration) => Reset(index, configuration);

    /// <summary>The configuration in force: the last one in the log.</summary>
    public MembershipConfiguration Current => _changes[^1].Configuration;

    /// <summary>The index of the last configuration entry, or of the base when the log holds none after it.</summary>
    public ulong LastChangeIndex => _changes[^1].Index;

    /// <summary>Forgets everything: <paramref name="configuration"/> is in force at <paramref name="index"/> (a snapshot).</summary>
    public void Reset(ulong index, MembershipConfiguration configuration)
    {
        _changes.Clear();
        _changes.Add((index, configuration));
    }

    /// <summary>
    /// The log was replaced by a snapshot at <paramref name="snapshotIndex"/> that carries <paramref name="configuration"/>.
    /// What is known up to the old <paramref name="committed"/> index stays true and is kept, because committed entries
    /// handed out before the snapshot arrived may still be being applied; the rest of the old log is gone.
    /// </summary>
    public void Restore(ulong committed, ulong snapshotIndex, MembershipConfiguration configuration)
    {
        while (_changes.Count > 1 && _changes[^1].Index > committed)
        {
            _changes.RemoveAt(_changes.Count - 1);
        }

        if (_changes[^1].Index >= snapshotIndex)
        {
            throw new InvalidOperationException($"A snapshot at {snapshotIndex} is not past the configuration known at {_changes[^1].Index}.");
        }

        _changes.Add((snapshotIndex, configuration));
    }

    /// <summary>
    /// <paramref name="entries"/> were appended, replacing every entry from the first one's index on: forget the
    /// configurations of the replaced suffix and record those the new entries carry.
    /// </summary>
    public void OnAppend(ReadOnlySpan<Entry> entries)
    {
        if (entries.Length == 0)
        {
            return;
        }

        var first = entries[0].Index;
        while (_changes.Count > 1 && _changes[^1].Index >= first)
        {
            _changes.RemoveAt(_changes.Count - 1);
        }

        if (_changes[0].Index >= first)
        {
            throw new InvalidOperationException($"Entries from {first} would replace the configuration applied at {_changes[0].Index}.");
        }

        foreach (var entry in entries)
        {
            if (entry.Type == EntryType.Configuration)
            {
                _changes.Add((entry.Index, MembershipConfiguration.Decode(entry.Data.Span)));
            }
        }
    }

    /// <summary>The configuration in force at <paramref name="index"/>, for any index at or after the base.</summary>
    public MembershipConfiguration At(ulong index)
    {
        if (index < _changes[0].Index)
        {
            throw new ArgumentOutOfRangeException(
                nameof(index), index, $"The configuration before index {_changes[0].Index} is no longer known: ask at or after the applied index.");
        }

        for (var i = _changes.Count - 1; i > 0; i--)
        {
            if (_changes[i].Index <= index)
            {
                return _changes[i].Configuration;
            }
        }

        return _changes[0].Configuration;
    }

    /// <summary>Entries up to <paramref name="applied"/> are applied: the last configuration at or before it becomes the base.</summary>
    public void ForgetBefore(ulong applied)
    {
        var keep = 0;
        while (keep + 1 < _changes.Count && _changes[keep + 1].Index <= applied)
        {
            keep++;
        }

        if (keep > 0)
        {
            _changes.RemoveRange(0, keep);
        }
    }
}
