namespace OrleansRaft.Abstractions;

/// <summary>One single-member change, as the admin API asks a group's leader to make it.</summary>
public enum RaftMembershipChangeType : byte
{
    /// <summary>A new member joins as a learner: it receives the log but does not vote.</summary>
    AddLearner = 0,

    /// <summary>A learner that has caught up becomes a voter.</summary>
    Promote = 1,

    /// <summary>A voter (the leader included) or a learner leaves the group.</summary>
    Remove = 2,
}

/// <summary>What became of a membership change asked of one member.</summary>
public enum RaftMembershipChangeStatus : byte
{
    /// <summary>The change committed and this member applied it.</summary>
    Ok = 0,

    /// <summary>This member does not lead; the result's <c>LeaderHint</c> names the leader when known.</summary>
    NotLeader = 1,

    /// <summary>Another change, a leadership transfer or the new leader's first commit is pending: retry shortly.</summary>
    Busy = 2,

    /// <summary>The member to add is already a member.</summary>
    AlreadyMember = 3,

    /// <summary>The member to remove or promote is not a member (or, to promote, not a learner).</summary>
    NotMember = 4,

    /// <summary>The learner to promote has not caught up with the leader yet: retry once it has.</summary>
    LearnerBehind = 5,

    /// <summary>The change would leave the group without a voter.</summary>
    LastVoter = 6,

    /// <summary>The change was appended but lost with its leader's term: it did not commit. Retrying is safe.</summary>
    Dropped = 7,
}

/// <summary>The answer of a member to a membership change; on <see cref="RaftMembershipChangeStatus.Ok"/> the membership it committed.</summary>
[GenerateSerializer, Immutable, Alias("orleansraft.membership-change-result")]
public sealed record RaftMembershipChangeResult(
    [property: Id(0)] RaftMembershipChangeStatus Status,
    [property: Id(1)] ulong Index,
    [property: Id(2)] ulong LeaderHint,
    [property: Id(3)] ulong[] Voters,
    [property: Id(4)] ulong[] Learners);

/// <summary>
/// A group's membership as its admin grain reports it: the voters and learners of the last committed configuration
/// it knows (at <see cref="ConfigurationIndex"/>, 0 for the membership the group was created with), and the status of
/// each member, as <see cref="IRaftGroupGrain.GetStatusAsync"/> reports it.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansraft.membership")]
public sealed record RaftMembership(
    [property: Id(0)] string GroupId,
    [property: Id(1)] ulong[] Voters,
    [property: Id(2)] ulong[] Learners,
    [property: Id(3)] ulong ConfigurationIndex,
    [property: Id(4)] RaftMemberView[] Members);
