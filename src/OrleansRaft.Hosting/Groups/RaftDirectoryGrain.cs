using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using OrleansRaft.Abstractions;
using OrleansRaft.Hosting.Configuration;

namespace OrleansRaft.Hosting.Groups;

/// <summary>
/// The cluster's list of groups, persisted in the Raft storage provider. Calls are not interleaved, so each change
/// reads, edits and writes the record with no other change in between; the ETag catches a second activation.
/// </summary>
internal sealed class RaftDirectoryGrain(IOptions<OrleansRaftOptions> options) : Grain, IRaftDirectoryGrain
{
    private const string StateName = "raft-directory";

    private static readonly GrainId RecordId = GrainId.Create(GrainType.Create("raftdirectory"), "groups");

    private IGrainStorage Storage => ServiceProvider.GetRequiredKeyedService<IGrainStorage>(options.Value.StorageProviderName);

    public async Task<string[]> ListGroupsAsync() => (await ReadAsync()).Record.Groups;

    public async Task<RaftGroupStatus[]> GetStatusAsync()
    {
        var groups = await ListGroupsAsync();
        var statuses = await Task.WhenAll(groups.Select(StatusOfAsync));

        // A group deleted between the listing and its answer is left out.
        return statuses.OfType<RaftGroupStatus>().ToArray();

        // One group that cannot answer (a storage error, say) is shown with its error; it does not hide the others.
        async Task<RaftGroupStatus?> StatusOfAsync(string groupId)
        {
            try
            {
                return await GrainFactory.GetGrain<IRaftGroupGrain>(groupId).GetStatusAsync();
            }
            catch (Exception e)
            {
                return new RaftGroupStatus(groupId, "", 0, 0, [new RaftMemberView(0, null, $"the group's status failed: {e.Message}", 0)]);
            }
        }
    }

    public async Task AddAsync(string groupId)
    {
        RaftMemberKey.ValidateGroupId(groupId);
        var (record, state) = await ReadAsync();
        if (Array.BinarySearch(record.Groups, groupId, StringComparer.Ordinal) < 0)
        {
            state.State = new RaftDirectoryRecord([.. record.Groups.Append(groupId).Order(StringComparer.Ordinal)]);
            await WriteAsync(state);
        }
    }

    public async Task RemoveAsync(string groupId)
    {
        var (record, state) = await ReadAsync();
        if (Array.BinarySearch(record.Groups, groupId, StringComparer.Ordinal) >= 0)
        {
            state.State = new RaftDirectoryRecord([.. record.Groups.Where(g => g != groupId)]);
            await WriteAsync(state);
        }
    }

    private async Task<(RaftDirectoryRecord Record, GrainState<RaftDirectoryRecord> State)> ReadAsync()
    {
        var state = new GrainState<RaftDirectoryRecord>();
        await Storage.ReadStateAsync(StateName, RecordId, state);
        return (state.RecordExists && state.State is { } record ? record : new RaftDirectoryRecord([]), state);
    }

    private Task WriteAsync(GrainState<RaftDirectoryRecord> state) => Storage.WriteStateAsync(StateName, RecordId, state);
}

/// <summary>The ids of every group, sorted ordinally.</summary>
[GenerateSerializer, Alias("orleansraft.directory-record")]
internal sealed record RaftDirectoryRecord([property: Id(0)] string[] Groups);
