namespace OrleansRaft.Core;

public sealed partial class RaftNode
{
    /// <summary>
    /// What the outstanding Ready handed to the host, so that <see cref="Advance"/> can acknowledge exactly that.
    /// A struct, held in a nullable field: one Ready is outstanding at a time, so it need not cost an allocation per Ready.
    /// </summary>
    private readonly record struct OutstandingReady(Entry? LastEntry, ulong? SnapshotIndex, ulong LastCommittedIndex);

    /// <summary>True when there is work for the host and no Ready is outstanding.</summary>
    public bool HasReady =>
        _outstanding is null &&
        (_broadcastPending ||
         _readRoundOpen ||
         _messages.Count > 0 ||
         _readStates.Count > 0 ||
         _log.Unstable.HasNextEntries ||
         _log.Unstable.HasNextSnapshot ||
         _log.HasNextCommittedEntries ||
         CurrentHardState != _previousHardState ||
         CurrentSoftState != _previousSoftState ||
         !ReferenceEquals(_tracker.Configuration, _previousConfiguration));

    /// <summary>
    /// Hands the pending work to the host. Only one Ready may be outstanding: call <see cref="Advance"/> before the next.
    /// </summary>
    public Ready GetReady()
    {
        if (_outstanding is not null)
        {
            throw new InvalidOperationException("A Ready is outstanding: call Advance() after handling it before asking for another.");
        }

        FlushBroadcasts();

        var softState = CurrentSoftState;
        var hardState = CurrentHardState;
        var snapshot = _log.Unstable.HasNextSnapshot ? _log.Unstable.Snapshot : null;
        var entries = _log.Unstable.NextEntries();
        var committed = _log.TakeNextCommittedEntries();
        var messages = _messages.Count == 0 ? Array.Empty<Message>() : _messages.ToArray();
        var readStates = _readStates.Count == 0 ? Array.Empty<ReadState>() : _readStates.ToArray();
        _messages.Clear();
        _readStates.Clear();
        _log.Unstable.AcceptInProgress();

        var configuration = _tracker.Configuration;
        MembershipConfiguration? appliedConfiguration = null;
        if (snapshot is not null)
        {
            appliedConfiguration = snapshot.Metadata.Configuration;
        }
        else if (committed.Length > 0)
        {
            appliedConfiguration = _log.Configurations.At(committed[^1].Index);
        }

        if (appliedConfiguration is not null && appliedConfiguration.Equals(_previousAppliedConfiguration))
        {
            appliedConfiguration = null;
        }

        var mustSync = entries.Length > 0 || snapshot is not null ||
                       hardState.Term != _previousHardState.Term || hardState.Vote != _previousHardState.Vote;
        var ready = new Ready(
            softState != _previousSoftState ? softState : null,
            hardState != _previousHardState ? hardState : null,
            snapshot,
            entries,
            committed,
            messages,
            readStates,
            mustSync,
            configuration.Equals(_previousConfiguration) ? null : configuration,
            appliedConfiguration);

        if (Role == RaftRole.Leader)
        {
            ReleaseUncommitted(committed);
        }

        _previousSoftState = softState;
        _previousHardState = hardState;
        _previousConfiguration = configuration;
        _previousAppliedConfiguration = appliedConfiguration ?? _previousAppliedConfiguration;
        _outstanding = new OutstandingReady(
            entries.Length > 0 ? entries[^1] : null,
            snapshot?.Index,
            committed.Length > 0 ? committed[^1].Index : 0);
        return ready;
    }

    /// <summary>
    /// The host has persisted, sent and applied everything in the outstanding Ready. A leader counts its own
    /// copy of entries toward a quorum only from here on, once they are durable.
    /// </summary>
    public void Advance()
    {
        var done = _outstanding ?? throw new InvalidOperationException("No Ready is outstanding: Advance() must follow GetReady().");
        _outstanding = null;

        if (done.SnapshotIndex is { } snapshotIndex)
        {
            _log.StableSnapshotTo(snapshotIndex);
            _log.AppliedSnapshot(snapshotIndex);
        }

        if (done.LastEntry is { } last)
        {
            _log.StableTo(last.Index, last.Term);
            OnLocalEntriesPersisted(last);
        }

        if (done.LastCommittedIndex > 0)
        {
            _log.AppliedTo(done.LastCommittedIndex);
        }

        MaybeHandOverAfterRemoval();
    }

    private void OnLocalEntriesPersisted(Entry last)
    {
        // The entry may have been replaced while it was being written; then it is not ours to count.
        if (Role != RaftRole.Leader || !_log.MatchTerm(last.Index, last.Term))
        {
            return;
        }

        // A leader that removed itself does not count its own copy.
        if (!_tracker.Progress.TryGetValue(Id, out var self))
        {
            return;
        }

        if (self.MaybeUpdate(last.Index) && MaybeCommit())
        {
            _broadcastPending = true;
        }
    }

    private void FlushBroadcasts()
    {
        if (Role != RaftRole.Leader)
        {
            _broadcastPending = false;
            _readRoundOpen = false;
            return;
        }

        if (_broadcastPending)
        {
            _broadcastPending = false;
            BroadcastAppend();
        }

        if (_readRoundOpen)
        {
            _readRoundOpen = false;
            BroadcastHeartbeat();
        }
    }

    private void ReleaseUncommitted(Entry[] committed)
    {
        ulong size = 0;
        foreach (var entry in committed)
        {
            size += (ulong)entry.Data.Length;
        }

        _uncommittedSize = size >= _uncommittedSize ? 0 : _uncommittedSize - size;
    }
}
