using OrleansRaft.Abstractions;
using OrleansRaft.KeyValue;

namespace OrleansRaft.Client;

/// <summary>
/// Groups as a run-time resource, from any Orleans client or grain: create, list, describe and delete Raft groups.
/// Creating and deleting need the admin token configured on the silos (<c>OrleansRaftOptions.AdminToken</c>); a
/// missing or wrong one throws <see cref="RaftAdminAuthenticationException"/>; an admin made with a user instead calls as
/// that user, which the silos let in while it holds the role <c>root</c> of their admin group. Listing and describing read only, as the
/// status page does, and need no token: an admin made without one can only read. Thread-safe; every call has a
/// timeout and a cancellation token.
/// </summary>
public sealed class RaftGroupAdmin
{
    /// <summary>How many members a key-value group gets when the caller names no number: a majority survives one loss.</summary>
    public const int DefaultMembers = 3;

    /// <summary>The page size of <see cref="ListAsync"/> and <see cref="ListStatusAsync"/> when the caller names none.</summary>
    public const int DefaultPageSize = 100;

    /// <summary>Deleting a group destroys every member's state: allowed as long as the grain call may take.</summary>
    private static readonly TimeSpan DeleteTimeout = TimeSpan.Parse(IRaftGroupGrain.MembershipCallTimeout, System.Globalization.CultureInfo.InvariantCulture);

    private readonly IGrainFactory _grains;
    private readonly string? _adminToken;
    private readonly KvAdminCaller? _user;

    /// <param name="grains">An <c>IClusterClient</c>, or a grain's factory.</param>
    /// <param name="adminToken">
    /// The token the silos are configured with, sent only with <see cref="CreateAsync"/> and <see cref="DeleteAsync"/>;
    /// null for an admin that only lists and describes (the silos then refuse its creations and deletions).
    /// </param>
    /// <param name="timeout">The bound of each call but deletion (which waits for every member's state to go); default 30 s.</param>
    public RaftGroupAdmin(IGrainFactory grains, string? adminToken = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        if (timeout is { } t && t <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), t, "The timeout must be positive.");
        }

        _grains = grains;
        _adminToken = adminToken;
        Timeout = timeout ?? TimeSpan.FromSeconds(30);
    }

    /// <summary>
    /// An admin that creates and deletes as <paramref name="user"/>, a user with the role <c>root</c> of the key-value
    /// group <paramref name="adminGroup"/> whose auth governs administration (see <see cref="KvAdminCaller"/>), instead
    /// of with the admin token.
    /// </summary>
    public RaftGroupAdmin(IGrainFactory grains, KvUserCredentials user, string adminGroup = "kv", TimeSpan? timeout = null)
        : this(grains, adminToken: null, timeout)
    {
        _user = new KvAdminCaller(grains, user, adminGroup);
    }

    public TimeSpan Timeout { get; }

    /// <summary>Creates key-value group <paramref name="groupId"/> with members 1 to <paramref name="members"/>.</summary>
    public Task<RaftGroupInfo> CreateKeyValueGroupAsync(string groupId, int members = DefaultMembers, CancellationToken cancellationToken = default)
    {
        if (members < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(members), members, "A group has at least one member.");
        }

        return CreateKeyValueGroupAsync(groupId, [.. Enumerable.Range(1, members).Select(i => (ulong)i)], cancellationToken);
    }

    /// <summary>Creates key-value group <paramref name="groupId"/> with the members <paramref name="memberIds"/> (distinct, positive).</summary>
    public Task<RaftGroupInfo> CreateKeyValueGroupAsync(string groupId, IReadOnlyList<ulong> memberIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(memberIds);
        return CreateAsync(groupId, new RaftGroupSpec([.. memberIds], KvStateMachine.TypeName), cancellationToken);
    }

    /// <summary>
    /// Creates a group running any state machine registered on the silos. Idempotent for the same specification; a
    /// group that exists with another throws <see cref="RaftGroupExistsException"/>. Returns once every member started.
    /// </summary>
    public Task<RaftGroupInfo> CreateAsync(string groupId, RaftGroupSpec spec, CancellationToken cancellationToken = default)
    {
        RaftMemberKey.ValidateGroupId(groupId);
        ArgumentNullException.ThrowIfNull(spec);
        return AsAdmin(() => _grains.GetGrain<IRaftGroupGrain>(groupId).CreateAsync(spec, _adminToken), cancellationToken).WaitAsync(Timeout, cancellationToken);
    }

    /// <summary>At most <paramref name="limit"/> group ids after <paramref name="after"/>, in ordinal order; see <see cref="RaftGroupPage"/>.</summary>
    public Task<RaftGroupPage> ListAsync(string? after = null, int limit = DefaultPageSize, CancellationToken cancellationToken = default)
    {
        ValidateLimit(limit);
        return Directory.ListGroupsAsync(after, limit).WaitAsync(Timeout, cancellationToken);
    }

    /// <summary>The page <see cref="ListAsync"/> answers, with each group's status (members, leader, term, indexes).</summary>
    public Task<RaftGroupStatusPage> ListStatusAsync(string? after = null, int limit = DefaultPageSize, CancellationToken cancellationToken = default)
    {
        ValidateLimit(limit);
        return Directory.GetStatusAsync(after, limit).WaitAsync(Timeout, cancellationToken);
    }

    /// <summary>
    /// The group as its members see it: each member's role, term, commit and applied index (or why it did not answer),
    /// the leader and its term; null when the group does not exist.
    /// </summary>
    public Task<RaftGroupStatus?> DescribeAsync(string groupId, CancellationToken cancellationToken = default)
    {
        RaftMemberKey.ValidateGroupId(groupId);
        return _grains.GetGrain<IRaftGroupGrain>(groupId).GetStatusAsync().WaitAsync(Timeout, cancellationToken);
    }

    /// <summary>
    /// Deletes the group: every member stops and its rows are deleted, then the group record and its listing; false when
    /// there was no such group. Clients of the group then fail with <see cref="RaftGroupNotFoundException"/>.
    /// </summary>
    public Task<bool> DeleteAsync(string groupId, CancellationToken cancellationToken = default)
    {
        RaftMemberKey.ValidateGroupId(groupId);
        var bound = Timeout > DeleteTimeout ? Timeout : DeleteTimeout;
        return AsAdmin(() => _grains.GetGrain<IRaftGroupGrain>(groupId).DeleteAsync(_adminToken), cancellationToken).WaitAsync(bound, cancellationToken);
    }

    private Task<T> AsAdmin<T>(Func<Task<T>> call, CancellationToken cancellationToken) => _user is { } user ? user.CallAsync(call, cancellationToken) : call();

    private IRaftDirectoryGrain Directory => _grains.GetGrain<IRaftDirectoryGrain>(IRaftDirectoryGrain.Key);

    private static void ValidateLimit(int limit)
    {
        if (limit is < 1 or > IRaftDirectoryGrain.MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, $"A page holds 1 to {IRaftDirectoryGrain.MaxPageSize} groups.");
        }
    }
}
