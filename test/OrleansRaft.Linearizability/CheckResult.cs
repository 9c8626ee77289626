namespace OrleansRaft.Linearizability;

/// <summary>
/// The verdict on a whole history: <see cref="CheckOutcome.Violation"/> when any partition has one, otherwise
/// <see cref="CheckOutcome.Unknown"/> when any partition ran out of budget, otherwise <see cref="CheckOutcome.Ok"/>.
/// </summary>
public sealed class CheckResult<TInput, TOutput>
{
    internal CheckResult(int operationCount, IReadOnlyList<PartitionResult<TInput, TOutput>> partitions)
    {
        OperationCount = operationCount;
        Partitions = partitions;
        Outcome = partitions.Any(p => p.Outcome == CheckOutcome.Violation) ? CheckOutcome.Violation
            : partitions.Any(p => p.Outcome == CheckOutcome.Unknown) ? CheckOutcome.Unknown
            : CheckOutcome.Ok;
        Steps = partitions.Sum(p => p.Steps);
    }

    public CheckOutcome Outcome { get; }

    public bool IsLinearizable => Outcome == CheckOutcome.Ok;

    public int OperationCount { get; }

    /// <summary>One result per partition, ordered by partition name (ordinal).</summary>
    public IReadOnlyList<PartitionResult<TInput, TOutput>> Partitions { get; }

    public long Steps { get; }

    /// <summary>The first partition (by name) with a violation, if any.</summary>
    public PartitionResult<TInput, TOutput>? FirstViolation =>
        Partitions.FirstOrDefault(p => p.Outcome == CheckOutcome.Violation);

    /// <summary>
    /// For <see cref="CheckOutcome.Ok"/> a one-line summary; otherwise the explanations of every partition that is
    /// not <see cref="CheckOutcome.Ok"/>.
    /// </summary>
    public string Explanation => Outcome == CheckOutcome.Ok
        ? $"linearizable: {OperationCount} operations in {Partitions.Count} partitions, {Steps} steps"
        : string.Join(Environment.NewLine, Partitions.Where(p => p.Outcome != CheckOutcome.Ok).Select(p => p.Explanation));

    public override string ToString() => Explanation;
}
