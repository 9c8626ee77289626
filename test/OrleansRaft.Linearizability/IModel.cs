namespace OrleansRaft.Linearizability;

/// <summary>
/// The sequential specification a history is checked against. A model is deterministic and its states are
/// immutable values: the checker keeps old states on its backtracking stack and in its cache.
/// </summary>
public interface IModel<TState, TInput, TOutput>
    where TState : notnull
{
    TState Initial { get; }

    /// <summary>
    /// Applies an operation that returned <paramref name="output"/>. Rejects it when the specification could not
    /// have produced that output from <paramref name="state"/>.
    /// </summary>
    StepResult<TState> Step(TState state, TInput input, TOutput output);

    /// <summary>
    /// Applies a pending operation, whose output nobody saw: any output is acceptable, so it cannot be rejected.
    /// Returns the state after it takes effect.
    /// </summary>
    TState StepPending(TState state, TInput input);

    /// <summary>
    /// True when the operation never changes the state of any state that accepts it (a read, a failed
    /// compare-and-set). For a pending operation: true when it changes no state whatever its output.
    /// The checker linearizes accepted read-only operations greedily and drops pending read-only ones;
    /// answering false is always safe, only slower.
    /// </summary>
    bool IsReadOnly(Operation<TInput, TOutput> operation);

    /// <summary>
    /// Splits a history into independent sub-histories (P-compositionality: the history is linearizable exactly
    /// when each part is). Every operation must land in exactly one part. Return one part to check as a whole.
    /// </summary>
    IReadOnlyList<HistoryPartition<TInput, TOutput>> Partition(IReadOnlyList<Operation<TInput, TOutput>> history);

    /// <summary>Equality and hashing of states, for the checker's cache of visited configurations.</summary>
    IEqualityComparer<TState> StateComparer { get; }

    string DescribeInput(TInput input);

    string DescribeOutput(TInput input, TOutput output);

    string DescribeState(TState state);
}
