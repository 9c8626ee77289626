namespace OrleansRaft.Abstractions;

/// <summary>
/// What a group is created with: its voting members (positive Raft ids) and the state machine type its members
/// run, as registered on the silos with <c>AddRaftStateMachine</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("orleansraft.group-spec")]
public sealed record RaftGroupSpec(
    [property: Id(0)] ulong[] Members,
    [property: Id(1)] string StateMachineType);

/// <summary>A group as persisted by its admin grain.</summary>
[GenerateSerializer, Immutable, Alias("orleansraft.group-info")]
public sealed record RaftGroupInfo(
    [property: Id(0)] string GroupId,
    [property: Id(1)] ulong[] Members,
    [property: Id(2)] string StateMachineType,
    [property: Id(3)] DateTimeOffset CreatedAt);
