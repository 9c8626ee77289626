namespace OrleansRaft.Abstractions;

/// <summary>
/// A membership admin call was refused for want of the right admin token: none was given, it was wrong, or the silo
/// has none configured (then no admin membership call is accepted at all). The message says which, never the token.
/// </summary>
[GenerateSerializer, Alias("orleansraft.admin-auth")]
public sealed class RaftAdminAuthenticationException : Exception
{
    public RaftAdminAuthenticationException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// A membership change could not be made: another change is still in flight, no leader could be reached, the member is
/// unknown or already a member, the change would remove the last voter, or a learner did not catch up in time.
/// <see cref="Reason"/> says which.
/// </summary>
[GenerateSerializer, Alias("orleansraft.membership-change-failed")]
public sealed class RaftMembershipException : Exception
{
    public RaftMembershipException(string groupId, RaftMembershipFailure reason, string message)
        : base($"Raft group '{groupId}': {message}")
    {
        GroupId = groupId;
        Reason = reason;
    }

    [Id(0)]
    public string GroupId { get; }

    [Id(1)]
    public RaftMembershipFailure Reason { get; }
}

/// <summary>Why a membership change failed; see <see cref="RaftMembershipException"/>.</summary>
public enum RaftMembershipFailure : byte
{
    /// <summary>Another change is still in flight and did not finish within the call's bound; retry later.</summary>
    ChangeInProgress = 0,

    /// <summary>No member led the group within the call's bound.</summary>
    NoLeader = 1,

    /// <summary>The member named is not a member of the group (or, to promote, not a learner).</summary>
    UnknownMember = 2,

    /// <summary>The member to add is a member already.</summary>
    AlreadyMember = 3,

    /// <summary>The change would leave the group without a voter.</summary>
    LastVoter = 4,

    /// <summary>The new learner did not catch up with the leader within the call's bound.</summary>
    LearnerBehind = 5,
}
