namespace OrleansRaft.Linearizability;

/// <summary>What the search of one partition found; the prefix and unplaced operation are empty when it succeeded.</summary>
internal sealed record SearchOutcome<TState, TInput, TOutput>(
    CheckOutcome Outcome,
    long Steps,
    int CacheEntries,
    IReadOnlyList<Operation<TInput, TOutput>> LongestPrefix,
    Operation<TInput, TOutput>? Unplaced,
    TState StateAfterPrefix);
