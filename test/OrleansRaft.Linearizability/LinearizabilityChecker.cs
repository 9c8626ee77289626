namespace OrleansRaft.Linearizability;

/// <summary>Checks histories for linearizability against a model, one partition at a time.</summary>
public static class LinearizabilityChecker
{
    /// <summary>
    /// Checks <paramref name="history"/> against <paramref name="model"/>. Every partition is checked, so the
    /// result lists every violating partition. Deterministic: the same history gives the same result and text.
    /// </summary>
    public static CheckResult<TInput, TOutput> Check<TState, TInput, TOutput>(
        IModel<TState, TInput, TOutput> model,
        IReadOnlyList<Operation<TInput, TOutput>> history,
        CheckOptions? options = null)
        where TState : notnull
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(history);
        options ??= CheckOptions.Default;
        options.Validate();

        var positions = new Dictionary<Operation<TInput, TOutput>, int>(history.Count, ReferenceEqualityComparer.Instance);
        for (int i = 0; i < history.Count; i++)
        {
            if (!positions.TryAdd(history[i], i))
            {
                throw new ArgumentException($"Operation #{i} appears twice in the history.", nameof(history));
            }
        }

        var partitions = model.Partition(history);
        if (partitions.Sum(p => p.Operations.Count) != history.Count
            || partitions.Any(p => p.Operations.Any(o => !positions.ContainsKey(o))))
        {
            throw new InvalidOperationException("The model's partition must place every operation of the history in exactly one part.");
        }

        var describer = new OperationDescriber<TState, TInput, TOutput>(model, positions);
        var results = partitions
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => CheckPartition(model, p, options, describer))
            .ToList();
        return new CheckResult<TInput, TOutput>(history.Count, results);
    }

    private static PartitionResult<TInput, TOutput> CheckPartition<TState, TInput, TOutput>(
        IModel<TState, TInput, TOutput> model,
        HistoryPartition<TInput, TOutput> partition,
        CheckOptions options,
        OperationDescriber<TState, TInput, TOutput> describer)
        where TState : notnull
    {
        var found = PartitionSearch<TState, TInput, TOutput>.Run(model, partition.Operations, options.MaxStepsPerPartition);
        return new PartitionResult<TInput, TOutput>(
            partition.Name,
            found.Outcome,
            partition.Operations.Count,
            found.Steps,
            found.LongestPrefix,
            found.Unplaced,
            describer.Explain(partition, found, options));
    }
}
