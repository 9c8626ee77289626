namespace OrleansRaft.Linearizability;

public sealed record CheckOptions
{
    public static CheckOptions Default { get; } = new();

    /// <summary>
    /// The search of one partition stops after this many steps (candidate operations examined) and reports
    /// <see cref="CheckOutcome.Unknown"/>. The cache holds at most one entry per step, so this also bounds memory.
    /// </summary>
    public long MaxStepsPerPartition { get; init; } = 5_000_000;

    /// <summary>How many operations of the longest linearizable prefix an explanation lists (the last ones).</summary>
    public int PrefixOperationsShown { get; init; } = 10;

    internal void Validate()
    {
        if (MaxStepsPerPartition <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxStepsPerPartition), MaxStepsPerPartition, "Must be positive.");
        }

        if (PrefixOperationsShown < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(PrefixOperationsShown), PrefixOperationsShown, "Must not be negative.");
        }
    }
}
