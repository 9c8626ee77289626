namespace OrleansRaft.Linearizability;

/// <summary>The verdict on one partition of a history.</summary>
public sealed class PartitionResult<TInput, TOutput>
{
    internal PartitionResult(
        string partition,
        CheckOutcome outcome,
        int operationCount,
        long steps,
        IReadOnlyList<Operation<TInput, TOutput>> longestPrefix,
        Operation<TInput, TOutput>? unplaced,
        string explanation)
    {
        Partition = partition;
        Outcome = outcome;
        OperationCount = operationCount;
        Steps = steps;
        LongestPrefix = longestPrefix;
        Unplaced = unplaced;
        Explanation = explanation;
    }

    /// <summary>The partition's name (for the key-value model, the key).</summary>
    public string Partition { get; }

    public CheckOutcome Outcome { get; }

    public int OperationCount { get; }

    /// <summary>
    /// Steps the search took: applications of an operation to a model state. When the budget ran out, at least
    /// <see cref="CheckOptions.MaxStepsPerPartition"/>, and at most a few more.
    /// </summary>
    public long Steps { get; }

    /// <summary>
    /// Unless the outcome is <see cref="CheckOutcome.Ok"/>: the longest sequence of operations the search could
    /// linearize, in linearization order. Empty for <see cref="CheckOutcome.Ok"/>.
    /// </summary>
    public IReadOnlyList<Operation<TInput, TOutput>> LongestPrefix { get; }

    /// <summary>
    /// Unless the outcome is <see cref="CheckOutcome.Ok"/>: after <see cref="LongestPrefix"/>, the operation whose
    /// return forced it to take effect but that no order of the remaining candidates could place.
    /// </summary>
    public Operation<TInput, TOutput>? Unplaced { get; }

    /// <summary>A readable account of the verdict.</summary>
    public string Explanation { get; }

    public override string ToString() => Explanation;
}
