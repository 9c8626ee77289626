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

/// <summary>
/// A grain could not read or write its durable state (for a member, its Raft log) because the storage did not answer:
/// the database is down, paused or dropped the connection. Nothing was acknowledged on the strength of the failed
/// write; the call may be retried, at this member or another one.
/// </summary>
[GenerateSerializer, Alias("orleansraft.storage-unavailable")]
public sealed class RaftStorageUnavailableException : Exception
{
    public RaftStorageUnavailableException(string grain)
        : this(grain, "it could not be read or written")
    {
    }

    public RaftStorageUnavailableException(string grain, string reason)
        : base($"The storage of {grain} is unavailable ({reason}); retry.")
    {
        Grain = grain;
    }

    /// <summary>The grain whose storage failed, for example a member's <c>{group}/{member}</c> key.</summary>
    [Id(0)]
    public string Grain { get; }
}
