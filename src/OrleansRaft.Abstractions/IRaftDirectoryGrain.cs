namespace OrleansRaft.Abstractions;

/// <summary>
/// The list of groups in the cluster, kept by the groups' admin grains: a group is listed once its membership is
/// durable and unlisted once it is deleted. There is one directory, key <see cref="Key"/>.
/// </summary>
public interface IRaftDirectoryGrain : IGrainWithIntegerKey
{
    public const long Key = 0;

    /// <summary>The ids of every group, in ordinal order.</summary>
    Task<string[]> ListGroupsAsync();

    /// <summary>The status of every group (see <see cref="IRaftGroupGrain.GetStatusAsync"/>), in ordinal order of id.</summary>
    Task<RaftGroupStatus[]> GetStatusAsync();

    /// <summary>Lists <paramref name="groupId"/>; idempotent. Called by the group's admin grain.</summary>
    Task AddAsync(string groupId);

    /// <summary>Unlists <paramref name="groupId"/>; idempotent. Called by the group's admin grain.</summary>
    Task RemoveAsync(string groupId);
}
