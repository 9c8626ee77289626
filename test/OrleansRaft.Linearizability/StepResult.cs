namespace OrleansRaft.Linearizability;

/// <summary>The answer of <see cref="IModel{TState, TInput, TOutput}.Step"/>: accepted with a new state, or rejected.</summary>
public readonly record struct StepResult<TState>(bool Accepted, TState State)
{
    public static StepResult<TState> Rejected => default;

    public static StepResult<TState> Accept(TState next) => new(true, next);
}
