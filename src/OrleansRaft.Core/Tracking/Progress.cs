namespace OrleansRaft.Core.Tracking;

/// <summary>How the leader currently replicates to one follower.</summary>
public enum ReplicationState
{
    /// <summary>The follower's match point is unknown: send one append at a time and wait for its answer.</summary>
    Probe,

    /// <summary>The follower keeps up: send appends optimistically, bounded by the inflight window.</summary>
    Replicate,

    /// <summary>The follower needs the snapshot that was sent; send nothing until it reports back.</summary>
    Snapshot,
}

/// <summary>
/// The leader's view of one member's log.
/// Invariant: <c>Match &lt; Next</c>; entries up to <see cref="Match"/> are known to be on the member.
/// </summary>
internal sealed class Progress
{
    public Progress(ulong next, int maxInflight, bool isLearner)
    {
        Next = next;
        Inflights = new Inflights(maxInflight);
        IsLearner = isLearner;
    }

    public ulong Match { get; set; }

    public ulong Next { get; set; }

    public ReplicationState State { get; private set; } = ReplicationState.Probe;

    /// <summary>In the snapshot state: the index of the snapshot being sent.</summary>
    public ulong PendingSnapshot { get; private set; }

    /// <summary>Heard from in the current election timeout (check-quorum).</summary>
    public bool RecentActive { get; set; }

    /// <summary>In the probe state: an append is out, so wait for an answer or a heartbeat response.</summary>
    public bool ProbeSent { get; set; }

    public Inflights Inflights { get; }

    public bool IsLearner { get; set; }

    /// <summary>The highest ReadIndex round this member acknowledged.</summary>
    public ulong AckedReadRound { get; set; }

    public bool IsPaused => State switch
    {
        ReplicationState.Probe => ProbeSent,
        ReplicationState.Replicate => Inflights.IsFull,
        _ => true,
    };

    /// <summary>Forgets everything learned about the member, as at the start of a term.</summary>
    public void Reinitialize(ulong next)
    {
        Reset(ReplicationState.Probe);
        Match = 0;
        Next = next;
        RecentActive = false;
        AckedReadRound = 0;
    }

    public void BecomeProbe()
    {
        // Coming back from a snapshot, the follower has at least the snapshot.
        var next = State == ReplicationState.Snapshot ? Math.Max(Match + 1, PendingSnapshot + 1) : Match + 1;
        Reset(ReplicationState.Probe);
        Next = next;
    }

    public void BecomeReplicate()
    {
        Reset(ReplicationState.Replicate);
        Next = Match + 1;
    }

    public void BecomeSnapshot(ulong snapshotIndex)
    {
        Reset(ReplicationState.Snapshot);
        PendingSnapshot = snapshotIndex;
    }

    private void Reset(ReplicationState state)
    {
        State = state;
        ProbeSent = false;
        PendingSnapshot = 0;
        Inflights.Reset();
    }

    /// <summary>An acknowledgement up to <paramref name="index"/>; false if it is stale.</summary>
    public bool MaybeUpdate(ulong index)
    {
        var updated = false;
        if (Match < index)
        {
            Match = index;
            updated = true;
            ProbeSent = false;
        }

        Next = Math.Max(Next, index + 1);
        return updated;
    }

    /// <summary>Records that entries up to <paramref name="lastIndex"/> were sent.</summary>
    public void SentEntries(int count, ulong lastIndex)
    {
        switch (State)
        {
            case ReplicationState.Replicate:
                if (count > 0)
                {
                    Next = lastIndex + 1;
                    Inflights.Add(lastIndex);
                }

                break;
            case ReplicationState.Probe:
                ProbeSent = true;
                break;
            default:
                throw new InvalidOperationException($"Cannot send entries in state {State}.");
        }
    }

    /// <summary>
    /// A rejection of the append at <paramref name="rejected"/>; <paramref name="hint"/> is the follower's guess
    /// of where the logs match. False if the rejection is stale.
    /// </summary>
    public bool MaybeDecreaseTo(ulong rejected, ulong hint)
    {
        if (State == ReplicationState.Replicate)
        {
            // Stale unless it rejects the entry right after the match point.
            if (rejected <= Match)
            {
                return false;
            }

            Next = Match + 1;
            return true;
        }

        // In probe, only a rejection of the last probe counts.
        if (Next - 1 != rejected)
        {
            return false;
        }

        Next = Math.Max(Math.Min(rejected, hint + 1), Match + 1);
        ProbeSent = false;
        return true;
    }

    public override string ToString() =>
        $"{State} match={Match} next={Next}" + (State == ReplicationState.Snapshot ? $" pending={PendingSnapshot}" : "") +
        (IsLearner ? " learner" : "") + (Inflights.Count > 0 ? $" inflight={Inflights.Count}" : "") + (ProbeSent ? " paused" : "");
}
