namespace OrleansRaft.Abstractions;

/// <summary>What a log entry of a typed group asks for.</summary>
public enum RaftEnvelopeKind : byte
{
    /// <summary>A command for the state machine, in a client session or (session id 0) outside any.</summary>
    Command = 0,

    /// <summary>Opens a client session; its id is the entry's log index.</summary>
    OpenSession = 1,

    /// <summary>Closes the session <see cref="RaftEnvelope.SessionId"/>: the group drops the results it kept for it.</summary>
    CloseSession = 2,
}

/// <summary>
/// One log entry of a group run by a <see cref="RaftStateMachine{TState, TCommand, TResult}"/>: the command, serialized
/// with the Orleans serializer, and the client session stamp (Raft thesis §6.3) that makes a retried command apply once.
/// </summary>
/// <remarks>
/// A stamped command carries <see cref="Sequence"/> (from 1, per session) and acknowledges every sequence below
/// <see cref="AcknowledgedBelow"/>: the client holds their results, so the group may drop them.
/// </remarks>
[GenerateSerializer, Immutable, Alias("orleansraft.typed-envelope")]
public sealed record RaftEnvelope(
    [property: Id(0)] RaftEnvelopeKind Kind,
    [property: Id(1)] ulong SessionId,
    [property: Id(2)] ulong Sequence,
    [property: Id(3)] ulong AcknowledgedBelow,
    [property: Id(4)] ReadOnlyMemory<byte> Payload);
