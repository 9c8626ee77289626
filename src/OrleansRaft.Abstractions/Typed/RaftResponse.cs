namespace OrleansRaft.Abstractions;

/// <summary>What became of a typed command or query.</summary>
public enum RaftResponseStatus : byte
{
    /// <summary>Applied (or answered); the payload is the serialized result.</summary>
    Ok = 0,

    /// <summary>A session opened; its id is <see cref="RaftResponse.SessionId"/>.</summary>
    SessionOpened = 1,

    SessionClosed = 2,

    /// <summary>The session is unknown, closed or evicted; the command was not applied (it may have been before).</summary>
    SessionExpired = 3,

    /// <summary>The session no longer holds the result of this sequence; the command was not applied again.</summary>
    SequenceDiscarded = 4,

    /// <summary>The entry or query could not be decoded as the group's types; nothing changed.</summary>
    Undecodable = 5,

    /// <summary>The state machine threw while applying or answering; see <see cref="RaftResponse.Error"/>.</summary>
    Failed = 6,

    /// <summary>The session stamp was malformed; nothing changed.</summary>
    InvalidArgument = 7,
}

/// <summary>
/// The answer of a typed group to one command or query. Kept per session sequence, so that a retried command gets
/// the first answer, refusals included.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansraft.typed-response")]
public sealed record RaftResponse(
    [property: Id(0)] RaftResponseStatus Status,
    [property: Id(1)] ReadOnlyMemory<byte> Payload,
    [property: Id(2)] ulong SessionId,
    [property: Id(3)] string? Error)
{
    public static RaftResponse Ok(ReadOnlyMemory<byte> payload) => new(RaftResponseStatus.Ok, payload, 0, null);

    public static RaftResponse Refused(RaftResponseStatus status, string error) => new(status, default, 0, error);
}

/// <summary>A typed group refused a command or query, or its state machine failed on it; <see cref="Status"/> says which.</summary>
[GenerateSerializer, Alias("orleansraft.command-refused")]
public sealed class RaftCommandException : Exception
{
    public RaftCommandException(string groupId, RaftResponseStatus status, string message)
        : base($"The Raft group '{groupId}' refused the request ({status}): {message}")
    {
        GroupId = groupId;
        Status = status;
    }

    [Id(0)]
    public string GroupId { get; }

    [Id(1)]
    public RaftResponseStatus Status { get; }
}
