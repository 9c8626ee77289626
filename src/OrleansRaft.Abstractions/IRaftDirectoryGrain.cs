using Orleans.Concurrency;

namespace OrleansRaft.Abstractions;

/// <summary>
/// The list of groups in the cluster, kept by the groups' admin grains: a group is listed once its membership is
/// durable and unlisted once it is deleted. There is one directory, key <see cref="Key"/>.
/// </summary>
/// <remarks>
/// Pages are cut from the directory's sorted list of ids, which it keeps in memory: a page costs the directory a binary
/// search, whatever the number of groups, and a status page asks only the groups on it.
/// </remarks>
public interface IRaftDirectoryGrain : IGrainWithIntegerKey
{
    public const long Key = 0;

    /// <summary>The largest page <see cref="ListGroupsAsync(string?, int)"/> and <see cref="GetStatusAsync"/> answer.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>The ids of every group, in ordinal order.</summary>
    [AlwaysInterleave]
    Task<string[]> ListGroupsAsync();

    /// <summary>
    /// At most <paramref name="limit"/> (1 to <see cref="MaxPageSize"/>) group ids that follow <paramref name="after"/>
    /// in ordinal order (from the first when null or empty), with the cursors of the pages around it.
    /// </summary>
    [AlwaysInterleave]
    Task<RaftGroupPage> ListGroupsAsync(string? after, int limit);

    /// <summary>
    /// The page <see cref="ListGroupsAsync(string?, int)"/> answers, with the status of each group on it (see
    /// <see cref="IRaftGroupGrain.GetStatusAsync"/>), asked of those groups only. A group deleted between the listing
    /// and its answer is left out of <see cref="RaftGroupStatusPage.Groups"/>.
    /// </summary>
    /// <remarks>
    /// It interleaves with the directory's other calls, as they all do: it waits on the groups' admin grains, and an admin
    /// grain that is creating or deleting its group waits on the directory's <see cref="AddAsync"/> or
    /// <see cref="RemoveAsync"/>; taking turns, the two would wait on each other until a call timed out.
    /// </remarks>
    [AlwaysInterleave]
    Task<RaftGroupStatusPage> GetStatusAsync(string? after, int limit);

    /// <summary>Lists <paramref name="groupId"/>; idempotent. Called by the group's admin grain.</summary>
    /// <remarks>Interleaved: the directory gathers the changes that arrive together into shared writes.</remarks>
    [AlwaysInterleave]
    Task AddAsync(string groupId);

    /// <summary>Unlists <paramref name="groupId"/>; idempotent. Called by the group's admin grain.</summary>
    [AlwaysInterleave]
    Task RemoveAsync(string groupId);
}
