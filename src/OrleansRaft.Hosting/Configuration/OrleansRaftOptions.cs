namespace OrleansRaft.Hosting.Configuration;

/// <summary>Settings of the Raft groups a silo hosts, set with <c>siloBuilder.AddOrleansRaft(options => ...)</c>.</summary>
/// <remarks>
/// The default timing aims at fail-over within a second: a tick every 50 ms, heartbeats every tick, and an
/// election timeout drawn from [8, 16) ticks, i.e. 400–800 ms of silence before a follower campaigns. Eight
/// heartbeats fit in the shortest timeout, so a few late timer callbacks on a busy silo do not start elections,
/// and the longest timeout plus a pre-vote and a vote round (a few milliseconds each, with one durable write of
/// the term) stays under a second.
/// </remarks>
public sealed class OrleansRaftOptions
{
    /// <summary>
    /// The name of the <c>IGrainStorage</c> provider that holds members' logs (and, unless
    /// <see cref="GroupStorageProviderName"/> names another, group records).
    /// </summary>
    public string StorageProviderName { get; set; } = "raft";

    /// <summary>
    /// The name of the <c>IGrainStorage</c> provider that holds what every silo must read: group records, the group
    /// directory and members' silo bindings. Empty: <see cref="StorageProviderName"/>. Set it when each silo keeps its
    /// members' logs in a database of its own, with <see cref="BindMembersToSilos"/>.
    /// </summary>
    public string? GroupStorageProviderName { get; set; }

    /// <summary>
    /// Binds each member to the silo it first starts on, by the silo's name (<c>SiloOptions.SiloName</c>, which must be
    /// stable across restarts and unique in the cluster): from then on it activates only there, and while that silo is
    /// down the member is unavailable and its group goes on with the others, as an etcd member whose disk is gone.
    /// Needed when <see cref="StorageProviderName"/> is a database of each silo's own: a member's log is only there.
    /// </summary>
    public bool BindMembersToSilos { get; set; }

    /// <summary>The provider of group records: <see cref="GroupStorageProviderName"/>, else <see cref="StorageProviderName"/>.</summary>
    internal string GroupStorage => string.IsNullOrWhiteSpace(GroupStorageProviderName) ? StorageProviderName : GroupStorageProviderName;

    /// <summary>
    /// Test mode: lets <see cref="StorageProviderName"/> be Orleans' memory storage, which the silo otherwise refuses at
    /// start because its data dies with the silo that holds it, taking the logs of groups that span silos with it.
    /// </summary>
    public bool AllowVolatileStorage { get; set; }

    /// <summary>
    /// Endpoints this silo serves to clients, by name, that its members report in their status
    /// (<c>RaftMemberStatus.SiloEndpoints</c>), so that whoever reads a group's status finds the endpoints on each
    /// member's silo: for example <c>etcd</c>, the client URLs of the etcd gateway on this silo. Empty by default.
    /// </summary>
    public IDictionary<string, string[]> AdvertisedEndpoints { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal);

    /// <summary>How often each member's timer ticks the Raft core.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Ticks of silence before a follower campaigns (randomized up to twice this).</summary>
    public int ElectionTicks { get; set; } = 8;

    /// <summary>Ticks between a leader's heartbeats.</summary>
    public int HeartbeatTicks { get; set; } = 1;

    /// <summary>Pre-vote (thesis §9.6): a member back from a partition does not depose a healthy leader.</summary>
    public bool PreVote { get; set; } = true;

    /// <summary>A leader that has not heard from a quorum for an election timeout steps down.</summary>
    public bool CheckQuorum { get; set; } = true;

    /// <summary>Batch limit: the bytes of entries in one append message (at least one entry is always sent).</summary>
    public int MaxBytesPerMessage { get; set; } = 1024 * 1024;

    /// <summary>Batch limit: append messages in flight to one follower.</summary>
    public int MaxInflightMessages { get; set; } = 256;

    /// <summary>Batch limit: committed bytes applied to the state machine in one step.</summary>
    public int MaxCommittedBytesPerApply { get; set; } = 4 * 1024 * 1024;

