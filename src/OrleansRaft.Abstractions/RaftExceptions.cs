namespace OrleansRaft.Abstractions;

/// <summary>No group with this id exists: it was never created, or it was deleted.</summary>
[GenerateSerializer, Alias("orleansraft.group-not-found")]
public sealed class RaftGroupNotFoundException : Exception
{
    public RaftGroupNotFoundException(string groupId)
        : base($"The Raft group '{groupId}' does not exist: create it with IRaftGroupGrain.CreateAsync first.")
    {
        GroupId = groupId;
    }

    [Id(0)]
    public string GroupId { get; }
}

/// <summary>The group exists, but this member id is not one of its members.</summary>
[GenerateSerializer, Alias("orleansraft.member-not-found")]
public sealed class RaftMemberNotFoundException : Exception
{
    public RaftMemberNotFoundException(string groupId, ulong memberId, IReadOnlyList<ulong> members)
        : base($"Member {memberId} is not a member of the Raft group '{groupId}' (members: {string.Join(", ", members)}).")
    {
        GroupId = groupId;
        MemberId = memberId;
    }

    [Id(0)]
    public string GroupId { get; }

    [Id(1)]
    public ulong MemberId { get; }
}

/// <summary>A group with this id exists already, with a different membership or state machine.</summary>
[GenerateSerializer, Alias("orleansraft.group-exists")]
public sealed class RaftGroupExistsException : Exception
{
    public RaftGroupExistsException(string groupId)
        : base($"The Raft group '{groupId}' exists already with another specification; delete it first.")
    {
        GroupId = groupId;
    }

    [Id(0)]
    public string GroupId { get; }
}
