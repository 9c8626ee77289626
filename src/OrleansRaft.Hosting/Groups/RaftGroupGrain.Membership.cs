using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.Hosting.Diagnostics;
using OrleansRaft.Hosting.Placement;

namespace OrleansRaft.Hosting.Groups;

/// <summary>
/// The membership admin API. Each change is one single-member change made by the group's leader (found by following
/// NotLeader hints), which answers once the change committed and it recorded the new membership in the group record.
/// The admin grain is not reentrant, so one group's admin calls run one at a time.
/// </summary>
internal sealed partial class RaftGroupGrain
{
    public async Task<RaftMembership?> ListMembersAsync(string? adminToken)
    {
        await AuthorizeAdminAsync(adminToken);
        var (record, _) = await RaftGroupRecords.ReadAsync(Storage, GroupId);
        if (record is null || record.Deleting)
        {
            return null;
        }

        return ToMembership(record, await ViewMembersAsync(record.AllMembers()));
    }

    public async Task<RaftMembership> AddMemberAsync(ulong memberId, string? adminToken)
    {
        await AuthorizeAdminAsync(adminToken);
        var record = await AddLearnerAsync(memberId);
        if (!(record.Learners ?? []).Contains(memberId))
        {
            throw Failure(RaftMembershipFailure.AlreadyMember, $"member {memberId} is a voter already.");
        }

        return await PromoteLearnerAsync(memberId, "add");
    }

    public async Task<RaftMembership> PromoteAsync(ulong memberId, string? adminToken)
    {
        await AuthorizeAdminAsync(adminToken);
        var record = await ReadExistingAsync();
        if (!(record.Learners ?? []).Contains(memberId))
        {
            throw Failure(RaftMembershipFailure.UnknownMember, $"member {memberId} is not a learner (voters: {Join(record.Members)}; learners: {Join(record.Learners)}).");
        }

        return await PromoteLearnerAsync(memberId, "promote");
    }

    public async Task<RaftMembership> RemoveMemberAsync(ulong memberId, string? adminToken)
    {
        await AuthorizeAdminAsync(adminToken);
        return await RemoveAsync(memberId, "remove");
    }

    public async Task<RaftMembership> ReplaceMemberAsync(ulong oldMemberId, ulong newMemberId, string? adminToken)
    {
        await AuthorizeAdminAsync(adminToken);
        var record = await ReadExistingAsync();
        if (!record.Members.Contains(oldMemberId) && !(record.Learners ?? []).Contains(oldMemberId))
        {
            throw Failure(RaftMembershipFailure.UnknownMember, $"member {oldMemberId} is not a member (members: {Join(record.AllMembers())}).");
        }

        // Grow first, then shrink: the quorum never depends on the member being replaced more than it did before.
        record = await AddLearnerAsync(newMemberId);
        if ((record.Learners ?? []).Contains(newMemberId))
        {
            await PromoteLearnerAsync(newMemberId, "replace: promote");
        }

        return await RemoveAsync(oldMemberId, "replace: remove");
    }

    /// <summary>
    /// Lists the new member as joining (so that it may start), starts it on a silo free of the group's other members,
    /// and adds it as a learner. A member that is a learner or voter already is left as it is, so that a retried call
    /// resumes where the last one stopped.
    /// </summary>
    private async Task<RaftGroupRecord> AddLearnerAsync(ulong memberId)
    {
        if (memberId == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(memberId), "A member id is a positive integer; 0 means 'no member'.");
        }

        var (record, etag) = await RaftGroupRecords.ReadAsync(Storage, GroupId);
        if (record is null || record.Deleting)
        {
            throw new RaftGroupNotFoundException(GroupId);
        }

        if (record.Members.Contains(memberId) || (record.Learners ?? []).Contains(memberId))
        {
            return record;
        }

        if (!(record.Joining ?? []).Contains(memberId))
        {
            record = record with { Joining = [.. record.Joining ?? [], memberId] };
            await RaftGroupRecords.WriteAsync(Storage, GroupId, record, etag);
        }

