using OrleansRaft.Core.Tracking;

namespace OrleansRaft.Core;

public sealed partial class RaftNode
{
    /// <summary>
    /// Appends <paramref name="data"/> to the leader's log. Proposals made before the next <see cref="GetReady"/>
    /// travel to followers together, in as few append messages as the size bound allows.
    /// </summary>
    public ProposeResult Propose(ReadOnlyMemory<byte> data)
    {
        Unquiesce();
        if (Role != RaftRole.Leader)
        {
            return new ProposeResult(ProposeStatus.NotLeader, 0, 0, Leader);
        }

        if (_leadTransferee != 0)
        {
            return new ProposeResult(ProposeStatus.LeadershipTransferInProgress, 0, 0, Id);
        }

        var size = (ulong)data.Length;
        var limit = _options.MaxUncommittedEntriesSize;
        if (limit > 0)
        {
            if (size > limit)
            {
                return new ProposeResult(ProposeStatus.TooLarge, 0, 0, Id);
            }

            if (_uncommittedSize > 0 && _uncommittedSize + size > limit)
            {
                return new ProposeResult(ProposeStatus.UncommittedLimitExceeded, 0, 0, Id);
            }
        }

        var index = _log.LastIndex + 1;
        _log.Append([new Entry(Term, index, EntryType.Normal, data)]);
        _uncommittedSize += size;
        _broadcastPending = true;
        return new ProposeResult(ProposeStatus.Accepted, index, Term, Id);
    }

    /// <summary>
    /// Set only while <see cref="BroadcastAppend"/> runs: the last entries it sent, and the index they start at.
    /// The log does not change within a broadcast, so a follower with the same next index gets the same slice,
    /// and the messages share one array (messages are immutable).
    /// </summary>
    private (ulong Next, Entry[] Entries)? _broadcastSlice;

    private bool _broadcasting;

    private void BroadcastAppend()
    {
        _broadcasting = true;
        try
        {
            foreach (var (id, _) in _tracker.Progress)
            {
                if (id != Id)
                {
                    MaybeSendAppend(id, sendIfEmpty: true);
                }
            }
        }
        finally
        {
            _broadcasting = false;
            _broadcastSlice = null;
        }
    }

    /// <summary>The slice in <see cref="_scratch"/>, which starts at <paramref name="next"/>, as an array a message may keep.</summary>
    private Entry[] SliceToSend(ulong next)
    {
        if (_broadcastSlice is { } shared && shared.Next == next && shared.Entries.Length == _scratch.Count)
        {
            return shared.Entries;
        }

        var entries = _scratch.ToArray();
        if (_broadcasting)
        {
            _broadcastSlice = (next, entries);
        }

        return entries;
    }

    private void BroadcastHeartbeat()
    {
        // A leader that removed itself has no progress of its own, and its acknowledgement counts for nothing.
        if (_tracker.Progress.TryGetValue(Id, out var self))
        {
            self.AckedReadRound = _readRound;
        }

        foreach (var (id, progress) in _tracker.Progress)
        {
            if (id == Id)
            {
                continue;
            }

            // Never claim a commit index beyond what the follower is known to hold.
            Send(new Message
            {
                Type = MessageType.Heartbeat,
                From = Id,
                To = id,
                Term = Term,
                Commit = Math.Min(progress.Match, _log.Committed),
                Context = _readRound,
            });
        }
    }

    /// <summary>
    /// Sends <paramref name="to"/> the entries it lacks (or the snapshot, if they were compacted), unless its
    /// flow control says to wait. Returns true if a message was sent.
    /// </summary>
    private bool MaybeSendAppend(ulong to, bool sendIfEmpty)
    {
        var progress = _tracker.Progress[to];
        if (progress.IsPaused)
        {
            return false;
        }

        var prevIndex = progress.Next - 1;
        var status = _log.TryTerm(prevIndex, out var prevTerm);
        if (status == LogReadStatus.Compacted)
        {
            return MaybeSendSnapshot(to, progress);
        }

        if (status != LogReadStatus.Ok)
        {
            return false;
        }

        _scratch.Clear();
        if (progress.Next <= _log.LastIndex)
        {
            status = _log.Slice(progress.Next, _log.LastIndex + 1, _options.MaxSizePerMessage, _scratch);
            if (status == LogReadStatus.Compacted)
            {
                return MaybeSendSnapshot(to, progress);
            }

            if (status != LogReadStatus.Ok)
            {
                return false;
            }
        }

        if (_scratch.Count == 0 && !sendIfEmpty)
        {
            return false;
        }

        var entries = SliceToSend(progress.Next);
        Send(new Message
        {
            Type = MessageType.Append,
            From = Id,
            To = to,
            Term = Term,
            Index = prevIndex,
            LogTerm = prevTerm,
            Entries = entries,
            Commit = _log.Committed,
        });
        progress.SentEntries(entries.Length, entries.Length > 0 ? entries[^1].Index : prevIndex);
        return true;
    }

    private bool MaybeSendSnapshot(ulong to, Progress progress)
    {
        // A follower that has not answered lately may be down: do not ship it a snapshot in vain.
        if (!progress.RecentActive || _log.TryGetSnapshot(out var snapshot) != LogReadStatus.Ok || snapshot.IsEmpty)
        {
            return false;
        }

        progress.BecomeSnapshot(snapshot.Index);
        Send(new Message { Type = MessageType.InstallSnapshot, From = Id, To = to, Term = Term, Snapshot = snapshot });
        return true;
    }

