using Orleans.Runtime;
using Orleans.Concurrency;

namespace OrleansRaft.Abstractions;

/// <summary>
/// One member of a Raft group, keyed <c>{groupId}/{memberId}</c> (see <see cref="RaftMemberKey"/>). Any call to a
/// member of a group that does not exist, or to an id that is not a member, fails with
/// <see cref="RaftGroupNotFoundException"/> or <see cref="RaftMemberNotFoundException"/>.
/// </summary>
public interface IRaftMemberGrain : IGrainWithStringKey
{
    /// <summary>
    /// Replicates <paramref name="command"/> (not empty) and returns once it committed and this member's state machine
    /// applied it. A member that does not lead answers <see cref="RaftRequestStatus.NotLeader"/> with a leader hint.
    /// Throws <see cref="TimeoutException"/> after the configured proposal timeout and
    /// <see cref="OperationCanceledException"/> when cancelled: in both cases the command may still commit later.
    /// </summary>
    Task<RaftProposeResult> ProposeAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken = default);

    /// <summary>
    /// A linearizable read index (Raft thesis §6.4): once the leader confirmed it still leads, returns the index the
    /// read must observe, after this member's state machine applied it.
    /// </summary>
    Task<RaftReadResult> ReadIndexAsync(CancellationToken cancellationToken = default);

    /// <summary>A linearizable read: <see cref="ReadIndexAsync"/>, then the state machine answers <paramref name="query"/>.</summary>
    Task<RaftReadResult> ReadAsync(ReadOnlyMemory<byte> query, CancellationToken cancellationToken = default);

    /// <summary>
    /// A read from this member's state machine as it is, without asking the leader: possibly stale. The result says
    /// how stale: <c>Index</c> is the member's applied index, <c>Commit</c> the commit index it knows and
    /// <c>LeaderSilence</c> the time since it last heard from a leader (zero when it leads).
    /// </summary>
    Task<RaftReadResult> ReadLocalAsync(ReadOnlyMemory<byte> query);

    /// <summary>Committed commands in <c>[from, to]</c> still in the log, for observers that missed notifications.</summary>
    Task<RaftCommittedRange> ReadCommittedAsync(ulong from, ulong to);

    /// <summary>
    /// <see cref="ReadCommittedAsync"/> from <paramref name="from"/> on, once this member applied <paramref name="from"/>
    /// or <paramref name="maxWait"/> (at most <see cref="MaxCommitWait"/>) passed: a long poll for subscribers, which
    /// any member answers, since what a member applied is committed.
    /// </summary>
    Task<RaftCommittedRange> WaitCommittedAsync(ulong from, TimeSpan maxWait, CancellationToken cancellationToken = default);

    /// <summary>
    /// The state machine's snapshot taken now, at this member's applied index: how a subscriber that fell behind the
    /// log's compaction catches up before it reads on from <c>Index + 1</c>.
    /// </summary>
    Task<RaftStateSnapshot> ReadStateSnapshotAsync();

    /// <summary>The longest wait <see cref="WaitCommittedAsync"/> accepts: well inside Orleans' default response timeout.</summary>
    public static readonly TimeSpan MaxCommitWait = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Starts the member if it is not running (loads its log and state machine) and returns its status. An activation
    /// that finds another holds the member's log (see <c>IRaftLogStore.CheckClaimAsync</c>) answers
    /// <see cref="InvalidOperationException"/> instead, which callers retry: the next call reaches the one that holds it.
    /// </summary>
    Task<RaftMemberStatus> GetStatusAsync();

    /// <summary>Subscribes <paramref name="observer"/> to this member's commit notifications, until it expires or unsubscribes.</summary>
    Task SubscribeAsync(IRaftCommitObserver observer);

    Task UnsubscribeAsync(IRaftCommitObserver observer);

    /// <summary>Asks the leader to hand leadership to <paramref name="target"/>; false when this member does not lead.</summary>
    Task<bool> TransferLeadershipAsync(ulong target);

    /// <summary>
    /// Raft messages from other members of the group. Fire and forget: they may be lost, reordered or duplicated.
    /// <paramref name="senderSilo"/>, when given, is where the sender runs: a hint of where to send it messages.
    /// </summary>
    [OneWay]
    Task DeliverAsync(RaftMessageData[] messages, SiloAddress? senderSilo = null);

    /// <summary>
    /// Member <paramref name="from"/> of the group, running on <paramref name="senderSilo"/>, tells this member where it
    /// runs; the answer is where this member runs. Both then send each other Raft messages through their silos'
    /// transports, which need no grain directory lookup: followers exchange no messages in steady state, and the
    /// election after their leader's silo fails must not wait on a directory partition that silo may hold.
    /// </summary>
    [ResponseTimeout("00:00:05")]
    Task<SiloAddress> IntroduceAsync(ulong from, SiloAddress senderSilo);

    /// <summary>
    /// A leader's Quiesce (its group goes quiet); <paramref name="leaderSilo"/> is the silo the leader runs on, which the
    /// member's silo then watches, to wake the member when that silo fails.
    /// </summary>
    [OneWay]
    Task QuiesceAsync(RaftMessageData message, SiloAddress leaderSilo);

    /// <summary>
    /// Starts a quiet member's clock again. <paramref name="leaderSuspected"/>: its silo suspects that the leader's silo
    /// is gone, so the member elects a new leader unless the leader answers first.
    /// </summary>
    [OneWay]
    Task WakeAsync(bool leaderSuspected);

    /// <summary>An InstallSnapshot message from the leader; answers once stepped, so that the leader learns it arrived.</summary>
    Task<bool> InstallSnapshotAsync(RaftMessageData message);

    /// <summary>
    /// Deletes this member's durable state and deactivates it. Called by the group's admin grain when the group is
    /// deleted or the member removed; requires the admin token configured on the silo, as that grain passes it.
    /// </summary>
    Task DestroyAsync(string? adminToken);

    /// <summary>
    /// Asks this member, if it leads, to make one membership change, and returns once the change committed and this
    /// member applied it (or why it could not). Requires the admin token configured on the silo; the group's admin
    /// grain calls it, see <see cref="IRaftGroupGrain.AddMemberAsync"/>.
    /// </summary>
    [ResponseTimeout("00:01:00")]
    Task<RaftMembershipChangeResult> ChangeMembershipAsync(RaftMembershipChangeType type, ulong memberId, string? adminToken);
}

