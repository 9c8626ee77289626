namespace OrleansRaft.Core;

/// <summary>
/// Membership changes, one member at a time (Raft thesis §4.1–4.3).
/// </summary>
/// <remarks>
/// <para>
/// Why one member at a time rather than joint consensus: when the voters change by at most one, every majority of
/// the old voters overlaps every majority of the new ones, so no transitional C_old,new configuration is needed.
/// A configuration stays one set of voters, every quorum is one majority, and each change is one entry. Growing,
/// shrinking and replacing a member are all sequences of single changes (add a learner, promote it, remove the old
/// member), which is also the order in which a new member should join anyway: as a learner that catches up without
/// stalling commits. Joint consensus would buy atomic multi-member changes at the cost of a second quorum rule in
/// every election, commit and read, and of a leave-joint step; nothing here needs that.
/// </para>
/// <para>
/// The rules that make single changes safe:
/// <list type="bullet">
/// <item>A configuration entry takes effect on each member as soon as it is appended, committed or not, and a
/// truncated entry takes its configuration with it (<see cref="Log.ConfigurationHistory"/>).</item>
/// <item>A leader appends a configuration entry only when the previous one is committed, so at most one change is
/// in flight (<see cref="ConfigurationChangeStatus.ChangeInProgress"/>).</item>
/// <item>A new leader appends one only after an entry of its own term is committed
/// (<see cref="ConfigurationChangeStatus.LeaderTermNotCommitted"/>). This is the fix from the erratum to the thesis
/// §4.3: without it, a leader could append a change on top of an uncommitted change of a deposed leader, and the two
/// changes together differ by two members, so two disjoint majorities could elect two leaders in one term.
/// Committing an entry of its term first proves that no deposed leader's change can still commit.</item>
/// </list>
/// </para>
/// <para>
/// A leader that removes itself keeps leading, without counting itself toward any quorum, until the removal
/// commits. Then it hands over: it brings the most up-to-date remaining voter fully up to date and sends it
/// TimeoutNow, so that a successor is elected at once rather than after an election timeout, and steps down.
/// If the handover does not finish within an election timeout, it steps down anyway.
/// </para>
/// </remarks>
public sealed partial class RaftNode
{
    /// <summary>Set while a leader whose removal has committed is handing leadership over.</summary>
    private bool _handingOverAfterRemoval;

    /// <summary>This member is not a voter of the configuration in force; checked on every step of a leader, so cached.</summary>
    private bool _notAVoter;

    /// <summary>The membership in force when the previous <see cref="Ready"/> was handed out.</summary>
    private MembershipConfiguration _previousConfiguration = MembershipConfiguration.Empty;

    /// <summary>The membership in force at the last committed entry handed out for applying.</summary>
    private MembershipConfiguration _previousAppliedConfiguration = MembershipConfiguration.Empty;

    /// <summary>
    /// Proposes one change to the membership. When accepted, the configuration entry is appended and in force on
    /// this leader at once (the quorum for every later commit, this entry's included, is the new one's); each
    /// follower puts it in force when it appends it. See the type's remarks for the rules that refuse a proposal.
    /// </summary>
    public ConfigurationChangeResult ProposeConfigurationChange(ConfigurationChange change)
    {
        Unquiesce();
        if (Role != RaftRole.Leader)
        {
            return Refuse(ConfigurationChangeStatus.NotLeader, Leader);
        }

        if (_leadTransferee != 0 || _handingOverAfterRemoval)
        {
            return Refuse(ConfigurationChangeStatus.LeadershipTransferInProgress, Id);
        }

        var overlapping = (_options.InjectedBugs & InjectedBugs.OverlappingConfigurationChanges) != 0;
        if (!CommittedInCurrentTerm && !overlapping)
        {
            return Refuse(ConfigurationChangeStatus.LeaderTermNotCommitted, Id);
        }

        if (_log.Configurations.LastChangeIndex > _log.Committed && !overlapping)
        {
            return Refuse(ConfigurationChangeStatus.ChangeInProgress, Id);
        }

        var current = _tracker.Configuration;
        var (status, next) = Validate(current, change);
        if (status != ConfigurationChangeStatus.Accepted)
        {
            return Refuse(status, Id);
        }

        var index = _log.LastIndex + 1;
        var data = next!.Encode();
        _log.Append([new Entry(Term, index, EntryType.Configuration, data)]);
        _uncommittedSize += (ulong)data.Length;
        SyncConfiguration();
        _broadcastPending = true;

        // In a group of one voter the leader's own durable write is the whole quorum; MaybeCommit runs on Advance.
        return new ConfigurationChangeResult(ConfigurationChangeStatus.Accepted, index, Term, Id, next);
    }