    private void HandleAppend(Message message)
    {
        if (message.Index < _log.Committed)
        {
            // Everything up to our commit index already matches the leader's log.
            Send(new Message { Type = MessageType.AppendResponse, From = Id, To = message.From, Term = Term, Index = _log.Committed });
            return;
        }

        if (_log.TryAppend(message.Index, message.LogTerm, message.Commit, message.Entries, out var lastNewIndex))
        {
            SyncConfiguration();
            Send(new Message { Type = MessageType.AppendResponse, From = Id, To = message.From, Term = Term, Index = lastNewIndex });
            return;
        }

        // Fast backtracking: point the leader at the last index that could match, skipping whole terms.
        var (hintIndex, hintTerm) = _log.FindConflictByTerm(Math.Min(message.Index, _log.LastIndex), message.LogTerm);
        Send(new Message
        {
            Type = MessageType.AppendResponse,
            From = Id,
            To = message.From,
            Term = Term,
            Index = message.Index,
            Reject = true,
            RejectHint = hintIndex,
            LogTerm = hintTerm,
        });
    }

    private void HandleHeartbeat(Message message)
    {
        _log.CommitTo(Math.Min(message.Commit, _log.LastIndex));
        Send(new Message { Type = MessageType.HeartbeatResponse, From = Id, To = message.From, Term = Term, Context = message.Context });
    }

    private void HandleSnapshot(Message message)
    {
        var snapshot = message.Snapshot ?? throw new ArgumentException($"An InstallSnapshot message carries no snapshot: {message}.", nameof(message));
        if (snapshot.Index > _log.Committed)
        {
            if (_log.MatchTerm(snapshot.Index, snapshot.Term))
            {
                // We hold the snapshot's last entry already: just learn that it is committed.
                _log.CommitTo(snapshot.Index);
            }
            else
            {
                _log.Restore(snapshot);
                SyncConfiguration();
            }
        }

        // Acknowledge only the committed prefix: entries we hold past the snapshot may be of a deposed leader's
        // term, and the leader would count them as matching its own.
        Send(new Message { Type = MessageType.AppendResponse, From = Id, To = message.From, Term = Term, Index = _log.Committed });
    }

    private void HandleAppendResponse(Message message, Progress progress)
    {
        if (message.Reject)
        {
            var nextProbe = message.RejectHint;
            if (message.LogTerm > 0)
            {
                // Skip over the follower's whole term: find our last entry whose term is at most the follower's.
                nextProbe = _log.FindConflictByTerm(message.RejectHint, message.LogTerm).Index;
            }

            if (progress.MaybeDecreaseTo(message.Index, nextProbe))
            {
                if (progress.State == ReplicationState.Replicate)
                {
                    progress.BecomeProbe();
                }

                MaybeSendAppend(message.From, sendIfEmpty: true);
            }

            return;
        }

        var wasPaused = progress.IsPaused;
        var probeConfirmed = progress.State == ReplicationState.Probe && progress.Match == message.Index;
        if (!progress.MaybeUpdate(message.Index) && !probeConfirmed)
        {
            return;
        }

        switch (progress.State)
        {
            case ReplicationState.Probe:
                progress.BecomeReplicate();
                break;
            case ReplicationState.Snapshot when progress.Match + 1 >= _log.FirstIndex:
                // The snapshot landed and the log after it is still here: replicate from there.
                progress.BecomeProbe();
                progress.BecomeReplicate();
                break;
            case ReplicationState.Replicate:
                progress.Inflights.FreeLessOrEqual(message.Index);
                break;
        }

        if (MaybeCommit())
        {
            _broadcastPending = true;
        }
        else if (wasPaused && !_broadcastPending)
        {
            // The follower may have missed commit updates while paused. A pending broadcast reaches it anyway.
            MaybeSendAppend(message.From, sendIfEmpty: true);
        }

        while (MaybeSendAppend(message.From, sendIfEmpty: false))
        {
        }

        // A leader handing over after its removal sends TimeoutNow itself, as it steps down.
        if (message.From == _leadTransferee && progress.Match == _log.LastIndex && !_handingOverAfterRemoval)
        {
            SendTimeoutNow(message.From);
        }
    }

    private void HandleHeartbeatResponse(Message message, Progress progress)
    {
        progress.ProbeSent = false;
        if (progress.State == ReplicationState.Replicate && progress.Inflights.IsFull)
        {
            // An append in the window may have been lost: free one slot so that replication can resume.
            // If entries went missing, the follower rejects the next append and the leader probes back.
            progress.Inflights.FreeFirst();
        }

        if (progress.Match < _log.LastIndex)
        {
            MaybeSendAppend(message.From, sendIfEmpty: true);
        }

        if (message.Context > progress.AckedReadRound)
        {
            progress.AckedReadRound = message.Context;
            ReleaseConfirmedReads();
        }
    }

    /// <summary>
    /// Advances the commit index to the highest index a quorum holds, if that entry is of the current term
    /// (§5.4.2: an older term's entry is committed only indirectly). Returns true if it advanced.
    /// </summary>
    private bool MaybeCommit()
    {
        var quorumIndex = _tracker.QuorumMatchIndex();
        bool advanced;
        if ((_options.InjectedBugs & InjectedBugs.CommitOldTermByCounting) != 0)
        {
            advanced = quorumIndex > _log.Committed;
            _log.CommitTo(quorumIndex);
        }
        else
        {
            advanced = _log.MaybeCommit(quorumIndex, Term);
        }

        if (advanced)
        {
            OnCommitAdvanced();
        }

        return advanced;
    }
}
