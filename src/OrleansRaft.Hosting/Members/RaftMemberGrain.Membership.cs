using System.Diagnostics;
using OrleansRaft.Abstractions;
using OrleansRaft.Core;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.Hosting.Diagnostics;
using OrleansRaft.Hosting.Groups;

namespace OrleansRaft.Hosting.Members;

internal sealed partial class RaftMemberGrain
{
    /// <summary>The members the group record listed when last read: voters, learners and joining members.</summary>
    private HashSet<ulong> _recordMembers = [];

    /// <summary>When the group record was last read, to bound how often an unknown sender makes it read again.</summary>
    private readonly Stopwatch _recordAge = Stopwatch.StartNew();

    /// <summary>Senders already reported as non-members, so that a chatty one is logged once per activation.</summary>
    private readonly HashSet<ulong> _reportedStrangers = [];

    private Task? _recordRefresh;

    /// <summary>The members of the configuration applied before the last one: a leader that removed itself hands over
    /// (TimeoutNow) once its removal committed, so its last messages come from a member no longer listed.</summary>
    private HashSet<ulong> _previousMembers = [];

    private MembershipConfiguration _appliedMembership = MembershipConfiguration.Empty;

    public async Task<RaftMembershipChangeResult> ChangeMembershipAsync(RaftMembershipChangeType type, ulong memberId, string? adminToken)
    {
        RaftAdminToken.Verify(_options, adminToken);
        await EnsureStartedAsync();
        ThrowIfFailed();
        var change = type switch
        {
            RaftMembershipChangeType.AddLearner => ConfigurationChange.AddLearner(memberId),
            RaftMembershipChangeType.Promote => ConfigurationChange.PromoteLearner(memberId),
            RaftMembershipChangeType.Remove => ConfigurationChange.RemoveMember(memberId),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown membership change."),
        };

        NoteRequest();
        var proposed = Node.ProposeConfigurationChange(change);
        if (!proposed.IsAccepted)
        {
            return new RaftMembershipChangeResult(ToStatus(proposed.Status), 0, proposed.LeaderHint, [], []);
        }

        RaftLogMessages.MembershipChangeProposed(_logger, _name, change.ToString(), proposed.Index);
        Kick();

        // The entry commits, or another leader's entry replaces it; either way this member applies that index.
        var clock = Stopwatch.StartNew();
        while (_applied < proposed.Index)
        {
            ThrowIfFailed();
            if (clock.Elapsed > _options.MembershipChangeTimeout)
            {
                throw new TimeoutException(
                    $"The membership change '{change}' of Raft group '{_key.GroupId}' at index {proposed.Index} was not applied within {_options.MembershipChangeTimeout}; it may still commit.");
            }

            await Task.Delay(_options.TickInterval);
        }

        if (_reader!.TryGetTerm(proposed.Index, out var term) == LogReadStatus.Ok && term != proposed.Term)
        {
            return new RaftMembershipChangeResult(RaftMembershipChangeStatus.Dropped, proposed.Index, Node.Leader, [], []);
        }

        // Committed: persist it before answering, so that the admin grain may delete a removed member, or rely on a
        // promoted one, knowing the record says so too.
        var applied = _applied;
        var configuration = Node.ConfigurationAt(applied);
        await PersistMembershipAsync(configuration, applied);
        return new RaftMembershipChangeResult(
            RaftMembershipChangeStatus.Ok, proposed.Index, _key.MemberId, [.. configuration.Voters], [.. configuration.Learners]);
    }

    private static RaftMembershipChangeStatus ToStatus(ConfigurationChangeStatus status) => status switch
    {
        ConfigurationChangeStatus.NotLeader => RaftMembershipChangeStatus.NotLeader,
        ConfigurationChangeStatus.AlreadyMember => RaftMembershipChangeStatus.AlreadyMember,
        ConfigurationChangeStatus.NotMember or ConfigurationChangeStatus.NotLearner or ConfigurationChangeStatus.InvalidMemberId => RaftMembershipChangeStatus.NotMember,
        ConfigurationChangeStatus.LearnerBehind => RaftMembershipChangeStatus.LearnerBehind,
        ConfigurationChangeStatus.LastVoter => RaftMembershipChangeStatus.LastVoter,
        _ => RaftMembershipChangeStatus.Busy,
    };

    /// <summary>
    /// Called from the Ready loop for every Ready: a configuration that this Ready applies is committed, so the leader
    /// records it in the group record (in the background; the record only ever moves to a later index), and a member
    /// that it removes logs that it waits for its deletion.
    /// </summary>
    private void OnMembership(Ready ready)
    {
        if (ready.AppliedConfiguration is not { } applied)
        {
            return;
        }

        RaftLogMessages.ConfigurationApplied(_logger, _name, applied.ToString(), _applied);
        _previousMembers = [.. _appliedMembership.Voters, .. _appliedMembership.Learners];
        _appliedMembership = applied;
        if (!applied.Contains(_key.MemberId) && !applied.IsEmpty)
        {
            RaftLogMessages.RemovedFromGroup(_logger, _name);
        }

        if (Node.Role == RaftRole.Leader)
        {
            _ = PersistMembershipInBackgroundAsync(applied, _applied);
        }
    }

    private async Task PersistMembershipInBackgroundAsync(MembershipConfiguration configuration, ulong index)
    {
        try
        {
            await PersistMembershipAsync(configuration, index);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The admin grain's call persists it again before it answers; a later change persists a later one.
            RaftLogMessages.MembershipNotPersisted(_logger, _name, index, e);
        }
    }

    private async Task PersistMembershipAsync(MembershipConfiguration configuration, ulong index)
    {
        var record = await RaftGroupRecords.WriteConfigurationAsync(GroupStorage, _key.GroupId, index, [.. configuration.Voters], [.. configuration.Learners]);
        if (record is not null)
        {
            _recordMembers = [.. record.AllMembers()];
            _recordAge.Restart();
        }
    }

    /// <summary>
    /// Is <paramref name="from"/> a member of this group? It is if the configuration in force lists it, or the group
    /// record does: a member behind in the log may not know yet of a member that joined since (and that may even lead
    /// by now), but the record lists every member before it starts. A sender neither lists is ignored and logged, and
    /// makes the record be read again, at most once a second, in case it joined after the last read. A member of the
    /// configuration applied before the last one is still heard, for its hand-over.
    /// </summary>
    private bool IsMember(ulong from)
    {
        if (Node.Configuration.Contains(from) || _recordMembers.Contains(from) || _previousMembers.Contains(from))
        {
            return true;
        }

        if (_reportedStrangers.Add(from))
        {
            RaftLogMessages.IgnoredNonMember(_logger, _name, from);
        }

        if (_recordRefresh is null && _recordAge.Elapsed > TimeSpan.FromSeconds(1))
        {
            _recordRefresh = RefreshRecordMembersAsync();
        }

        return false;
    }

    private async Task RefreshRecordMembersAsync()
    {
        try
        {
            var (record, _) = await RaftGroupRecords.ReadAsync(GroupStorage, _key.GroupId);
            if (record is not null)
            {
                _recordMembers = [.. record.AllMembers()];
                _reportedStrangers.RemoveWhere(_recordMembers.Contains);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            RaftLogMessages.MembershipNotPersisted(_logger, _name, 0, e);
        }
        finally
        {
            _recordAge.Restart();
            _recordRefresh = null;
        }
    }
}