        await StartNewMemberAsync(memberId, record);
        var result = await ChangeAsync(RaftMembershipChangeType.AddLearner, memberId, record, RaftMembershipChangeStatus.AlreadyMember);
        LogChange("add learner", memberId, result);
        return await ReadExistingAsync();
    }

    /// <summary>
    /// Activates the new member where none of the group's members lives, while the hint is in the request context. Just
    /// after a silo died, and until Orleans declares it dead, the activation can fail in placement or in the directory
    /// (a lookup sent to the dead silo is rejected): such failures are retried within the change timeout, as the changes
    /// themselves are, so that a member on a silo that was just killed can be replaced at once.
    /// </summary>
    private async Task StartNewMemberAsync(ulong memberId, RaftGroupRecord record)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var others = await ViewMembersAsync(record.Members.Concat(record.Learners ?? []));
            var avoid = others.Select(v => v.Status?.Silo).OfType<string>().Distinct().ToArray();
            RequestContext.Set(RaftGroupPlacementDirector.AvoidSilosKey, avoid);
            try
            {
                await Member(memberId).GetStatusAsync().WaitAsync(CallBound);
                return;
            }
            catch (Exception e) when ((e is TimeoutException or OrleansException) && clock.Elapsed < Options.MembershipChangeTimeout)
            {
                RaftGroupLogMessages.NewMemberNotStarted(Logger, GroupId, memberId, e.Message);
            }
            finally
            {
                RequestContext.Remove(RaftGroupPlacementDirector.AvoidSilosKey);
            }

            await Task.Delay(Options.TickInterval * 2);
        }
    }

    /// <summary>Promotes the learner once the leader sees it caught up, retrying while it is behind, within the change timeout.</summary>
    private async Task<RaftMembership> PromoteLearnerAsync(ulong memberId, string operation)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var record = await ReadExistingAsync();
            var result = await ChangeAsync(RaftMembershipChangeType.Promote, memberId, record, RaftMembershipChangeStatus.NotMember);
            if (result.Status != RaftMembershipChangeStatus.LearnerBehind)
            {
                LogChange(operation, memberId, result);
                return ToMembership(await ReadExistingAsync(), []);
            }

            if (clock.Elapsed > Options.MembershipChangeTimeout)
            {
                throw Failure(RaftMembershipFailure.LearnerBehind,
                    $"learner {memberId} did not catch up with the leader within {Options.MembershipChangeTimeout}; it stays a learner: promote it later.");
            }

            await Task.Delay(Options.TickInterval * 2);
        }
    }

    /// <summary>Removes the member, and once the removal committed (and the record says so), deletes its durable state.</summary>
    private async Task<RaftMembership> RemoveAsync(ulong memberId, string operation)
    {
        var (record, etag) = await RaftGroupRecords.ReadAsync(Storage, GroupId);
        if (record is null || record.Deleting)
        {
            throw new RaftGroupNotFoundException(GroupId);
        }

        if (!record.Lists(memberId))
        {
            throw Failure(RaftMembershipFailure.UnknownMember, $"member {memberId} is not a member (members: {Join(record.AllMembers())}).");
        }

        if (record.Members.Contains(memberId) || (record.Learners ?? []).Contains(memberId))
        {
            var result = await ChangeAsync(RaftMembershipChangeType.Remove, memberId, record, RaftMembershipChangeStatus.NotMember);
            LogChange(operation, memberId, result);
            var (reread, rereadEtag) = await RaftGroupRecords.ReadAsync(Storage, GroupId);
            (record, etag) = (reread ?? throw new RaftGroupNotFoundException(GroupId), rereadEtag);
        }

        if ((record.Joining ?? []).Contains(memberId))
        {
            // A member that never made it into a configuration: it is only listed.
            record = record with { Joining = [.. record.Joining!.Where(j => j != memberId)] };
            await RaftGroupRecords.WriteAsync(Storage, GroupId, record, etag);
        }

        if (record.Lists(memberId))
        {
            throw Failure(RaftMembershipFailure.ChangeInProgress, $"member {memberId} is still listed after its removal committed; retry.");
        }

        // Committed and recorded: the member can no longer start, so deleting its state cannot race a restart.
        try
        {
            await Member(memberId).DestroyAsync(Options.AdminToken).WaitAsync(Options.MembershipChangeTimeout);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            RaftGroupLogMessages.RemovedStateNotDeleted(Logger, GroupId, memberId, e);
        }

        return ToMembership(record, []);
    }

    /// <summary>
    /// Asks the leader to make one change, following hints and retrying while the leader is busy, within the change
    /// timeout. <paramref name="doneStatus"/> is the refusal that means a retried change already took effect (the
    /// answer to an earlier attempt was lost); it is returned as such for the caller to judge by the record.
    /// </summary>
    private async Task<RaftMembershipChangeResult> ChangeAsync(
        RaftMembershipChangeType type, ulong memberId, RaftGroupRecord record, RaftMembershipChangeStatus doneStatus)
    {
        // Start at the leader the members name, and try the members that answered before any that did not: a call to
        // a member on a silo that just died can hang until Orleans declares that silo dead.
        var views = await ViewMembersAsync(record.Members.Concat(record.Learners ?? []).Distinct());
        var candidates = views.OrderBy(v => v.Status is null).Select(v => v.MemberId).ToArray();
        var clock = Stopwatch.StartNew();
        var attempt = 0;
        ulong target = views.Select(v => v.Status).OfType<RaftMemberStatus>().MaxBy(s => s.Term)?.Leader ?? 0;
        var busy = false;
        var uncertain = false;
        string? lastError = null;
        while (true)
        {
            var to = target != 0 ? target : candidates[attempt++ % candidates.Length];
            target = 0;
            try
            {
                // A leader answers once the change committed, which takes a round trip and a write; what takes longer
                // is a member that cannot answer.
                var remaining = Options.MembershipChangeTimeout - clock.Elapsed;
                var bound = remaining < CallBound ? (remaining > TimeSpan.FromSeconds(1) ? remaining : TimeSpan.FromSeconds(1)) : CallBound;
                var result = await Member(to).ChangeMembershipAsync(type, memberId, Options.AdminToken).WaitAsync(bound);
                switch (result.Status)
                {
                    case RaftMembershipChangeStatus.Ok:
                    case RaftMembershipChangeStatus.LearnerBehind:
                        return result;
                    case var s when s == doneStatus && uncertain:
                        return result;
                    case RaftMembershipChangeStatus.NotLeader:
                        target = result.LeaderHint != to ? result.LeaderHint : 0;
                        break;
                    case RaftMembershipChangeStatus.Busy:
                        busy = true;
                        target = to;
                        break;
                    case RaftMembershipChangeStatus.Dropped:
                        // Not committed; the new leader takes it again.
                        target = result.LeaderHint != to ? result.LeaderHint : 0;
                        break;
                    case RaftMembershipChangeStatus.AlreadyMember:
                        throw Failure(RaftMembershipFailure.AlreadyMember, $"member {memberId} is a member already.");
                    case RaftMembershipChangeStatus.NotMember:
                        throw Failure(RaftMembershipFailure.UnknownMember, $"member {memberId} is not a member{(type == RaftMembershipChangeType.Promote ? " learner" : "")} of the group.");
                    case RaftMembershipChangeStatus.LastVoter:
                        throw Failure(RaftMembershipFailure.LastVoter, $"member {memberId} is the last voter: add another member before removing it.");
                }
            }
            catch (Exception e) when (e is TimeoutException or OrleansException or InvalidOperationException or SiloUnavailableException
                or RaftMemberNotFoundException or RaftGroupNotFoundException)
            {
                // The change may have committed regardless: a refusal that says it is done now counts as done.
                uncertain = true;
                lastError = $"member {to}: {e.Message}";
            }

            if (clock.Elapsed > Options.MembershipChangeTimeout)
            {
                throw busy
                    ? Failure(RaftMembershipFailure.ChangeInProgress, $"another membership change or leadership transfer was still in progress after {Options.MembershipChangeTimeout}; retry later.")
                    : Failure(RaftMembershipFailure.NoLeader, $"no leader accepted the change within {Options.MembershipChangeTimeout}{(lastError is null ? "" : $" (last error: {lastError})")}.");
            }

            await Task.Delay(Options.TickInterval);
        }
    }

    /// <summary>How long one change call to one member may take before the next member is tried.</summary>
    private static readonly TimeSpan CallBound = TimeSpan.FromSeconds(10);

    private async Task<RaftGroupRecord> ReadExistingAsync()
    {
        var (record, _) = await RaftGroupRecords.ReadAsync(Storage, GroupId);
        return record is null || record.Deleting ? throw new RaftGroupNotFoundException(GroupId) : record;
    }

    private IRaftMemberGrain Member(ulong id) => GrainFactory.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format(GroupId, id));

    private RaftMembership ToMembership(RaftGroupRecord record, RaftMemberView[] views) =>
        new(GroupId, record.Members, record.Learners ?? [], record.ConfigurationIndex, views);

    private RaftMembershipException Failure(RaftMembershipFailure reason, string message) => new(GroupId, reason, message);

    private void LogChange(string operation, ulong memberId, RaftMembershipChangeResult result) =>
        RaftGroupLogMessages.MembershipChanged(Logger, GroupId, operation, memberId, Join(result.Voters), Join(result.Learners));

    private static string Join(IEnumerable<ulong>? ids) => ids?.Any() == true ? string.Join(",", ids) : "none";
}

/// <summary>The log messages of the membership admin API.</summary>
internal static partial class RaftGroupLogMessages
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Raft group {Group}: {Operation} member {MemberId} done; voters {Voters}, learners {Learners}.")]
    public static partial void MembershipChanged(ILogger logger, string group, string operation, ulong memberId, string voters, string learners);

    [LoggerMessage(Level = LogLevel.Information, Message = "Raft group {Group}: new member {MemberId} did not start yet ({Error}); retrying.")]
    public static partial void NewMemberNotStarted(ILogger logger, string group, ulong memberId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Raft group {Group}: member {MemberId} was removed, but deleting its state did not finish; its state stays unused, as the member can no longer start.")]
    public static partial void RemovedStateNotDeleted(ILogger logger, string group, ulong memberId, Exception exception);
}
