namespace OrleansRaft.Abstractions;

/// <summary>A command a typed group applied, at its log index and term, as its subscribers receive it.</summary>
[GenerateSerializer, Immutable, Alias("orleansraft.commit`1")]
public readonly record struct RaftCommit<TCommand>(
    [property: Id(0)] ulong Index,
    [property: Id(1)] ulong Term,
    [property: Id(2)] TCommand Command);
