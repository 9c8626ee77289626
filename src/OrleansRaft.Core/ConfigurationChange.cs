namespace OrleansRaft.Core;

/// <summary>The single-member changes a configuration entry can make.</summary>
public enum ConfigurationChangeType : byte
{
    /// <summary>A new member joins as a learner: it receives the log but neither votes nor counts toward a quorum.</summary>
    AddLearner,

    /// <summary>A learner that has caught up becomes a voter.</summary>
    PromoteLearner,

    /// <summary>A voter or a learner leaves the group. Removing the leader is allowed: it hands over once the removal commits.</summary>
    RemoveMember,
}

/// <summary>
/// One change to the membership. Replacing a member is three changes, each committed before the next:
/// <see cref="ConfigurationChangeType.AddLearner"/> the new one, <see cref="ConfigurationChangeType.PromoteLearner"/>
/// it once it has caught up, then <see cref="ConfigurationChangeType.RemoveMember"/> the old one (or the removal first,
/// when the old member is dead and the group would rather keep its quorum small).
/// </summary>
public readonly record struct ConfigurationChange(ConfigurationChangeType Type, ulong MemberId)
{
    public static ConfigurationChange AddLearner(ulong id) => new(ConfigurationChangeType.AddLearner, id);

    public static ConfigurationChange PromoteLearner(ulong id) => new(ConfigurationChangeType.PromoteLearner, id);

    public static ConfigurationChange RemoveMember(ulong id) => new(ConfigurationChangeType.RemoveMember, id);

    public override string ToString() => $"{Type} {MemberId}";
}

/// <summary>What became of a <see cref="RaftNode.ProposeConfigurationChange"/>.</summary>
public enum ConfigurationChangeStatus
{
    /// <summary>The configuration entry is appended, and in force on the leader from now on.</summary>
    Accepted,

    /// <summary>This member is not the leader; <see cref="ConfigurationChangeResult.LeaderHint"/> names the leader if known.</summary>
    NotLeader,

    /// <summary>The leader is handing over leadership and refuses new work until that ends.</summary>
    LeadershipTransferInProgress,

    /// <summary>
    /// The leader has not yet committed an entry of its own term. Until it has, an uncommitted configuration entry
    /// of an earlier leader may still be in some logs, and a second change could let two disjoint majorities form
    /// (the erratum to the Raft thesis §4.3). Retry once the leader's first entry commits.
    /// </summary>
    LeaderTermNotCommitted,

    /// <summary>An earlier configuration entry is not yet committed: only one change is in flight at a time.</summary>
    ChangeInProgress,

    /// <summary>The member to add is already a voter or a learner.</summary>
    AlreadyMember,

    /// <summary>The member to remove is in the configuration neither as voter nor as learner.</summary>
    NotMember,

    /// <summary>The member to promote is not a learner.</summary>
    NotLearner,

    /// <summary>
    /// The learner to promote is not caught up: the leader has not seen it replicating, or it lags the commit index
    /// by more than <see cref="RaftOptions.MaxPromotionLag"/> entries. Promoting it now would stall commits until it catches up.
    /// </summary>
    LearnerBehind,

    /// <summary>The change would leave the group without a voter.</summary>
    LastVoter,

    /// <summary>Member id 0 means "no member" and cannot be added.</summary>
    InvalidMemberId,
}

/// <summary>
/// The outcome of <see cref="RaftNode.ProposeConfigurationChange"/>. When accepted, the entry sits at
/// <see cref="Index"/> in <see cref="Term"/>, and <see cref="Configuration"/> is the membership it puts in force.
/// The change is durable exactly when a committed entry has that index and term.
/// </summary>
public readonly record struct ConfigurationChangeResult(
    ConfigurationChangeStatus Status,
    ulong Index,
    ulong Term,
    ulong LeaderHint,
    MembershipConfiguration? Configuration)
{
    public bool IsAccepted => Status == ConfigurationChangeStatus.Accepted;
}
