namespace OrleansRaft.Linearizability;

/// <summary>What the search reports: the deepest failing configuration, for the explanation.</summary>
internal sealed partial class PartitionSearch<TState, TInput, TOutput>
{
    // The deepest failing configuration so far. Frames below lowWater are unchanged since it was recorded,
    // so recording a deeper one copies only the frames above.
    private readonly List<Operation<TInput, TOutput>> bestPrefix = [];
    private int bestDepth = -1;
    private int lowWater;
    private Operation<TInput, TOutput>? bestUnplaced;
    private TState bestState;

    private void RecordIfDeepest()
    {
        if (depth <= bestDepth)
        {
            return;
        }

        bestDepth = depth;
        bestPrefix.RemoveRange(lowWater, bestPrefix.Count - lowWater);
        for (int k = lowWater; k < depth; k++)
        {
            bestPrefix.Add(ops[OpOf(k)]);
        }

        lowWater = depth;
        bestState = state;

        // Some completed operation is outstanding, so the list holds a return event: the first one is the
        // operation that has to take effect next and could not.
        bestUnplaced = ops[events.Op(events.FirstReturn())];
    }

    private SearchOutcome<TState, TInput, TOutput> Finish(CheckOutcome outcome)
    {
        if (outcome == CheckOutcome.Ok)
        {
            return new SearchOutcome<TState, TInput, TOutput>(outcome, steps, cache.Count, [], null, state);
        }

        if (outcome == CheckOutcome.Unknown)
        {
            RecordIfDeepest();
        }

        return new SearchOutcome<TState, TInput, TOutput>(
            outcome, steps, cache.Count, bestPrefix.ToArray(), bestUnplaced, bestState);
    }
}