    /// <summary>
    /// The membership in force at <paramref name="index"/>, for any index at or after <see cref="AppliedIndex"/>.
    /// A host records this, at the index it snapshots, in the snapshot's metadata.
    /// </summary>
    public MembershipConfiguration ConfigurationAt(ulong index) => _log.Configurations.At(index);

    private static ConfigurationChangeResult Refuse(ConfigurationChangeStatus status, ulong leaderHint) =>
        new(status, 0, 0, leaderHint, null);

    private (ConfigurationChangeStatus Status, MembershipConfiguration? Next) Validate(MembershipConfiguration current, ConfigurationChange change)
    {
        var id = change.MemberId;
        if (id == 0)
        {
            return (ConfigurationChangeStatus.InvalidMemberId, null);
        }

        switch (change.Type)
        {
            case ConfigurationChangeType.AddLearner:
                return current.Contains(id)
                    ? (ConfigurationChangeStatus.AlreadyMember, null)
                    : (ConfigurationChangeStatus.Accepted, new MembershipConfiguration(current.Voters, current.Learners.Append(id)));

            case ConfigurationChangeType.PromoteLearner:
                if (!current.IsLearner(id))
                {
                    return (ConfigurationChangeStatus.NotLearner, null);
                }

                var progress = _tracker.Progress[id];
                if (progress.State != Tracking.ReplicationState.Replicate || progress.Match + _options.MaxPromotionLag < _log.Committed)
                {
                    return (ConfigurationChangeStatus.LearnerBehind, null);
                }

                return (ConfigurationChangeStatus.Accepted,
                    new MembershipConfiguration(current.Voters.Append(id), current.Learners.Where(l => l != id)));

            case ConfigurationChangeType.RemoveMember:
                if (!current.Contains(id))
                {
                    return (ConfigurationChangeStatus.NotMember, null);
                }

                if (current.IsVoter(id) && current.Voters.Count == 1)
                {
                    return (ConfigurationChangeStatus.LastVoter, null);
                }

                return (ConfigurationChangeStatus.Accepted,
                    new MembershipConfiguration(current.Voters.Where(v => v != id), current.Learners.Where(l => l != id)));

            default:
                throw new ArgumentOutOfRangeException(nameof(change), change.Type, "Unknown configuration change type.");
        }
    }

    /// <summary>
    /// Puts the last configuration in the log in force, after the log changed (an append that may have carried or
    /// truncated a configuration entry, or a snapshot).
    /// </summary>
    private void SyncConfiguration()
    {
        var current = _log.Configurations.Current;
        if (ReferenceEquals(current, _tracker.Configuration))
        {
            return;
        }

        _tracker.ChangeConfiguration(current, _log.LastIndex + 1);
        _notAVoter = !current.IsVoter(Id);
        if (_leadTransferee != 0 && !current.IsVoter(_leadTransferee))
        {
            _leadTransferee = 0;
        }
    }

    /// <summary>
    /// A leader whose own removal has committed hands leadership to the most up-to-date remaining voter and steps
    /// down: at once if that voter holds the whole log, otherwise once it has caught up, or after an election timeout.
    /// </summary>
    private void MaybeHandOverAfterRemoval()
    {
        if (!_notAVoter || Role != RaftRole.Leader || _log.Configurations.LastChangeIndex > _log.Committed)
        {
            return;
        }

        var target = _leadTransferee;
        if (target == 0)
        {
            if (_handingOverAfterRemoval)
            {
                // The handover was abandoned after an election timeout: leave the election to the others.
                BecomeFollower(Term, 0);
                return;
            }

            target = MostUpToDateVoter();
            if (target == 0)
            {
                BecomeFollower(Term, 0);
                return;
            }

            _handingOverAfterRemoval = true;
            _leadTransferee = target;
            _electionElapsed = 0;
        }

        if (_tracker.Progress[target].Match == _log.LastIndex)
        {
            SendTimeoutNow(target);
            BecomeFollower(Term, 0);
        }
        else
        {
            // Only entries the target lacks: this runs on every Advance, and an empty append each time would make a
            // new Ready forever while the target's acknowledgement is on its way.
            MaybeSendAppend(target, sendIfEmpty: false);
        }
    }

    private ulong MostUpToDateVoter()
    {
        ulong best = 0, bestMatch = 0;
        foreach (var id in _tracker.Configuration.Voters)
        {
            var match = _tracker.Progress[id].Match;
            if (best == 0 || match > bestMatch)
            {
                (best, bestMatch) = (id, match);
            }
        }

        return best;
    }
}
