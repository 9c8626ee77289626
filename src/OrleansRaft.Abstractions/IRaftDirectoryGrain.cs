using Orleans.Concurrency;

namespace OrleansRaft.Abstractions;

/// <summary>
/// The list of groups in the cluster, kept by the groups' admin grains: a group is listed once its membership is
/// durable and unlisted once it is deleted. There is one directory, key <see cref="Key"/>.
/// </summary>
public interface IRaftDirectoryGrain : IGrainWithIntegerKey
{
    public const long Key = 0;

    /// <summary>The ids of every group, in ordinal order.</summary>
    [AlwaysInterleave]
    Task<string[]> ListGroupsAsync();

    /// <summary>The status of every group (see <see cref="IRaftGroupGrain.GetStatusAsync"/>), in ordinal order of id.</summary>
    /// <remarks>
    /// It interleaves with the directory's other calls: it waits on the groups' admin grains, and an admin grain that is
    /// creating or deleting its group waits on the directory's <see cref="AddAsync"/> or <see cref="RemoveAsync"/>; taking
    /// turns, the two would wait on each other until a call timed out.
    /// </remarks>
    [AlwaysInterleave]
    Task<RaftGroupStatus[]> GetStatusAsync();

    /// <summary>Lists <paramref name="groupId"/>; idempotent. Called by the group's admin grain.</summary>
    Task AddAsync(string groupId);

    /// <summary>Unlists <paramref name="groupId"/>; idempotent. Called by the group's admin grain.</summary>
    Task RemoveAsync(string groupId);
}
