namespace OrleansRaft.Linearizability;

/// <summary>An independent part of a history (for a key-value model, the operations on one key).</summary>
public sealed record HistoryPartition<TInput, TOutput>(string Name, IReadOnlyList<Operation<TInput, TOutput>> Operations);