/// <summary>Administers one Raft group, keyed by the group id.</summary>
public interface IRaftGroupGrain : IGrainWithStringKey
{
    /// <summary>
    /// Creates the group: persists its membership, then starts every member. Idempotent for the same specification;
    /// a different one throws <see cref="RaftGroupExistsException"/>. Requires the admin token configured on the silos
    /// (see the membership calls below); without it, or with a wrong one, throws <see cref="RaftAdminAuthenticationException"/>.
    /// </summary>
    Task<RaftGroupInfo> CreateAsync(RaftGroupSpec spec, string? adminToken);

    /// <summary>The group, or null when it does not exist.</summary>
    Task<RaftGroupInfo?> GetAsync();

    /// <summary>
    /// Asks every member for its status, each within a short bound, and returns the group as they see it; null when
    /// the group does not exist. A member that cannot answer (for example on a silo that just died) is reported with
    /// its error rather than failing the call. Status calls interleave with each other and with administration: they
    /// only read, and each may wait out the bound on a member that cannot answer.
    /// </summary>
    [AlwaysInterleave]
    Task<RaftGroupStatus?> GetStatusAsync();

    /// <summary>
    /// Deletes the group's membership record and every member's durable state; false when there was no group. Requires
    /// the admin token, as <see cref="CreateAsync"/> does.
    /// </summary>
    [ResponseTimeout(MembershipCallTimeout)]
    Task<bool> DeleteAsync(string? adminToken);

    /// <summary>
    /// How long a client waits for a membership change, whatever its default response timeout: a change waits for a
    /// leader, for a change in flight and for a new member's catch-up, each within OrleansRaftOptions.MembershipChangeTimeout.
    /// </summary>
    public const string MembershipCallTimeout = "00:03:00";

    // Membership administration. Every call requires the admin token configured on the silos (OrleansRaftOptions.AdminToken,
    // or Raft:AdminToken in the host's configuration) and fails with RaftAdminAuthenticationException without it. As for
    // CreateAsync and DeleteAsync, a null token lets in instead a caller whose credential (RaftCallerCredential, in the
    // request context) the silo's IRaftAdminAuthorizer accepts: with the key-value store, a root user of the admin group.
    // A change goes to whichever member leads, retried there; a failure is a RaftMembershipException with its reason.

    /// <summary>The group's voters and learners, with each member's status; null when the group does not exist.</summary>
    Task<RaftMembership?> ListMembersAsync(string? adminToken);

    /// <summary>
    /// Adds member <paramref name="memberId"/> (a new id): starts it on a silo that holds no other member of the group
    /// when there is one, adds it as a learner, waits until it caught up (by snapshot when the log was compacted) and
    /// promotes it to voter.
    /// </summary>
    [ResponseTimeout(MembershipCallTimeout)]
    Task<RaftMembership> AddMemberAsync(ulong memberId, string? adminToken);

    /// <summary>Promotes learner <paramref name="memberId"/> to voter once it has caught up.</summary>
    [ResponseTimeout(MembershipCallTimeout)]
    Task<RaftMembership> PromoteAsync(ulong memberId, string? adminToken);

    /// <summary>
    /// Removes member <paramref name="memberId"/> (the leader included: it hands over once its removal commits), then
    /// deletes its durable state. The state is deleted only after the removal committed.
    /// </summary>
    [ResponseTimeout(MembershipCallTimeout)]
    Task<RaftMembership> RemoveMemberAsync(ulong memberId, string? adminToken);

    /// <summary>
    /// Replaces member <paramref name="oldMemberId"/>, for example one on a dead silo: adds <paramref name="newMemberId"/>
    /// as <see cref="AddMemberAsync"/> does, then removes the old one as <see cref="RemoveMemberAsync"/> does.
    /// </summary>
    [ResponseTimeout(MembershipCallTimeout)]
    Task<RaftMembership> ReplaceMemberAsync(ulong oldMemberId, ulong newMemberId, string? adminToken);
}

/// <summary>
/// Receives commit notifications from a member. Delivery is best effort: notifications may be lost or arrive out of
/// order, and a member that restarts notifies again from its snapshot. Each carries its indexes, so an observer that
/// sees a gap pulls what it missed with <see cref="IRaftMemberGrain.ReadCommittedAsync"/>.
/// </summary>
public interface IRaftCommitObserver : IGrainObserver
{
    [OneWay]
    Task OnCommittedAsync(RaftCommitNotification notification);
}

/// <summary>
/// The member applied every entry up to <see cref="LastIndex"/>; <see cref="Entries"/> are the commands it applied
/// in <c>[FirstIndex, LastIndex]</c>, in order.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansraft.commit-notification")]
public sealed record RaftCommitNotification(
    [property: Id(0)] string GroupId,
    [property: Id(1)] ulong MemberId,
    [property: Id(2)] ulong FirstIndex,
    [property: Id(3)] ulong LastIndex,
    [property: Id(4)] RaftCommittedEntry[] Entries);