    /// <summary>Backpressure: bytes proposed but not yet committed before new proposals are answered Busy.</summary>
    public long MaxUncommittedBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Group commit: the longest an idle leader may hold back the log write that a new proposal starts, so that the
    /// proposals of the callers it just answered join the same write; zero starts every write at once.
    /// </summary>
    /// <remarks>
    /// Callers answered together by one commit come back one after another. Without a wait the first one starts a
    /// write of its single entry and the others wait that write out, so writes alternate between one entry and all the
    /// rest. An idle leader that a proposal wakes while other callers it answered have yet to come back waits until they
    /// have, or for this long, whichever comes first, but only while they are due: callers are due back for twice the
    /// time the last complete gathering took from the answer to its last caller (learned per member, at most one
    /// <see cref="TickInterval"/>), and overdue ones are not waited for. Committed entries to apply, a read or a change
    /// of role end the wait at once. A lone caller never waits, since no one else is expected; callers that stop coming
    /// back cost others at most one wait. Waits run on millisecond timers, so a positive window waits at least 1 ms.
    /// Keep the window well under the duration of one log write.
    /// </remarks>
    public TimeSpan GroupCommitWindow { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>A member snapshots its state machine and compacts its log after applying this many entries since the last snapshot; 0 never.</summary>
    /// <remarks>It also waits for <see cref="SnapshotLogRatio"/>.</remarks>
    public int SnapshotEveryEntries { get; set; } = 10_000;

    /// <summary>
    /// A member snapshots only once the entries it applied since its last snapshot add up to at least this many times
    /// that snapshot's size in bytes; 0 snapshots by <see cref="SnapshotEveryEntries"/> alone.
    /// </summary>
    /// <remarks>
    /// A snapshot serializes and writes the whole state (the write runs beside the member's Ready loop, but its CPU and
    /// its writes are spent all the same). With a state that keeps growing (the key-value store keeps every revision
    /// until it is compacted), snapshots at a fixed count of entries would each write more than the last, so that
    /// their cost per entry grows without bound. Weighed against the last snapshot's size, the bytes written by
    /// snapshots stay within 1 / ratio of the bytes written to the log, and the log kept in memory and replayed on a
    /// restart stays within about ratio times the state's size.
    /// </remarks>
    public double SnapshotLogRatio { get; set; } = 1.0;

    /// <summary>How long a proposal or read waits for its outcome before it fails with <see cref="TimeoutException"/>.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a commit observer stays subscribed without renewing its subscription.</summary>
    public TimeSpan ObserverExpiration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a stopping silo spends handing the leadership of the groups it leads to members on other silos before
    /// it goes on stopping; zero skips the hand-off, and those groups elect a leader after an election timeout.
    /// </summary>
    public TimeSpan LeadershipHandoffTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The shared secret that every admin call (creating and deleting groups; add, remove, promote, replace, list members) must present.
    /// Null or empty refuses them all. Set the same value on every silo; keep it out of source control.
    /// </summary>
    public string? AdminToken { get; set; }

    /// <summary>How long a membership admin call waits for a leader, for a change in flight to finish, or for a new learner to catch up.</summary>
    public TimeSpan MembershipChangeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A leader that has had no request for this long, with everything committed, applied and acknowledged by every
    /// member and nothing due on its state machine's clock, quiets its group: no member ticks, heartbeats or runs a
    /// timer until a request, a message or the silo's liveness watch wakes it. Null keeps every group awake.
    /// </summary>
    public TimeSpan? QuiesceAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often a silo probes the silos that lead its quiet followers' groups. A probe that fails (or takes longer
    /// than <see cref="LivenessProbeTimeout"/>) wakes those followers to elect a new leader, unless it answers them.
    /// </summary>
    public TimeSpan LivenessProbeInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a liveness probe may take before its silo is suspected.</summary>
    public TimeSpan LivenessProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Raft messages from this silo's members to the members of any group on another silo go out together: one call
    /// per destination silo and burst of sends, handed to the members there without another grain call; messages to a
    /// member on the same silo are handed to it directly. False sends every member's messages as a grain call of their own.
    /// </summary>
    public bool CoalesceMessages { get; set; } = true;

    /// <summary>
    /// How often (jittered) a silo compares how many groups it leads with the other silos and hands leaders above its
    /// share to members on silos below theirs. Null never moves leaders.
    /// </summary>
    public TimeSpan? LeaderBalanceInterval { get; set; } = TimeSpan.FromSeconds(10);
}
