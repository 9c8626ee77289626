namespace OrleansRaft.Linearizability;

public sealed record CheckOptions
{
    public static CheckOptions Default { get; } = new();

    /// <summary>
    /// The search of one partition stops once it has taken this many steps (a step is one application of an
    /// operation to a model state) and reports <see cref="CheckOutcome.Unknown"/>. Steps bound both time and the
    /// cache, which gains at most one entry per step.
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
