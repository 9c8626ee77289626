using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.Hosting.Diagnostics;

namespace OrleansRaft.Hosting.Groups;

/// <summary>
/// The admin of one group. Creation persists the membership first and only then starts the members, so no member
/// can campaign for a group that is not durably created. Deletion marks the record, destroys every member's state,
/// then removes the record; an interrupted deletion resumes when called again.
/// </summary>
internal sealed partial class RaftGroupGrain(IOptions<OrleansRaftOptions> options, ILogger<RaftGroupGrain> logger) : Grain, IRaftGroupGrain
{
    private OrleansRaftOptions Options => options.Value;

    private ILogger Logger => logger;

    private IGrainStorage Storage => ServiceProvider.GetRequiredKeyedService<IGrainStorage>(options.Value.GroupStorage);

    private string GroupId => this.GetPrimaryKeyString();

    public async Task<RaftGroupInfo> CreateAsync(RaftGroupSpec spec, string? adminToken)
    {
        await AuthorizeAdminAsync(adminToken);
        ArgumentNullException.ThrowIfNull(spec);
        RaftMemberKey.ValidateGroupId(GroupId);
        if (spec.Members is null || spec.Members.Length == 0 || spec.Members.Contains(0UL) || spec.Members.Distinct().Count() != spec.Members.Length)
        {
            throw new ArgumentException("A group needs at least one member, with distinct positive ids.", nameof(spec));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(spec.StateMachineType, nameof(spec.StateMachineType));
        if (ServiceProvider.GetKeyedService<IRaftStateMachine>(spec.StateMachineType) is null)
        {
            throw new ArgumentException(
                $"No state machine type '{spec.StateMachineType}' is registered on this silo: call AddRaftStateMachine on every silo.", nameof(spec));
        }

        var members = spec.Members.Order().ToArray();
        var (existing, etag) = await RaftGroupRecords.ReadAsync(Storage, GroupId);
        RaftGroupRecord record;
        if (existing is null)
        {
            record = new RaftGroupRecord(members, spec.StateMachineType, DateTimeOffset.UtcNow, Deleting: false, Incarnation: RaftGroupRecord.NewIncarnation());
            await RaftGroupRecords.WriteAsync(Storage, GroupId, record, etag);
            RaftLogMessages.GroupCreated(logger, GroupId, string.Join(",", members), spec.StateMachineType);
        }
        else if (existing.Deleting || !existing.Members.SequenceEqual(members) || existing.StateMachineType != spec.StateMachineType)
        {
            throw new RaftGroupExistsException(GroupId);
        }
        else
        {
            record = existing;
        }

        // Listed only once durable, so the directory never names a group that a crash could forget; listing is
        // idempotent, so a retried creation repairs a listing that a crash left out.
        await GrainFactory.GetGrain<IRaftDirectoryGrain>(IRaftDirectoryGrain.Key).AddAsync(GroupId);

        // Starting the members is what lets them elect a leader; the record is durable by now.
        await Task.WhenAll(members.Select(m => GrainFactory.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format(GroupId, m)).GetStatusAsync()));
        return ToInfo(record);
    }

    /// <summary>The admin token, or a credential the silo's <see cref="IRaftAdminAuthorizer"/> accepts (see <see cref="RaftAdminToken.VerifyAsync"/>).</summary>
    private Task AuthorizeAdminAsync(string? adminToken) =>
        RaftAdminToken.VerifyAsync(Options, adminToken, ServiceProvider.GetService<IRaftAdminAuthorizer>(), GroupId, async () =>
        {
            var (record, _) = await RaftGroupRecords.ReadAsync(Storage, GroupId);
            return record is null || record.Deleting ? null : record.Members;
        });

    public async Task<RaftGroupInfo?> GetAsync()
    {
        var (record, _) = await RaftGroupRecords.ReadAsync(Storage, GroupId);
        return record is null || record.Deleting ? null : ToInfo(record);
    }

    public async Task<bool> DeleteAsync(string? adminToken)
    {
        await AuthorizeAdminAsync(adminToken);
        var (record, etag) = await RaftGroupRecords.ReadAsync(Storage, GroupId);
        if (record is null)
        {
            // A deletion interrupted after the record was cleared may have left the listing: remove it again.
            await GrainFactory.GetGrain<IRaftDirectoryGrain>(IRaftDirectoryGrain.Key).RemoveAsync(GroupId);
            return false;
        }

        if (!record.Deleting)
        {
            record = record with { Deleting = true };
            etag = await RaftGroupRecords.WriteAsync(Storage, GroupId, record, etag);
        }

        await Task.WhenAll(record.AllMembers().Select(m => GrainFactory.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format(GroupId, m)).DestroyAsync(Options.AdminToken)));
        await RaftGroupRecords.ClearAsync(Storage, GroupId, etag);
        await GrainFactory.GetGrain<IRaftDirectoryGrain>(IRaftDirectoryGrain.Key).RemoveAsync(GroupId);
        RaftLogMessages.GroupDeleted(logger, GroupId);
        return true;
    }

    public async Task<RaftGroupStatus?> GetStatusAsync()
    {
        var (record, _) = await RaftGroupRecords.ReadAsync(Storage, GroupId);
        if (record is null || record.Deleting)
        {
            return null;
        }

        var members = await ViewMembersAsync(record.AllMembers());
        var newest = members.Select(a => a.Status).OfType<RaftMemberStatus>().MaxBy(s => s.Term);
        return new RaftGroupStatus(GroupId, record.StateMachineType, newest?.Leader ?? 0, newest?.Term ?? 0, members);
    }

    /// <summary>Asks each member for its status within <see cref="StatusBound"/>; a member that cannot answer is reported with why.</summary>
    private async Task<RaftMemberView[]> ViewMembersAsync(IEnumerable<ulong> ids)
    {
        var answers = await Task.WhenAll(ids.Select(AskAsync));
        var commit = answers.Length == 0 ? 0 : answers.Max(a => a.Status?.Commit ?? 0);
        return [.. answers.Select(a => a with { Lag = a.Status is null ? 0 : commit - Math.Min(commit, a.Status.Applied) })];

        async Task<RaftMemberView> AskAsync(ulong member)
        {
            try
            {
                var status = await GrainFactory.GetGrain<IRaftMemberGrain>(RaftMemberKey.Format(GroupId, member)).GetStatusAsync().WaitAsync(StatusBound);
                return new RaftMemberView(member, status, null, 0);
            }
            catch (TimeoutException)
            {
                return new RaftMemberView(member, null, $"no answer within {StatusBound.TotalSeconds:0} s", 0);
            }
            catch (Exception e)
            {
                // Any failure, a cancelled call to a stopping silo included, describes this member only.
                return new RaftMemberView(member, null, e.Message, 0);
            }
        }
    }

    /// <summary>
    /// How long a status call waits for each member. Short, because a member on a silo that died is only reachable
    /// again once Orleans declares the silo dead, and an operator needs the rest of the picture now.
    /// </summary>
    private static readonly TimeSpan StatusBound = TimeSpan.FromSeconds(2);

    private RaftGroupInfo ToInfo(RaftGroupRecord record) => new(GroupId, record.Members, record.StateMachineType, record.CreatedAt);
}
