namespace OrleansRaft.Core;

/// <summary>The role a member plays in its current term.</summary>
public enum RaftRole
{
    Follower,
    PreCandidate,
    Candidate,
    Leader,
}

/// <summary>State that need not be persisted: who leads, and this member's role.</summary>
public readonly record struct SoftState(ulong Leader, RaftRole Role);

/// <summary>A linearizable read that may be served once the state machine has applied <see cref="Index"/>.</summary>
public readonly record struct ReadState(ulong RequestId, ulong Index);

/// <summary>
/// Work the host must do, in this order:
/// <list type="number">
/// <item>Install <see cref="Snapshot"/> if present, then persist <see cref="Entries"/> and <see cref="HardState"/>
/// (durably when <see cref="MustSync"/>).</item>
/// <item>Send <see cref="Messages"/>. They may acknowledge the writes of step 1, so never before it.</item>
/// <item>Apply the snapshot and <see cref="CommittedEntries"/> to the state machine, in order; serve <see cref="ReadStates"/>
/// once their index is applied.</item>
/// <item>Call <see cref="RaftNode.Advance"/>.</item>
/// </list>
/// Between <see cref="RaftNode.GetReady"/> and <see cref="RaftNode.Advance"/> the host may keep calling
/// <c>Step</c>, <c>Tick</c> and <c>Propose</c>; what they produce goes into the next Ready.
/// </summary>
public sealed class Ready
{
    internal Ready(
        SoftState? softState,
        HardState? hardState,
        Snapshot? snapshot,
        IReadOnlyList<Entry> entries,
        IReadOnlyList<Entry> committedEntries,
        IReadOnlyList<Message> messages,
        IReadOnlyList<ReadState> readStates,
        bool mustSync,
        MembershipConfiguration? configuration,
        MembershipConfiguration? appliedConfiguration)
    {
        // Membership changes are rare: one field, usually null, keeps every other Ready as small as it was.
        _membership = configuration is null && appliedConfiguration is null ? null : new MembershipUpdate(configuration, appliedConfiguration);
        SoftState = softState;
        HardState = hardState;
        Snapshot = snapshot;
        Entries = entries;
        CommittedEntries = committedEntries;
        Messages = messages;
        ReadStates = readStates;
        MustSync = mustSync;
    }

    /// <summary>Set when the leader or role changed since the previous Ready.</summary>
    public SoftState? SoftState { get; }

    /// <summary>Set when the hard state changed since the previous Ready.</summary>
    public HardState? HardState { get; }

    /// <summary>A snapshot received from the leader, to install before <see cref="Entries"/>.</summary>
    public Snapshot? Snapshot { get; }

    /// <summary>Entries to append to durable storage, replacing any existing suffix from the first one's index.</summary>
    public IReadOnlyList<Entry> Entries { get; }

    /// <summary>Entries that are committed and persisted (after step 1), to apply in order.</summary>
    public IReadOnlyList<Entry> CommittedEntries { get; }

    /// <summary>Messages to send after step 1.</summary>
    public IReadOnlyList<Message> Messages { get; }

    public IReadOnlyList<ReadState> ReadStates { get; }

    /// <summary>
    /// Set when the membership in force changed since the previous Ready. A configuration takes effect when its entry
    /// is appended, so this may run ahead of what is committed, and may revert when an uncommitted entry is replaced.
    /// The host sends to, and accepts messages from, the members of this configuration.
    /// </summary>
    public MembershipConfiguration? Configuration => _membership?.Configuration;

    /// <summary>
    /// Set when applying this Ready changes the membership in force at the applied index: when
    /// <see cref="CommittedEntries"/> hold a configuration entry, or <see cref="Snapshot"/> carries a different
    /// membership. Once applied, this configuration is committed: a member it removes may be deleted, and a
    /// snapshot taken at or after this point records it (see <see cref="RaftNode.ConfigurationAt"/>).
    /// </summary>
    public MembershipConfiguration? AppliedConfiguration => _membership?.AppliedConfiguration;

    /// <summary>True when the term, the vote or any entry changed: the write must be durable before messages go out.</summary>
    public bool MustSync { get; }

    private readonly MembershipUpdate? _membership;

    private sealed record MembershipUpdate(MembershipConfiguration? Configuration, MembershipConfiguration? AppliedConfiguration);
}
